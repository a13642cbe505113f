package nn

import (
	"math"
	"testing"

	"github.com/godl-dev/godl/dl"
)

func TestInitBounds(t *testing.T) {
	dl.Seed(5)
	w := dl.Zeros(64, 32, 3, 3)
	in := 32.0 * 9
	for name, c := range map[string]struct {
		f     func(*dl.Tensor) *dl.Tensor
		bound float64 // uniform: half-width; normal: std
		unif  bool
	}{
		"KaimingUniform": {KaimingUniform, math.Sqrt(6 / in), true},
		"XavierUniform":  {func(t *dl.Tensor) *dl.Tensor { return XavierUniform(t, 1) }, math.Sqrt(6 / (in + 64*9)), true},
		"KaimingNormal":  {KaimingNormal, math.Sqrt(2 / in), false},
	} {
		d := c.f(w).Data()
		var mx, ss float64
		for _, v := range d {
			mx = math.Max(mx, math.Abs(float64(v)))
			ss += float64(v) * float64(v)
		}
		std := math.Sqrt(ss / float64(len(d)))
		if c.unif {
			if mx > c.bound || mx < 0.99*c.bound {
				t.Errorf("%s: max |w| %.4f, bound %.4f", name, mx, c.bound)
			}
			c.bound /= math.Sqrt(3) // the std of U(-b, b)
		}
		if math.Abs(std-c.bound) > 0.03*c.bound {
			t.Errorf("%s: std %.4f, want %.4f", name, std, c.bound)
		}
	}
	// Linear's default: U(±1/√in) for weight and bias, as PyTorch.
	l := NewLinear(400, 10)
	for _, p := range []*dl.Tensor{l.Weight, l.Bias} {
		for _, v := range p.Data() {
			if math.Abs(float64(v)) > 1/20.0 {
				t.Fatalf("Linear init %v outside ±1/√400", v)
			}
		}
	}
}

func TestClipGradNorm(t *testing.T) {
	a, b := dl.Zeros(2).RequiresGrad(), dl.Zeros(1).RequiresGrad()
	a.SetGrad(dl.FromSlice([]float32{3, 0}))
	b.SetGrad(dl.FromSlice([]float32{4}))
	if n := ClipGradNorm([]*dl.Tensor{a, b, dl.Zeros(1)}, 1); math.Abs(n-5) > 1e-9 {
		t.Fatalf("norm %v, want 5", n)
	}
	ga, gb := a.Grad().Data(), b.Grad().Data()
	if math.Abs(float64(ga[0])-0.6) > 1e-6 || math.Abs(float64(gb[0])-0.8) > 1e-6 {
		t.Fatalf("clipped %v %v, want [0.6 0] [0.8]", ga, gb)
	}
	ClipGradValue([]*dl.Tensor{a, b}, 0.7)
	if gb := b.Grad().Data(); gb[0] != 0.7 {
		t.Fatalf("value clip %v", gb)
	}
}
