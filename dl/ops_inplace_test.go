package dl

import (
	"strings"
	"testing"
)

func TestInPlace(t *testing.T) {
	w := FromSlice([]float32{1, 2, 3, 4}, 2, 2).RequiresGrad()
	w.Mul(w).Sum().Backward() // grad 2w
	err := Maybe(func() { w.SubInPlace(w.Grad()) })
	if err == nil || !strings.Contains(err.Error(), "NoGrad") {
		t.Fatalf("in-place change of a leaf outside NoGrad: got %v", err)
	}
	NoGrad(func() { w.SubInPlace(w.Grad().MulScalar(0.25)) }) // w − 0.5w
	if err := compare(w.Data(), []float32{0.5, 1, 1.5, 2}, 0); err != nil {
		t.Fatal(err)
	}
	x := Zeros(2, 3)
	x.AddInPlace(FromSlice([]float32{1, 2, 3}))        // broadcast rows
	x.T().MulInPlace(FromSlice([]float32{10, 100}, 2)) // through a view: columns of xᵀ
	if err := compare(x.Data(), []float32{10, 20, 30, 100, 200, 300}, 0); err != nil {
		t.Fatal(err)
	}
	x.Narrow(1, 1, 1).Fill(-1)
	x.Select(0, 0).CopyFrom(Full(7, 3))
	x.MulScalarInPlace(2)
	if err := compare(x.Data(), []float32{14, 14, 14, 200, -2, 600}, 0); err != nil {
		t.Fatal(err)
	}
	if err := Maybe(func() { Zeros(2).AddInPlace(Ones(3, 2)) }); err == nil {
		t.Fatal("AddInPlace grew the receiver")
	}
}
