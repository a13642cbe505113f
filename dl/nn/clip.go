package nn

import (
	"math"

	"github.com/godl-dev/godl/dl"
)

// ClipGradNorm scales the gradients of params in place so that their
// joint L2 norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_, and
// returns the norm before clipping. Parameters without a gradient are
// skipped. Use it between Backward and the optimizer's Step, e.g. for an
// LSTM.
func ClipGradNorm(params []*dl.Tensor, maxNorm float64) float64 {
	var ss float64
	var grads [][]float32
	for _, p := range params {
		g := p.Grad()
		if g == nil {
			continue
		}
		if !g.IsContiguous() {
			g = g.Contiguous()
			p.SetGrad(g)
		}
		d := g.RawData()
		grads = append(grads, d)
		for _, v := range d {
			ss += float64(v) * float64(v)
		}
	}
	norm := math.Sqrt(ss)
	// PyTorch adds 1e-6 to the norm in the denominator.
	if c := maxNorm / (norm + 1e-6); c < 1 {
		f := float32(c)
		for _, d := range grads {
			for i := range d {
				d[i] *= f
			}
		}
	}
	return norm
}

// ClipGradValue clamps every gradient element of params to [-v, v].
func ClipGradValue(params []*dl.Tensor, v float32) {
	for _, p := range params {
		g := p.Grad()
		if g == nil {
			continue
		}
		if !g.IsContiguous() {
			g = g.Contiguous()
			p.SetGrad(g)
		}
		d := g.RawData()
		for i := range d {
			d[i] = min(max(d[i], -v), v)
		}
	}
}
