package dl

import (
	"math"
	"strings"
	"testing"
)

func TestDtypeStorageIsReal(t *testing.T) {
	big := int64(1)<<53 + 1 // not a float32, not even a float64
	x := FromInt64s([]int64{big, -3})
	if x.Dtype() != Int64 || x.Int64s()[0] != big {
		t.Fatalf("Int64 storage lost precision: %v", x.Int64s())
	}
	if got := x.AddScalar(1).Int64s()[0]; got != big+1 {
		t.Errorf("Int64 arithmetic went through floats: %d", got)
	}
	if got := x.Sum().Int64s()[0]; got != big-3 {
		t.Errorf("Int64 sum: %d, want %d", got, big-3)
	}
	if x.Eq(FromInt64s([]int64{big - 1, -3})).Bools()[0] {
		t.Error("Int64 comparison went through floats")
	}
	if d := Zeros(2).Dtype(); d != Float32 || d.String() != "torch.float32" || Bool.Name() != "bool" {
		t.Errorf("dtype names: %v %v", d, Bool.Name())
	}
}

func TestDtypeAccessors(t *testing.T) {
	x := From([][]int{{1, 2}, {3, 4}})
	if x.At(1, 0) != 3 || x.Index(1, 1).ItemInt() != 4 || x.Index(0, 1).Item() != 2 {
		t.Errorf("At/ItemInt/Item: %v", x)
	}
	x.Set(9.7, 0, 0) // converted as torch does
	if x.Int64s()[0] != 9 {
		t.Errorf("Set on Int64 wrote %v", x.Int64s()[0])
	}
	if err := compare(x.T().Data(), []float32{9, 3, 2, 4}, 0); err != nil {
		t.Errorf("Data of a transposed Int64: %v", err)
	}
	if err := Maybe(func() { x.RawData() }); err == nil || !strings.Contains(err.Error(), "int64") {
		t.Errorf("RawData of Int64: %v", err)
	}
	b := From([]bool{true, false})
	if b.Sum().ItemInt() != 1 || b.To(Float32).Sum().Item() != 1 || b.Float64s()[0] != 1 {
		t.Errorf("Bool counts: %v", b)
	}
	if got := x.Contiguous(); got != x {
		t.Error("Contiguous of a contiguous Int64 tensor copies")
	}
	c := x.T().Contiguous()
	if c.Dtype() != Int64 || c.Int64s()[1] != 3 {
		t.Errorf("Contiguous of a view: %v", c)
	}
	if r := RandLike(x); r.Dtype() != Float32 || !sameShape(r.Shape(), x.Shape()) {
		t.Errorf("RandLike of an Int64 tensor: %v %v", r.Dtype(), r.Shape())
	}
	if To := x.To(Int64); To != x {
		t.Error("To the same dtype must return the tensor itself")
	}
}

func TestDtypeRefusals(t *testing.T) {
	cases := map[string]func(){
		"RequiresGrad":     func() { From([]int{1}).RequiresGrad() },
		"SetRequiresGrad":  func() { From([]bool{true}).SetRequiresGrad(true) },
		"Neg":              func() { From([]bool{true}).Neg() },
		"Sub":              func() { From([]bool{true}).Sub(From([]int{1})) },
		"AddInPlace":       func() { From([]int{1}).AddInPlace(Ones(1)) },
		"AddScalarInPlace": func() { From([]int{1}).AddScalarInPlace(0.5) },
		"Argmax":           func() { From([]bool{true}).Argmax() },
	}
	for op, f := range cases {
		err := Maybe(f)
		if err == nil || !strings.HasPrefix(err.Error(), op+":") {
			t.Errorf("%s: got %v, want an error naming the op", op, err)
		}
	}
}

// Old notebooks used float masks and float labels: they keep working.
func TestDtypeOldSpellings(t *testing.T) {
	logits := FromSlice([]float32{0.1, 0.9, 0.8, 0.2, 0.3, 0.7}, 3, 2)
	floatLabels := FromSlice([]float32{1, 0, 0})
	if n := logits.Argmax(1).Eq(floatLabels).Sum().ItemInt(); n != 2 {
		t.Errorf("Int64 predictions against float labels: %d matches, want 2", n)
	}
	m := logits.Gt(FromSlice([]float32{0.5}))
	if got := logits.Mul(m).Sum().Item(); math.Abs(float64(got)-2.4) > 1e-6 {
		t.Errorf("a Bool mask times floats: %v", got)
	}
	if got := m.Mean().Item(); math.Abs(float64(got)-0.5) > 1e-7 {
		t.Errorf("mean of a mask: %v", got)
	}
	if got := Maximum(logits, Full(0.5, 1)).Sum().Item(); math.Abs(float64(got)-3.9) > 1e-6 {
		t.Errorf("Maximum: %v", got)
	}
}

func TestFromRagged(t *testing.T) {
	for name, in := range map[string]any{
		"short row":      [][]float32{{1, 2}, {3}},
		"list for value": []any{1, []int{2}},
		"value for list": []any{[]int{1}, 2},
		"not a number":   []string{"a"},
	} {
		if err := Maybe(func() { From(in) }); err == nil || !strings.HasPrefix(err.Error(), "From:") {
			t.Errorf("%s: %v", name, err)
		}
	}
	src := Randn(2, 3).RequiresGrad()
	if c := From(src.T()); c.TracksGrad() || sameStorage(c, src) || !AllClose(c, src.T(), 0, 0) {
		t.Errorf("From(tensor) must copy outside the graph: %v", c)
	}
	if x := From([]int{}); x.Dtype() != Int64 || x.Numel() != 0 {
		t.Errorf("empty []int: %v %v", x.Dtype(), x.Shape())
	}
	if x := From([][]bool{}); x.Dtype() != Bool || !sameShape(x.Shape(), []int{0}) {
		t.Errorf("empty [][]bool: %v %v", x.Dtype(), x.Shape())
	}
}
