package describe

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
)

func TestTensor(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(-1))
	x := dl.FromSlice([]float32{1, nan, 3, inf, nan, 6}, 2, 3)
	got := Value(x)
	if got.Kind != "tensor" || !slices.Equal(got.Shape, []int{2, 3}) || got.DType != "float32" ||
		got.RequiresGrad || got.NaN != 2 || got.Inf != 1 || got.Bytes != 24 {
		t.Errorf("%+v", got)
	}
	w := dl.Zeros(4, 5).RequiresGrad()
	if g := Value(w); !g.RequiresGrad || g.NaN != 0 || g.Bytes != 80 {
		t.Errorf("leaf that wants grad: %+v", g)
	}
	// A result of an op on it tracks gradients too, as PyTorch's
	// requires_grad says.
	if g := Value(w.MulScalar(2)); !g.RequiresGrad {
		t.Errorf("op result: %+v", g)
	}
	// Other dtypes: their own element size (torch's), no NaN to count.
	if g := Value(x.Argmax(1)); g.DType != "int64" || g.Bytes != 16 || !slices.Equal(g.Shape, []int{2}) {
		t.Errorf("int64: %+v", g)
	}
	if g := Value(x.Gt(dl.Zeros(2, 3))); g.DType != "bool" || g.Bytes != 6 {
		t.Errorf("bool: %+v", g)
	}
}

func TestModule(t *testing.T) {
	m := nn.NewSequential(nn.NewLinear(784, 128), nn.NewLinear(128, 10))
	got := Value(m)
	want := int64(784*128 + 128 + 128*10 + 10)
	if got.Kind != "module" || got.Params != want || got.Trainable != want || got.Bytes != 4*want {
		t.Errorf("%+v, want %d parameters", got, want)
	}
}

func TestOtherValues(t *testing.T) {
	var nilTensor *dl.Tensor
	for _, c := range []struct {
		v    any
		want string
	}{
		{42, "42"}, {3.5, "3.5"}, {true, "true"}, {"hi", `"hi"`},
		{[]int{1, 2, 3}, "len 3"}, {map[string]int{"a": 1}, "len 1"}, {[]int(nil), "nil"},
		{nilTensor, "nil"}, {nil, "nil"}, {struct{ A int }{1}, ""},
		{strings.Repeat("x", 100), `"` + strings.Repeat("x", 59) + "…"},
	} {
		if got := Value(c.v); got.Info != c.want || got.Kind != "" {
			t.Errorf("%T %v: %+v, want info %q", c.v, c.v, got, c.want)
		}
	}
}
