package dl

import (
	"errors"
	"strings"
	"testing"
)

// These tests check autograd's bookkeeping; the values of gradients are
// checked against PyTorch in golden_test.go and finite differences.

func TestGradAccumulatesAcrossBackward(t *testing.T) {
	w := FromSlice([]float32{1, 2, 3}).RequiresGrad()
	x := FromSlice([]float32{4, 5, 6})
	w.Mul(x).Sum().Backward()
	w.Mul(x).Sum().Backward()
	// d/dw Σ w·x = x, twice
	if err := compare(w.Grad().Data(), []float32{8, 10, 12}, 0); err != nil {
		t.Fatal(err)
	}
	w.ZeroGrad()
	if err := compare(w.Grad().Data(), []float32{0, 0, 0}, 0); err != nil {
		t.Fatal(err)
	}
	w.Mul(x).Sum().Backward()
	if err := compare(w.Grad().Data(), []float32{4, 5, 6}, 0); err != nil {
		t.Fatal(err)
	}
}

func TestGradOfReusedTensorAdds(t *testing.T) {
	// y = a + a + a·a: dy/da = 2 + 2a, through three paths into one leaf
	a := FromSlice([]float32{1, -2}).RequiresGrad()
	y := a.Add(a).Add(a.Mul(a)).Sum()
	y.Backward()
	if err := compare(a.Grad().Data(), []float32{4, -2}, 0); err != nil {
		t.Fatal(err)
	}
}

func TestLeafGradDoesNotAliasOtherGrads(t *testing.T) {
	// Add passes the same gradient to both inputs; accumulating into one
	// leaf must not change the other.
	a := Ones(2).RequiresGrad()
	b := Ones(2).RequiresGrad()
	a.Add(b).Sum().Backward()
	a.Add(b).Sum().Backward()
	a.Sum().Backward()
	if err := compare(a.Grad().Data(), []float32{3, 3}, 0); err != nil {
		t.Fatal(err)
	}
	if err := compare(b.Grad().Data(), []float32{2, 2}, 0); err != nil {
		t.Fatal(err)
	}
}

func TestBackwardNeedsScalar(t *testing.T) {
	a := Ones(2, 2).RequiresGrad()
	err := Maybe(func() { a.MulScalar(2).Backward() })
	if err == nil || !strings.Contains(err.Error(), "scalar") || !strings.Contains(err.Error(), "[2 2]") {
		t.Fatalf("got %v, want a scalar-output error naming the shape", err)
	}
	if err := Maybe(func() { Ones(1).Sum().Backward() }); err == nil {
		t.Fatal("Backward on a tensor without grad did not fail")
	}
}

func TestSecondBackwardThroughFreedGraph(t *testing.T) {
	a := Ones(2).RequiresGrad()
	loss := a.Mul(a).Sum()
	loss.Backward()
	err := Maybe(func() { loss.Backward() })
	if err == nil || !strings.Contains(err.Error(), "second time") {
		t.Fatalf("got %v, want a second-backward error", err)
	}
}

func TestNoGradRecordsNothing(t *testing.T) {
	a := Ones(2).RequiresGrad()
	var y *Tensor
	NoGrad(func() {
		if GradEnabled() {
			t.Error("GradEnabled inside NoGrad")
		}
		y = a.MulScalar(3)
	})
	if !GradEnabled() {
		t.Error("grad mode not restored")
	}
	if y.TracksGrad() {
		t.Error("result of an op inside NoGrad tracks grad")
	}
	if !a.MulScalar(3).TracksGrad() {
		t.Error("result of an op on a leaf does not track grad")
	}
}

func TestDetachStopsGradient(t *testing.T) {
	a := FromSlice([]float32{2, 3}).RequiresGrad()
	y := a.Mul(a.Detach()).Sum() // d/da = a (not 2a)
	y.Backward()
	if err := compare(a.Grad().Data(), []float32{2, 3}, 0); err != nil {
		t.Fatal(err)
	}
}

func TestRecordFromOutside(t *testing.T) {
	// An op written outside dl: out = 2·x with a hand-written backward that
	// returns a gradient of the broadcast shape, which dl must reduce.
	x := FromSlice([]float32{1, 2, 3}, 1, 3).RequiresGrad()
	c := Ones(2, 1)
	out := fromData(make([]float32, 6), []int{2, 3})
	for i := range 2 {
		for j := range 3 {
			out.data[i*3+j] = 2 * x.At(0, j)
		}
	}
	out = Record("Twice", out, []*Tensor{x, c}, func(g *Tensor) []*Tensor {
		return []*Tensor{g.MulScalar(2), nil}
	})
	if !out.TracksGrad() || out.IsLeaf() {
		t.Fatal("Record did not attach the output")
	}
	out.Sum().Backward()
	if err := compare(x.Grad().Data(), []float32{4, 4, 4}, 0); err != nil {
		t.Fatal(err)
	}
	if c.Grad() != nil {
		t.Fatal("constant input got a gradient")
	}
	if err := Maybe(func() { Record("Same", x, []*Tensor{x}, nil) }); err == nil {
		t.Fatal("Record accepted an input as its output")
	}
	// Nothing tracks grad: Record leaves out alone.
	plain := Record("Twice", Ones(2), []*Tensor{Ones(2)}, nil)
	if plain.TracksGrad() {
		t.Fatal("Record attached an output of constants")
	}
}

func TestSetGradChecksShape(t *testing.T) {
	a := Ones(2, 3).RequiresGrad()
	if err := Maybe(func() { a.SetGrad(Ones(3, 2)) }); err == nil {
		t.Fatal("SetGrad accepted a gradient of the wrong shape")
	}
	a.SetGrad(Full(0.5, 2, 3))
	if a.Grad().At(1, 2) != 0.5 {
		t.Fatal("SetGrad did not set")
	}
	a.SetGrad(nil)
	if a.Grad() != nil {
		t.Fatal("SetGrad(nil) did not clear")
	}
}

func TestErrorsNameOpAndShapes(t *testing.T) {
	err := Maybe(func() { MatMul(Ones(10, 5), Ones(3, 2)) })
	if err == nil || err.Error() != "MatMul: [10 5] x [3 2]: inner dimensions 5 and 3 differ" {
		t.Fatalf("got %v", err)
	}
	err = Maybe(func() { Add(Ones(2, 3), Ones(4)) })
	var e *Error
	if !errors.As(err, &e) || e.Op != "Add" || !strings.Contains(e.Msg, "[2 3] and [4]") {
		t.Fatalf("got %v", err)
	}
	for name, f := range map[string]func(){
		"Reshape":   func() { Ones(2, 3).Reshape(4) },
		"Select":    func() { Ones(2, 3).Select(0, 2) },
		"Narrow":    func() { Ones(2, 3).Narrow(1, 2, 2) },
		"Permute":   func() { Ones(2, 3).Permute(0) },
		"Cat":       func() { Cat(0, Ones(2, 3), Ones(2, 4)) },
		"Item":      func() { Ones(2).Item() },
		"View":      func() { Ones(2, 3).T().View(6) },
		"Transpose": func() { Ones(2, 3).Transpose(0, 2) },
	} {
		err := Maybe(f)
		if err == nil || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestMaybeRepanicsOtherPanics(t *testing.T) {
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want boom", r)
		}
	}()
	Maybe(func() { panic("boom") })
	t.Fatal("Maybe swallowed a foreign panic")
}

func TestInterrupt(t *testing.T) {
	defer ResetInterrupt()
	a := Ones(4, 4)
	Interrupt()
	if !Interrupted() {
		t.Fatal("flag not set")
	}
	err := Maybe(func() { a.MatMul(a) })
	if err != ErrInterrupted || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	ResetInterrupt()
	if Maybe(func() { a.MatMul(a) }) != nil {
		t.Fatal("op failed after ResetInterrupt")
	}
}

func TestSeedRepeats(t *testing.T) {
	Seed(7)
	a := Randn(3, 4).Data()
	p := RandPerm(10)
	Seed(7)
	b := Randn(3, 4).Data()
	q := RandPerm(10)
	if err := compare(a, b, 0); err != nil {
		t.Fatal(err)
	}
	for i := range p {
		if p[i] != q[i] {
			t.Fatal("RandPerm not repeatable")
		}
	}
}

func TestRandomDistributions(t *testing.T) {
	Seed(1)
	n := 20000
	mean := func(x *Tensor) float64 { return float64(x.Mean().Item()) }
	if m := mean(Randn(n)); m < -0.03 || m > 0.03 {
		t.Errorf("Randn mean %v", m)
	}
	if v := float64(Randn(n).Var().Item()); v < 0.95 || v > 1.05 {
		t.Errorf("Randn variance %v", v)
	}
	u := Uniform(-2, 4, n)
	if u.Min().Item() < -2 || u.Max().Item() >= 4 {
		t.Errorf("Uniform out of range")
	}
	if m := mean(u); m < 0.95 || m > 1.05 {
		t.Errorf("Uniform mean %v", m)
	}
	if m := mean(Bernoulli(0.3, n)); m < 0.28 || m > 0.32 {
		t.Errorf("Bernoulli mean %v", m)
	}
	if m := mean(Rand(n)); m < 0.48 || m > 0.52 {
		t.Errorf("Rand mean %v", m)
	}
}

func TestBackwardWith(t *testing.T) {
	a := FromSlice([]float32{1, 2, 3}).RequiresGrad()
	y := a.Mul(a) // dy/da = 2a
	u := FromSlice([]float32{1, 10, 100})
	y.BackwardWith(u)
	if err := compare(a.Grad().Data(), []float32{2, 40, 600}, 0); err != nil {
		t.Fatal(err)
	}
	if err := compare(u.Data(), []float32{1, 10, 100}, 0); err != nil {
		t.Fatal("BackwardWith changed its argument")
	}
	if err := Maybe(func() { a.Mul(a).BackwardWith(Ones(2)) }); err == nil {
		t.Fatal("BackwardWith accepted a gradient of the wrong shape")
	}
}

func TestInterruptDuringBackward(t *testing.T) {
	defer ResetInterrupt()
	a := Ones(3).RequiresGrad()
	loss := Tanh(a).Sum()
	Interrupt()
	if err := Maybe(func() { loss.Backward() }); err != ErrInterrupted {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	if !GradEnabled() {
		t.Fatal("grad mode not restored after an interrupted Backward")
	}
	ResetInterrupt()
	var y *Tensor
	if err := Maybe(func() { NoGrad(func() { Interrupt(); y = a.MatMul(a) }) }); err != ErrInterrupted || y != nil {
		t.Fatalf("got %v", err)
	}
	if !GradEnabled() {
		t.Fatal("grad mode not restored after an interrupt inside NoGrad")
	}
}
