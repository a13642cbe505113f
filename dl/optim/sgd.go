package optim

import "github.com/godl-dev/godl/dl/internal/kernels"

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and L2 weight decay, computed exactly as torch.optim.SGD.
type SGD struct{ base }

var _ Optimizer = (*SGD)(nil)

var sgdOptions = []string{"LR", "Momentum", "Dampening", "Nesterov", "WeightDecay"}

// NewSGD returns an SGD optimizer over params (a []*dl.Tensor, or Groups).
// Options: LR (default 0.001), Momentum, Dampening, Nesterov, WeightDecay.
func NewSGD[P Params](params P, opts ...Option) *SGD {
	h := apply("SGD", hyper{lr: 1e-3}, sgdOptions, opts)
	return &SGD{newBase("SGD", params, h, sgdOptions)}
}

// Step applies one update.
func (s *SGD) Step() {
	s.grads(func(g *ParamGroup, w, grad []float32, st *paramState) {
		k := kernels.SGDScalars{LR: float32(g.LR), WeightDecay: float32(g.WeightDecay)}
		if g.Momentum == 0 {
			kernels.SGDStep(k, w, grad, nil)
			return
		}
		// The first step copies the gradient into the buffer, undamped.
		_, started := st.bufs["momentum_buffer"]
		k.Decay, k.GradScale = 0, 1
		if started {
			k.Decay, k.GradScale = float32(g.Momentum), float32(1-g.Dampening)
		}
		if g.Nesterov {
			k.Nesterov = float32(g.Momentum)
		}
		kernels.SGDStep(k, w, grad, st.buf("momentum_buffer", len(w)))
	})
}

// String returns PyTorch's text for the optimizer.
func (s *SGD) String() string { return s.repr() }
