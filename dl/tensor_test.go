package dl

import (
	"strings"
	"testing"
)

func TestViewsShareStorage(t *testing.T) {
	x := Arange(0, 6, 1).Reshape(2, 3)
	for name, v := range map[string]*Tensor{
		"Reshape":   x.Reshape(3, 2),
		"View":      x.View(6),
		"T":         x.T(),
		"Select":    x.Select(1, 2),
		"Narrow":    x.Narrow(1, 1, 2),
		"Unsqueeze": x.Unsqueeze(0),
		"Squeeze":   x.Unsqueeze(0).Squeeze(),
		"Expand":    x.Narrow(0, 1, 1).Expand(4, 3),
		"Detach":    x.Detach(),
	} {
		if &v.data[0] != &x.data[0] {
			t.Errorf("%s copied the storage", name)
		}
	}
	// a write through RawData is seen by every view
	x.RawData()[5] = 50
	if x.T().At(2, 1) != 50 || x.Select(0, 1).At(2) != 50 || x.Narrow(1, 1, 2).At(1, 1) != 50 {
		t.Error("views do not see a write to the storage")
	}
	c := x.T().Contiguous()
	if &c.data[0] == &x.data[0] || !c.IsContiguous() || x.T().IsContiguous() {
		t.Error("Contiguous of a transposed view")
	}
	if err := compare(c.Data(), []float32{0, 3, 1, 4, 2, 50}, 0); err != nil {
		t.Error(err)
	}
	if x.T().Reshape(6).IsContiguous() == false {
		t.Error("Reshape of a non-contiguous view must copy into a contiguous tensor")
	}
}

func TestAccessors(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3, 4, 5, 6}, -1, 3)
	if !sameShape(x.Shape(), []int{2, 3}) || x.Dim() != 2 || x.Numel() != 6 || x.Size(-1) != 3 {
		t.Fatalf("shape %v", x.Shape())
	}
	x.Shape()[0] = 99 // Shape is a copy
	if x.Size(0) != 2 {
		t.Fatal("Shape exposed the tensor's own slice")
	}
	d := x.Data()
	d[0] = 99 // Data is a copy
	if x.At(0, 0) != 1 || x.At(-1, -1) != 6 {
		t.Fatal("Data exposed storage or At is wrong")
	}
	x.Set(7, 1, 0)
	if x.At(1, 0) != 7 {
		t.Fatal("Set")
	}
	if Scalar(2.5).Item() != 2.5 || Scalar(1).Dim() != 0 {
		t.Fatal("Scalar")
	}
	if err := compare(Eye(3).Data(), []float32{1, 0, 0, 0, 1, 0, 0, 0, 1}, 0); err != nil {
		t.Fatal(err)
	}
	if err := compare(OneHot([]int{2, 0}, 3).Data(), []float32{0, 0, 1, 1, 0, 0}, 0); err != nil {
		t.Fatal(err)
	}
	if !AllClose(Ones(2), Full(1.000001, 2), 1e-5, 0) || AllClose(Ones(2), Ones(3), 1, 1) || AllClose(Ones(2), Full(1.1, 2), 1e-5, 1e-5) {
		t.Fatal("AllClose")
	}
	if Full(3, 2, 2).Sum().Item() != 12 || Ones(3).Sum().Item() != 3 || Zeros(2).Sum().Item() != 0 {
		t.Fatal("Full/Ones/Zeros")
	}
}

func TestStringMarksGraph(t *testing.T) {
	a := Ones(2).RequiresGrad()
	if s := a.MulScalar(2).String(); !strings.HasSuffix(s, "grad_fn=<MulBackward0>)") {
		t.Errorf("got %s", s)
	}
	if s := a.Detach().String(); s != "tensor([1., 1.])" {
		t.Errorf("got %s", s)
	}
}

func TestFloat64AndRandInt(t *testing.T) {
	x := FromFloat64s([]float64{1.5, -2, 3, 4}, 2, -1)
	if !sameShape(x.Shape(), []int{2, 2}) || x.At(1, 0) != 3 {
		t.Fatalf("FromFloat64s: %v", x)
	}
	f := x.T().Float64s()
	if len(f) != 4 || f[1] != 3 || f[2] != -2 {
		t.Fatalf("Float64s of a transposed view: %v", f)
	}
	Seed(2)
	r := RandInt(-2, 3, 1000)
	seen := map[float32]bool{}
	for _, v := range r.Data() {
		if v < -2 || v >= 3 || v != float32(int(v)) {
			t.Fatalf("RandInt value %v", v)
		}
		seen[v] = true
	}
	if len(seen) != 5 {
		t.Fatalf("RandInt hit %d of 5 values", len(seen))
	}
}

// A summarised print reads only the edges: an expanded view of a single
// element prints like the full tensor, and a dataset-sized view prints
// without materialising it.
func TestStringReadsOnlyEdges(t *testing.T) {
	x := Arange(0, 7, 1).Reshape(1, 7)
	full := Cat(0, slicesOf(x, 500)...)
	if got, want := x.Expand(500, 7).String(), full.String(); got != want {
		t.Fatalf("expanded:\n%s\nmaterialised:\n%s", got, want)
	}
	huge := Scalar(0.5).Expand(60000, 28, 28)
	if s := huge.String(); !strings.HasSuffix(s, "size=(60000, 28, 28))") || !strings.Contains(s, "0.5000,  ...,") {
		t.Fatalf("got %s", s)
	}
}

func slicesOf(x *Tensor, n int) []*Tensor {
	out := make([]*Tensor, n)
	for i := range out {
		out[i] = x
	}
	return out
}
