package optim

import (
	"math"

	"github.com/godl-dev/godl/dl/internal/kernels"
)

// Adam is torch.optim.Adam: running averages of the gradient and its square
// with bias correction; WeightDecay adds an L2 term to the gradient.
// AdamW is the same with decoupled weight decay (see NewAdamW).
type Adam struct {
	base
	decoupled bool
}

var _ Optimizer = (*Adam)(nil)

var adamOptions = []string{"LR", "Betas", "Eps", "WeightDecay", "AMSGrad"}

// NewAdam returns an Adam optimizer over params (a []*dl.Tensor, or
// Groups). Options: LR (default 0.001), Betas (0.9, 0.999), Eps (1e-8),
// WeightDecay (0, L2), AMSGrad.
func NewAdam[P Params](params P, opts ...Option) *Adam {
	h := apply("Adam", hyper{lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8}, adamOptions, opts)
	return &Adam{base: newBase("Adam", params, h, adamOptions)}
}

// NewAdamW returns an AdamW optimizer: weights shrink by lr*WeightDecay each
// step, apart from the gradient. Options as Adam; WeightDecay defaults to 0.01.
func NewAdamW[P Params](params P, opts ...Option) *Adam {
	h := apply("AdamW", hyper{lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2}, adamOptions, opts)
	return &Adam{base: newBase("AdamW", params, h, adamOptions), decoupled: true}
}

// Step applies one update. The scalar factors are computed in float64 and
// rounded once, as PyTorch does with Python floats.
func (a *Adam) Step() {
	a.grads(func(g *ParamGroup, w, grad []float32, st *paramState) {
		st.step++
		t := float64(st.step)
		k := kernels.AdamScalars{
			Beta1: float32(g.Beta1), OneMinusBeta1: float32(1 - g.Beta1),
			Beta2: float32(g.Beta2), OneMinusBeta2: float32(1 - g.Beta2),
			Eps:             float32(g.Eps),
			BiasCorrection2: float32(math.Sqrt(1 - math.Pow(g.Beta2, t))),
			StepSize:        float32(g.LR / (1 - math.Pow(g.Beta1, t))),
			Shrink:          1,
		}
		if a.decoupled {
			k.Shrink = float32(1 - g.LR*g.WeightDecay)
		} else {
			k.WeightDecay = float32(g.WeightDecay)
		}
		var vmax []float32
		if g.AMSGrad {
			vmax = st.buf("max_exp_avg_sq", len(w))
		}
		kernels.AdamStep(k, w, grad, st.buf("exp_avg", len(w)), st.buf("exp_avg_sq", len(w)), vmax)
	})
}

// String returns PyTorch's text for the optimizer.
func (a *Adam) String() string { return a.repr() }
