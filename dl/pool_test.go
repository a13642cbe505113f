package dl

import (
	"runtime"
	"testing"
	"time"

	"github.com/godl-dev/godl/dl/internal/storage"
)

// TestPoolDoesNotRecycleLiveBuffers runs training steps whose gradient
// temporaries go back to the pool, while holding forward results, leaf
// gradients and a RawData slice, and checks that later steps never write
// into any of them.
func TestPoolDoesNotRecycleLiveBuffers(t *testing.T) {
	Seed(3)
	x := Randn(64, 100)
	w := Randn(50, 100).MulScalar(0.1).RequiresGrad()
	b := Zeros(50).RequiresGrad()
	type kept struct {
		t    *Tensor
		want []float32
	}
	var keep []kept
	hold := func(t *Tensor) { keep = append(keep, kept{t, t.Data()}) }
	var raw []float32
	var rawWant []float32
	for step := range 6 {
		h := Tanh(x.MatMul(w.T()).Add(b))
		y := h.Mul(h).Add(h).Sum(1)
		loss := y.Mean()
		hold(h)
		hold(y)
		loss.Backward()
		g := w.Grad().Detach().Clone()
		hold(g)
		if step == 2 {
			raw = w.Grad().RawData()
			rawWant = append([]float32(nil), raw...)
			w.SetGrad(nil) // the slice outlives its tensor's place as Grad
			b.SetGrad(nil)
		}
	}
	for i, k := range keep {
		if err := compare(k.t.Data(), k.want, 0); err != nil {
			t.Errorf("held tensor %d changed: %v", i, err)
		}
	}
	if err := compare(raw, rawWant, 0); err != nil {
		t.Errorf("RawData slice changed: %v", err)
	}
}

// TestBackwardReleasesEachBufferOnce covers a gradient that is both dropped
// and reduced away (a broadcast input): recycling it twice would hand one
// buffer to two tensors.
func TestBackwardReleasesEachBufferOnce(t *testing.T) {
	y := Ones(1).RequiresGrad()
	c := Arange(0, 2048, 1)
	y.Add(c).MulScalar(3).Sum().Backward()
	if y.Grad().Item() != 3*2048 {
		t.Fatalf("grad %v", y.Grad().Item())
	}
	a, b := Zeros(2048), Zeros(2048)
	if &a.data[0] == &b.data[0] {
		t.Fatal("two live tensors share one pooled buffer")
	}
}

// A random program: each instruction applies an op to two earlier values.
type instr struct{ op, a, b int }

func randomProgram(seed int64, inputs, n int) []instr {
	Seed(seed)
	prog := make([]instr, n)
	for i := range prog {
		avail := inputs + i
		prog[i] = instr{RandPerm(11)[0], RandPerm(avail)[0], RandPerm(avail)[0]}
	}
	return prog
}

// run executes prog on the inputs (shapes [R C], [C], [R 1], [1]) and a
// [C C] weight, returning every value and a loss over the last five.
func (prog progT) run(x []*Tensor, w *Tensor, u []*Tensor) (vals []*Tensor, loss *Tensor) {
	vals = append([]*Tensor(nil), x...)
	R, C := x[0].Size(0), x[0].Size(1)
	for _, in := range prog {
		a, b := vals[in.a], vals[in.b]
		ab := a.Add(b)
		var r *Tensor
		switch in.op {
		case 0:
			r = ab
		case 1:
			r = a.Mul(b)
		case 2:
			r = a.Sub(b)
		case 3:
			r = Tanh(a)
		case 4:
			r = Sigmoid(a).Mul(b)
		case 5:
			r = ab.T().T()
		case 6:
			if n := ab.Size(-1); n >= 2 {
				r = Cat(-1, ab.Narrow(-1, 0, 1), ab.Narrow(-1, 1, n-1))
			} else {
				r = ab.Unsqueeze(0).Squeeze(0)
			}
		case 7:
			r = ab.Expand(R, C).MatMul(w)
		case 8:
			r = ab.SumKeep(0)
		case 9:
			r = Softmax(ab.Expand(R, C), 1)
		default:
			r = ReLU(ab).MulScalar(0.5)
		}
		vals = append(vals, r)
	}
	loss = Zeros()
	for i, v := range vals[len(vals)-len(u):] {
		loss = loss.Add(v.Mul(u[i]).Sum())
	}
	return vals, loss
}

type progT []instr

func progInputs(R, C int) ([]*Tensor, *Tensor) {
	return []*Tensor{Randn(R, C), Randn(C), Randn(R, 1), Randn(1)}, Randn(C, C).MulScalar(0.3)
}

func progUpstream(prog progT, x []*Tensor, w *Tensor) []*Tensor {
	var vals []*Tensor
	NoGrad(func() { vals, _ = prog.run(x, w, nil) })
	u := make([]*Tensor, 5)
	for i, v := range vals[len(vals)-5:] {
		u[i] = Randn(v.Shape()...)
	}
	return u
}

// TestRandomGraphsGradcheck checks autograd's bookkeeping (shared inputs,
// several paths into one tensor, broadcasts and views) on random programs
// against finite differences.
func TestRandomGraphsGradcheck(t *testing.T) {
	for seed := range int64(8) {
		prog := progT(randomProgram(100+seed, 4, 12))
		x, w := progInputs(3, 4)
		u := progUpstream(prog, x, w)
		// a scalar output: the loss itself, with upstream 1
		f := func(in []*Tensor) *Tensor {
			_, l := prog.run(in[:4], in[4], u)
			return l
		}
		gradcheck(t, f, append(x, w), Ones())
	}
}

// TestPoolRandomGraphs runs random programs on tensors big enough to be
// pooled, and checks that with buffer recycling on, gradients are bit for
// bit those computed with the pool off, and that no value the test still
// holds is overwritten by later work.
func TestPoolRandomGraphs(t *testing.T) {
	for seed := range int64(10) {
		on := randomGraphRun(t, seed, false)
		off := randomGraphRun(t, seed, true)
		for i := range on {
			if err := compare(on[i], off[i], 0); err != nil {
				t.Fatalf("seed %d, result %d: pool changed the result: %v", seed, i, err)
			}
		}
	}
}

func randomGraphRun(t *testing.T, seed int64, poolOff bool) [][]float32 {
	setPooling(!poolOff)
	defer setPooling(true)
	prog := progT(randomProgram(seed, 4, 25))
	x, w := progInputs(32, 64)
	for _, l := range append(x, w) {
		l.RequiresGrad()
	}
	u := progUpstream(prog, x, w)
	type held struct {
		t    *Tensor
		want []float32
	}
	var hold []held
	var results [][]float32
	for range 3 {
		vals, loss := prog.run(x, w, u)
		for _, v := range vals {
			hold = append(hold, held{v, v.Data()})
		}
		loss.Backward()
		for _, l := range append(x, w) {
			if l.Grad() != nil {
				results = append(results, l.Grad().Data())
			} else {
				results = append(results, nil)
			}
		}
	}
	for i, h := range hold {
		if err := compare(h.t.Data(), h.want, 0); err != nil {
			t.Fatalf("seed %d: held value %d changed: %v", seed, i, err)
		}
	}
	return results
}

// collect runs the collector until the pool's finalizers brought buffers
// back (or a second passed), so that every dead buffer is reusable.
func collect() {
	before := storage.ReadStats().Recycled
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
		if storage.ReadStats().Recycled > before {
			return
		}
	}
}

// TestForwardBuffersReusedOnlyWhenDead is the soundness test of recycling
// forward buffers: across training steps with collections in between
// (which send every unreachable buffer back to the pool), the outputs,
// views and RawData slices a program still holds after Backward must keep
// their values, while the buffers it dropped do come back.
func TestForwardBuffersReusedOnlyWhenDead(t *testing.T) {
	setPooling(true)
	Seed(4)
	x := Randn(64, 300)
	w := Randn(200, 300).MulScalar(0.05).RequiresGrad()
	type held struct {
		name string
		get  func() []float32
		want []float32
	}
	var keep []held
	hold := func(name string, get func() []float32) {
		keep = append(keep, held{name, get, append([]float32(nil), get()...)})
	}
	fresh := storage.ReadStats().Fresh
	for step := range 8 {
		h := ReLU(x.MatMul(w.T()))          // an activation
		out := Softmax(h.MulScalar(0.1), 1) // the output
		loss := out.Mul(out).Sum()
		loss.Backward()
		w.SetGrad(nil)
		switch step {
		case 1:
			hold("output after Backward", out.Data)
			o := out
			hold("output tensor", func() []float32 { return o.Data() })
		case 2:
			v := h.Narrow(0, 10, 20).T() // a view of an activation
			hold("view", func() []float32 { return v.Data() })
		case 3:
			raw := h.RawData()[100:5000] // a slice into an activation
			hold("RawData slice", func() []float32 { return raw })
		case 4:
			d := out.Detach()
			hold("detached output", func() []float32 { return d.Data() })
		}
		collect()
	}
	for _, k := range keep {
		if err := compare(k.get(), k.want, 0); err != nil {
			t.Errorf("%s changed after later steps: %v", k.name, err)
		}
	}
	s := storage.ReadStats()
	if s.Recycled == 0 {
		t.Error("no forward buffer came back to the pool")
	}
	// Steady state: later steps reuse what earlier ones dropped.
	if perStep := float64(s.Fresh-fresh) / 8; perStep > 6 {
		t.Errorf("%.1f fresh buffers per step: dropped activations are not reused", perStep)
	}
}
