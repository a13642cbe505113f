package optim

import "github.com/godl-dev/godl/dl/internal/kernels"

// RMSprop is torch.optim.RMSprop: divide the gradient by a running root mean
// square, optionally centred and with momentum.
type RMSprop struct{ base }

var _ Optimizer = (*RMSprop)(nil)

var rmspropOptions = []string{"LR", "Alpha", "Eps", "WeightDecay", "Momentum", "Centered"}

// NewRMSprop returns an RMSprop optimizer over params (a []*dl.Tensor, or
// Groups). Options: LR (default 0.01), Alpha (0.99), Eps (1e-8),
// WeightDecay, Momentum, Centered.
func NewRMSprop[P Params](params P, opts ...Option) *RMSprop {
	h := apply("RMSprop", hyper{lr: 1e-2, alpha: 0.99, eps: 1e-8}, rmspropOptions, opts)
	return &RMSprop{newBase("RMSprop", params, h, rmspropOptions)}
}

// Step applies one update.
func (r *RMSprop) Step() {
	r.grads(func(g *ParamGroup, w, grad []float32, st *paramState) {
		st.step++
		k := kernels.RMSpropScalars{LR: float32(g.LR), Alpha: float32(g.Alpha), OneMinusAlpha: float32(1 - g.Alpha),
			Eps: float32(g.Eps), WeightDecay: float32(g.WeightDecay), Momentum: float32(g.Momentum)}
		var avg, buf []float32
		if g.Centered {
			avg = st.buf("grad_avg", len(w))
		}
		if g.Momentum > 0 {
			buf = st.buf("momentum_buffer", len(w))
		}
		kernels.RMSpropStep(k, w, grad, st.buf("square_avg", len(w)), avg, buf)
	})
}

// String returns PyTorch's text for the optimizer.
func (r *RMSprop) String() string { return r.repr() }
