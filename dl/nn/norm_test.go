package nn

import (
	"math"
	"runtime"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// normRun is a forward and backward of a normalisation layer on an input
// big enough to be split across threads; it returns the output and the
// gradients of Σ out·w for input, weight and bias.
func normRun(m Module, shape []int, params []*dl.Tensor) [][]float32 {
	dl.Seed(21)
	x := dl.Randn(shape...).MulScalar(3).AddScalar(1).RequiresGrad()
	y := m.Forward(x)
	w := dl.Randn(y.Shape()...)
	y.Mul(w).Sum().Backward()
	res := [][]float32{y.Data(), x.Grad().Data()}
	for _, p := range params {
		res = append(res, p.Grad().Data())
		p.SetGrad(nil)
	}
	return res
}

// refBatchNorm is BatchNorm in training mode in float64, the textbook way,
// with the gradient of Σ y·w: x is [n c inner].
func refBatchNorm(x, gamma, beta, w []float32, n, c, inner int, eps float64) (y, gx []float64) {
	y, gx = make([]float64, len(x)), make([]float64, len(x))
	cnt := float64(n * inner)
	for ch := range c {
		idx := func(b, i int) int { return (b*c+ch)*inner + i }
		var mu, v float64
		for b := range n {
			for i := range inner {
				mu += float64(x[idx(b, i)])
			}
		}
		mu /= cnt
		for b := range n {
			for i := range inner {
				d := float64(x[idx(b, i)]) - mu
				v += d * d
			}
		}
		is := 1 / math.Sqrt(v/cnt+eps)
		var sg, sgx float64
		for b := range n {
			for i := range inner {
				k := idx(b, i)
				h := (float64(x[k]) - mu) * is
				y[k] = h*float64(gamma[ch]) + float64(beta[ch])
				g := float64(w[k]) * float64(gamma[ch])
				sg += g
				sgx += g * h
			}
		}
		for b := range n {
			for i := range inner {
				k := idx(b, i)
				h := (float64(x[k]) - mu) * is
				gx[k] = is * (float64(w[k])*float64(gamma[ch]) - sg/cnt - h*sgx/cnt)
			}
		}
	}
	return y, gx
}

func TestBatchNormLargeAgainstFloat64(t *testing.T) {
	for _, shape := range [][]int{{16, 8, 20, 20}, {600, 40}} {
		var m *BatchNorm
		if len(shape) == 4 {
			m = NewBatchNorm2d(shape[1])
		} else {
			m = NewBatchNorm1d(shape[1])
		}
		dl.NoGrad(func() {
			m.Weight.CopyFrom(dl.Randn(shape[1]))
			m.Bias.CopyFrom(dl.Randn(shape[1]))
		})
		dl.Seed(21)
		x := dl.Randn(shape...).MulScalar(3).AddScalar(1).RequiresGrad()
		y := m.Forward(x)
		w := dl.Randn(y.Shape()...)
		y.Mul(w).Sum().Backward()
		inner := 1
		for _, d := range shape[2:] {
			inner *= d
		}
		ry, rgx := refBatchNorm(x.Data(), m.Weight.Data(), m.Bias.Data(), w.Data(), shape[0], shape[1], inner, 1e-5)
		for name, pair := range map[string]struct {
			got  []float32
			want []float64
		}{"output": {y.Data(), ry}, "input gradient": {x.Grad().Data(), rgx}} {
			for i, v := range pair.got {
				if math.Abs(float64(v)-pair.want[i]) > 2e-4*(1+math.Abs(pair.want[i])) {
					t.Fatalf("%v %s[%d] = %v, want %v", shape, name, i, v, pair.want[i])
				}
			}
		}
	}
}

// TestNormSameBitsOnAnyThreadCount: the normalisations split their work in
// fixed chunks, so 1 and 3 threads give the same bits.
func TestNormSameBitsOnAnyThreadCount(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	defer kernels.SetThreads(0)
	bn2, bn1, ln := NewBatchNorm2d(8), NewBatchNorm1d(40), NewLayerNorm(300)
	for name, c := range map[string]struct {
		m      Module
		shape  []int
		params []*dl.Tensor
	}{
		"BatchNorm2d": {bn2, []int{16, 8, 20, 20}, []*dl.Tensor{bn2.Weight, bn2.Bias}},
		"BatchNorm1d": {bn1, []int{3000, 40}, []*dl.Tensor{bn1.Weight, bn1.Bias}},
		"LayerNorm":   {ln, []int{400, 300}, []*dl.Tensor{ln.Weight, ln.Bias}},
	} {
		kernels.SetThreads(1)
		one := normRun(c.m, c.shape, c.params)
		kernels.SetThreads(3)
		three := normRun(c.m, c.shape, c.params)
		for i := range one {
			for j := range one[i] {
				if math.Float32bits(one[i][j]) != math.Float32bits(three[i][j]) {
					t.Fatalf("%s result %d [%d]: %v on 1 thread, %v on 3", name, i, j, one[i][j], three[i][j])
				}
			}
		}
	}
}

// Under NoGrad a normalisation records nothing and keeps nothing for a
// backward that cannot come.
func TestNormNoGradRecordsNothing(t *testing.T) {
	bn, ln := NewBatchNorm2d(4), NewLayerNorm(10)
	x := dl.Randn(8, 4, 5, 5).RequiresGrad()
	dl.NoGrad(func() {
		if y := bn.Forward(x); !y.IsLeaf() {
			t.Error("BatchNorm under NoGrad recorded a graph")
		}
		if y := ln.Forward(dl.Randn(6, 10).RequiresGrad()); !y.IsLeaf() {
			t.Error("LayerNorm under NoGrad recorded a graph")
		}
	})
}
