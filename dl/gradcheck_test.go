package dl

import (
	"math"
	"testing"
)

// gradcheck compares the gradients autograd gives for L = Σ f(inputs)·u with
// central differences (L(x+ε) − L(x−ε)) / 2ε, one input element at a time.
// L is accumulated in float64 so that only f's own float32 rounding is
// noise; ε = 1e-2 keeps that noise (~1e-5/ε) and the truncation error
// (~ε²·f”') both near 1e-4, hence the tolerance.
func gradcheck(t *testing.T, f func([]*Tensor) *Tensor, inputs []*Tensor, u *Tensor) {
	t.Helper()
	const eps = 1e-2
	const atol, rtol = 2e-3, 1e-2
	ud := u.Data()
	loss := func() float64 {
		var out *Tensor
		NoGrad(func() { out = f(inputs) })
		var s float64
		for i, v := range out.Data() {
			s += float64(v) * float64(ud[i])
		}
		return s
	}
	leaves := make([]*Tensor, len(inputs))
	for i, x := range inputs {
		leaves[i] = x.Detach().RequiresGrad()
	}
	f(leaves).Mul(u).Sum().Backward()
	for i, x := range inputs {
		if leaves[i].Grad() == nil {
			continue
		}
		ana := leaves[i].Grad().Data()
		raw := x.RawData()
		bad := 0
		for j := range raw {
			orig := raw[j]
			raw[j] = orig + eps
			lp := loss()
			raw[j] = orig - eps
			lm := loss()
			raw[j] = orig
			num := (lp - lm) / (2 * eps)
			if d := math.Abs(num - float64(ana[j])); d > atol+rtol*math.Abs(num) {
				if bad++; bad <= 3 {
					t.Errorf("input %d element %d: autograd %v, finite difference %v", i, j, ana[j], num)
				}
			}
		}
	}
}
