package dl

import (
	"math"
	"runtime"
	"testing"

	"github.com/godl-dev/godl/dl/internal/kernels"
)

// Ops large enough to run in parallel chunks against the same ops on
// slices small enough to run in one piece.
func TestParallelOpsMatchSerial(t *testing.T) {
	Seed(5)
	n := grainStream*4 + 37
	x, y := Randn(n).RequiresGrad(), Randn(n)
	outs := []*Tensor{Sigmoid(x), Tanh(x), ReLU(x), x.Add(y), x.Mul(Scalar(3)), Exp(x)}
	Sum(outs[0]).Add(outs[1].Sum()).Add(outs[2].Sum()).Backward()
	gx := x.Grad().Data()
	for _, lo := range []int{0, 1000, n - 500} {
		xs := x.Detach().Narrow(0, lo, 500).Contiguous().RequiresGrad()
		ys := y.Narrow(0, lo, 500).Contiguous()
		small := []*Tensor{Sigmoid(xs), Tanh(xs), ReLU(xs), xs.Add(ys), xs.Mul(Scalar(3)), Exp(xs)}
		for i := range small {
			if err := compare(outs[i].Narrow(0, lo, 500).Data(), small[i].Data(), 0); err != nil {
				t.Errorf("op %d at %d: %v", i, lo, err)
			}
		}
		Sum(small[0]).Add(small[1].Sum()).Add(small[2].Sum()).Backward()
		if err := compare(gx[lo:lo+500], xs.Grad().Data(), 0); err != nil {
			t.Errorf("gradient at %d: %v", lo, err)
		}
	}
}

// parallelOps are ops on tensors large enough to be split across threads
// in every way the backend splits: flat chunks, broadcast rows, row and
// column blocks of reductions, one long sum in fixed chunks, softmax rows
// (contiguous and strided). Each returns its forward result and the
// gradient of a weighted sum of it.
func parallelOps() map[string]func(x, y, b *Tensor) *Tensor {
	return map[string]func(x, y, b *Tensor) *Tensor{
		"Add":          func(x, y, b *Tensor) *Tensor { return x.Add(y) },
		"AddRow":       func(x, y, b *Tensor) *Tensor { return x.Add(b) },
		"SubColumn":    func(x, y, b *Tensor) *Tensor { return x.Sub(y.Narrow(1, 0, 1)) },
		"DivTransp":    func(x, y, b *Tensor) *Tensor { return x.Div(y.T().T().AddScalar(3)) },
		"ReLU":         func(x, y, b *Tensor) *Tensor { return ReLU(x) },
		"LeakyReLU":    func(x, y, b *Tensor) *Tensor { return LeakyReLU(x, 0.1) },
		"Sigmoid":      func(x, y, b *Tensor) *Tensor { return Sigmoid(x) },
		"Tanh":         func(x, y, b *Tensor) *Tensor { return Tanh(x) },
		"GELU":         func(x, y, b *Tensor) *Tensor { return GELU(x) },
		"Exp":          func(x, y, b *Tensor) *Tensor { return Exp(x) },
		"SumAll":       func(x, y, b *Tensor) *Tensor { return x.Sum() },
		"Sum0":         func(x, y, b *Tensor) *Tensor { return x.Sum(0) },
		"Sum1":         func(x, y, b *Tensor) *Tensor { return x.Sum(1) },
		"SumTall":      func(x, y, b *Tensor) *Tensor { return x.Reshape(6000, 50).Sum(0) },
		"SumWide":      func(x, y, b *Tensor) *Tensor { return x.Reshape(2, 300, 500).Sum(1) },
		"Mean":         func(x, y, b *Tensor) *Tensor { return x.Mean() },
		"Max1":         func(x, y, b *Tensor) *Tensor { return x.Max(1) },
		"Max0":         func(x, y, b *Tensor) *Tensor { return x.Max(0) },
		"MaxAll":       func(x, y, b *Tensor) *Tensor { return x.Max() },
		"Softmax1":     func(x, y, b *Tensor) *Tensor { return Softmax(x, 1) },
		"LogSoftmax1":  func(x, y, b *Tensor) *Tensor { return LogSoftmax(x, 1) },
		"LogSoftmax0":  func(x, y, b *Tensor) *Tensor { return LogSoftmax(x, 0) },
		"SoftmaxInner": func(x, y, b *Tensor) *Tensor { return Softmax(x.Reshape(50, 12, 500), 1) },
	}
}

func runParallelOp(f func(x, y, b *Tensor) *Tensor) (out, grad []float32) {
	Seed(11)
	x, y, b := Randn(600, 500).RequiresGrad(), Randn(600, 500), Randn(500)
	r := f(x, y, b)
	w := Randn(r.Shape()...)
	r.Mul(w).Sum().Backward()
	return r.Data(), x.Grad().Data()
}

// TestOpsSameBitsOnAnyThreadCount runs each op on one thread and on
// three: reductions split the same way whatever the thread count, so the
// bits must agree.
func TestOpsSameBitsOnAnyThreadCount(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	defer kernels.SetThreads(0)
	for name, f := range parallelOps() {
		kernels.SetThreads(1)
		out1, grad1 := runParallelOp(f)
		kernels.SetThreads(3)
		out3, grad3 := runParallelOp(f)
		if err := compare(out3, out1, 0); err != nil {
			t.Errorf("%s: 3 threads vs 1: %v", name, err)
		}
		if err := compare(grad3, grad1, 0); err != nil {
			t.Errorf("%s gradient: 3 threads vs 1: %v", name, err)
		}
	}
}

// TestLongSumAgainstFloat64 checks the chunked parallel sum against a
// plain float64 loop.
func TestLongSumAgainstFloat64(t *testing.T) {
	Seed(12)
	x := Randn(1<<18 + 3)
	var want float64
	for _, v := range x.Data() {
		want += float64(v)
	}
	if got := x.Sum().Item(); math.Abs(float64(got)-want) > 1e-6*math.Abs(want)+1e-3 {
		t.Fatalf("Sum = %v, want %v", got, want)
	}
	xd := x.Data()
	for _, c := range []int{7, 512, 1000} { // few columns, one block, two
		rows := (1 << 18) / c
		cols := x.Narrow(0, 0, rows*c).Reshape(rows, c).Sum(0).Data()
		for j := range c {
			var w float64
			for i := range rows {
				w += float64(xd[i*c+j])
			}
			if math.Abs(float64(cols[j])-w) > 1e-5*(1+math.Abs(w)) {
				t.Fatalf("[%d %d].Sum(0)[%d] = %v, want %v", rows, c, j, cols[j], w)
			}
		}
	}
}

// Max and Argmax pick the first maximum, and the first NaN over any number,
// along the last dimension and along a strided one.
func TestMaxArgmaxTiesAndNaN(t *testing.T) {
	nan := float32(math.NaN())
	x := FromSlice([]float32{
		1, 3, 3, 2,
		nan, 5, nan, 1,
		-1, -1, -1, -1,
		0, 2, nan, 7,
	}, 4, 4)
	for _, c := range []struct {
		dim  int
		vals []float32
		idx  []float32
	}{
		{1, []float32{3, nan, -1, nan}, []float32{1, 0, 0, 2}},
		{0, []float32{nan, 5, nan, 7}, []float32{1, 1, 1, 3}},
	} {
		vals, idx := x.Max(c.dim).Data(), x.Argmax(c.dim).Data()
		for i := range c.vals {
			if !sameBits(vals[i], c.vals[i]) || idx[i] != c.idx[i] {
				t.Errorf("dim %d [%d]: max %v at %v, want %v at %v", c.dim, i, vals[i], idx[i], c.vals[i], c.idx[i])
			}
		}
	}
}

func sameBits(a, b float32) bool { return a == b || (a != a && b != b) }

// Bernoulli masks depend on Seed alone: the same on 1 and 3 threads, with
// the asked-for share of ones, and exact at p = 0 and p = 1.
func TestBernoulliSameOnAnyThreadCount(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	defer kernels.SetThreads(0)
	n := 5*bernoulliChunk + 3
	var masks [2][]float32
	for i, th := range []int{1, 3} {
		kernels.SetThreads(th)
		Seed(9)
		masks[i] = Bernoulli(0.7, n).Data()
	}
	if err := compare(masks[1], masks[0], 0); err != nil {
		t.Fatalf("3 threads vs 1: %v", err)
	}
	ones := 0
	for _, v := range masks[0] {
		if v != 0 && v != 1 {
			t.Fatalf("mask value %v", v)
		}
		ones += int(v)
	}
	if f := float64(ones) / float64(n); math.Abs(f-0.7) > 0.01 {
		t.Errorf("share of ones %v, want 0.7", f)
	}
	if Bernoulli(0, 1000).Sum().Item() != 0 || Bernoulli(1, 1000).Sum().Item() != 1000 {
		t.Error("p = 0 or p = 1 is not exact")
	}
}

// The maximum of a long tensor, found in parallel chunks, is the first
// largest element, or the first NaN.
func TestLongMax(t *testing.T) {
	Seed(13)
	n := 5*sumChunk + 7
	x := Randn(n).Data()
	x[3*sumChunk+5], x[4*sumChunk+1] = 9, 9 // a tie across chunks: the first wins
	if v, i := FromSlice(x).Max().Item(), FromSlice(x).Argmax().Ints()[0]; v != 9 || i != 3*sumChunk+5 {
		t.Errorf("max %v at %d, want 9 at %d", v, i, 3*sumChunk+5)
	}
	x[4*sumChunk+2], x[2*sumChunk] = float32(math.NaN()), float32(math.NaN())
	if v, i := FromSlice(x).Max().Item(), FromSlice(x).Argmax().Ints()[0]; v == v || i != 2*sumChunk {
		t.Errorf("max %v at %d, want NaN at %d", v, i, 2*sumChunk)
	}
}
