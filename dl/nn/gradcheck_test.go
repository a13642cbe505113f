package nn

import (
	"math"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// gradCheck compares the analytic gradients of sum(f()·R) for the given
// tensors with central finite differences. In float32 the differences are
// only good to about 1e-3, so this covers the configurations the PyTorch
// goldens do not (no bias, no affine, no initial state), not precision.
func gradCheck(t *testing.T, name string, f func() *dl.Tensor, wrt map[string]*dl.Tensor) {
	t.Helper()
	dl.Seed(11)
	var r *dl.Tensor
	loss := func() float64 {
		out := f()
		if r == nil {
			r = dl.Randn(out.Shape()...)
		}
		var s float64
		od, rd := out.Data(), r.Data()
		for i := range od {
			s += float64(od[i]) * float64(rd[i])
		}
		return s
	}
	loss()
	for _, p := range wrt {
		p.ZeroGrad()
	}
	dl.Sum(f().Mul(r)).Backward()
	const eps = 1e-2
	for pname, p := range wrt {
		g := p.Grad()
		if g == nil {
			t.Errorf("%s: no gradient for %s", name, pname)
			continue
		}
		gd, pd := g.Data(), p.RawData()
		var scale float64
		for _, v := range gd {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		for i := range pd {
			old := pd[i]
			pd[i] = old + eps
			up := loss()
			pd[i] = old - eps
			down := loss()
			pd[i] = old
			num := (up - down) / (2 * eps)
			if d := math.Abs(num - float64(gd[i])); d > 2e-2*math.Max(scale, 1e-3) {
				t.Errorf("%s: d/d%s[%d]: analytic %.5g, numeric %.5g", name, pname, i, gd[i], num)
				break
			}
		}
	}
}

func TestGradCheckVariants(t *testing.T) {
	dl.Seed(2)
	x := dl.Randn(3, 4, 5).RequiresGrad()
	bn := NewBatchNorm1d(4, NoAffine())
	gradCheck(t, "BatchNorm1d NoAffine", func() *dl.Tensor { return bn.Forward(x) }, map[string]*dl.Tensor{"x": x})

	ln := NewLayerNormOpts([]int{5}, NoAffine())
	gradCheck(t, "LayerNorm NoAffine", func() *dl.Tensor { return ln.Forward(x) }, map[string]*dl.Tensor{"x": x})

	for _, m := range []*Recurrent{NewLSTM(5, 3, 2, NoBias()), NewGRU(5, 3, 1, NoBias()), NewRNN(5, 3, 2)} {
		params := map[string]*dl.Tensor{"x": x}
		for _, np := range NamedParameters(m) {
			params[np.Name] = np.Param
		}
		gradCheck(t, m.String(), func() *dl.Tensor {
			out, st := m.ForwardState(x, nil)
			return dl.Cat(0, out.Reshape(-1), st.H.Reshape(-1))
		}, params)
	}

	img := dl.Randn(2, 3, 7, 6).RequiresGrad()
	conv := NewConv2dRect(3, 2, 2, 3, Stride(2, 1), Padding(1, 0))
	gradCheck(t, "Conv2d 2x3 kernel", func() *dl.Tensor { return conv.Forward(img) },
		map[string]*dl.Tensor{"x": img, "weight": conv.Weight, "bias": conv.Bias})
	pool := NewAvgPool2d(2, Stride(1))
	gradCheck(t, "AvgPool2d stride 1", func() *dl.Tensor { return pool.Forward(img) }, map[string]*dl.Tensor{"x": img})

	p, q := dl.Randn(4, 3).RequiresGrad(), dl.Randn(4, 3).RequiresGrad()
	gradCheck(t, "MSELoss target", func() *dl.Tensor { return MSELoss(p, q, NoReduction) },
		map[string]*dl.Tensor{"p": p, "q": q})
	gradCheck(t, "BCEWithLogitsLoss target", func() *dl.Tensor { return BCEWithLogitsLoss(p, q, Sum) },
		map[string]*dl.Tensor{"z": p, "t": q})
	gradCheck(t, "LeakyReLU", func() *dl.Tensor { return NewLeakyReLU(0.1).Forward(p) }, map[string]*dl.Tensor{"p": p})
}
