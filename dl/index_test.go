package dl

import (
	"strings"
	"testing"
)

// Finite-difference checks of indexing's gradients, beside the PyTorch
// goldens: a basic view, a stepped view, advanced gathers with repeats, and
// an assignment into a tensor of the graph.
func TestIndexGradcheck(t *testing.T) {
	Seed(3)
	cases := map[string]func(x []*Tensor) *Tensor{
		"view":        func(x []*Tensor) *Tensor { return x[0].Index(All, Sl(1, End, 2)).MulScalar(3) },
		"gather":      func(x []*Tensor) *Tensor { return x[0].Index([]int{2, 0, 2}, All) },
		"mask":        func(x []*Tensor) *Tensor { return x[0].Index(FromBools([]bool{true, false, true}), 1) },
		"pairs":       func(x []*Tensor) *Tensor { return x[0].Index([]int{0, 1, 1}, []int{3, 3, 0}) },
		"newaxis_exp": func(x []*Tensor) *Tensor { return Exp(x[0].Index(NewAxis, Ellipsis, -1)) },
		"setindex": func(x []*Tensor) *Tensor {
			y := x[0].MulScalar(2)
			y.SetIndex(x[1], All, Sl(0, 2))
			return y.Mul(y)
		},
		"setindex_advanced": func(x []*Tensor) *Tensor {
			y := x[0].Mul(x[0])
			y.SetIndex(x[1].Index(Sl(0, 2), Sl(0, 1)), []int{1, 2})
			return y
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			x := Randn(3, 4)
			v := Randn(3, 2)
			out := f([]*Tensor{x.Detach(), v.Detach()})
			gradcheck(t, f, []*Tensor{x, v}, Randn(out.Shape()...))
		})
	}
}

func TestIndexViewSharesStorage(t *testing.T) {
	x := Zeros(3, 4)
	col := x.Index(All, 1)
	col.Fill(5)
	if x.At(2, 1) != 5 || x.At(2, 0) != 0 {
		t.Fatalf("writing the view did not reach x: %v", x)
	}
	x.SetIndex(7, Sl(0, End, 2), 1)
	if col.At(0) != 7 || col.At(1) != 5 || col.At(2) != 7 {
		t.Fatalf("the view does not see SetIndex: %v", col)
	}
	rows := x.Index([]int{0, 0})
	rows.Fill(-1)
	if x.At(0, 0) != 0 {
		t.Fatal("an advanced index must copy")
	}
}

func TestSetIndexRefusals(t *testing.T) {
	w := Randn(3).RequiresGrad()
	err := Maybe(func() { w.SetIndex(0, 1) })
	if err == nil || !strings.Contains(err.Error(), "leaf") {
		t.Errorf("leaf that requires grad: %v", err)
	}
	err = Maybe(func() { w.Index(Sl(1, End)).SetIndex(0, 0) })
	if err == nil || !strings.Contains(err.Error(), "view of a leaf") {
		t.Errorf("view of such a leaf: %v", err)
	}
	NoGrad(func() { w.SetIndex(0, 1) }) // as torch.no_grad
	if w.At(1) != 0 {
		t.Error("SetIndex inside NoGrad did not write")
	}
	y := w.MulScalar(2)
	err = Maybe(func() { y.Index(0).SetIndex(1) })
	if err == nil || !strings.Contains(err.Error(), "view") {
		t.Errorf("view of a tensor in a graph: %v", err)
	}
	err = Maybe(func() { Zeros(2, 3).SetIndex(Ones(4), 0) })
	if err == nil || !strings.Contains(err.Error(), "broadcast") {
		t.Errorf("value of the wrong shape: %v", err)
	}
	err = Maybe(func() { Zeros(2).Index(0.5) })
	if err == nil || !strings.HasPrefix(err.Error(), "Index:") {
		t.Errorf("a float64 index: %v", err)
	}
	err = Maybe(func() { Zeros(4).Index(Sl(0, 4, -1)) })
	if err == nil || !strings.Contains(err.Error(), "step") {
		t.Errorf("negative step: %v", err)
	}
}

// A value that requires grad turns a plain tensor into a node of the graph,
// as torch's CopySlices does.
func TestSetIndexValueJoinsGraph(t *testing.T) {
	v := FromSlice([]float32{2, 3}).RequiresGrad()
	z := Zeros(2, 2)
	z.SetIndex(v, 1)
	if !z.TracksGrad() {
		t.Fatal("z should track gradients after taking v")
	}
	z.Mul(FromSlice([]float32{1, 2, 3, 4}, 2, 2)).Sum().Backward()
	if err := compare(v.Grad().Data(), []float32{3, 4}, 0); err != nil {
		t.Fatal(err)
	}
}
