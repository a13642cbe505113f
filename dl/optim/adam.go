package optim

import (
	"math"

	"github.com/godl-dev/godl/dl"
)

// Adam is torch.optim.Adam: running averages of the gradient and its square
// with bias correction; WeightDecay adds an L2 term to the gradient.
// AdamW is the same with decoupled weight decay (see NewAdamW).
type Adam struct {
	base
	Beta1, Beta2, Eps, WeightDecay float64
	AMSGrad                        bool
	decoupled                      bool
	steps                          []int
	m, v, vmax                     [][]float32
}

var _ Optimizer = (*Adam)(nil)

var adamOptions = []string{"LR", "Betas", "Eps", "WeightDecay", "AMSGrad"}

// NewAdam returns an Adam optimizer. Options: LR (default 0.001), Betas
// (0.9, 0.999), Eps (1e-8), WeightDecay (0, L2), AMSGrad.
func NewAdam(params []*dl.Tensor, opts ...Option) *Adam {
	h := apply("Adam", hyper{lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8}, adamOptions, opts)
	return newAdam("Adam", params, h, false)
}

// NewAdamW returns an AdamW optimizer: weights shrink by lr*WeightDecay each
// step, apart from the gradient. Options as Adam; WeightDecay defaults to 0.01.
func NewAdamW(params []*dl.Tensor, opts ...Option) *Adam {
	h := apply("AdamW", hyper{lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2}, adamOptions, opts)
	return newAdam("AdamW", params, h, true)
}

func newAdam(op string, params []*dl.Tensor, h hyper, decoupled bool) *Adam {
	if h.beta1 < 0 || h.beta1 >= 1 || h.beta2 < 0 || h.beta2 >= 1 {
		dl.Panicf(op, "invalid betas (%v, %v): each must be in [0, 1)", h.beta1, h.beta2)
	}
	a := &Adam{base: newBase(op, params), Beta1: h.beta1, Beta2: h.beta2, Eps: h.eps,
		WeightDecay: h.weightDecay, AMSGrad: h.amsgrad, decoupled: decoupled}
	a.lr = h.lr
	n := len(a.params)
	a.steps, a.m, a.v, a.vmax = make([]int, n), make([][]float32, n), make([][]float32, n), make([][]float32, n)
	return a
}

// Step applies one update. The scalar factors are computed in float64 and
// rounded once, as PyTorch does with Python floats.
func (a *Adam) Step() {
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	c1, c2 := float32(1-a.Beta1), float32(1-a.Beta2)
	eps, wd := float32(a.Eps), float32(a.WeightDecay)
	shrink := float32(1 - a.lr*a.WeightDecay)
	a.grads("Adam", func(i int, w, g []float32) {
		a.steps[i]++
		t := float64(a.steps[i])
		stepSize := float32(a.lr / (1 - math.Pow(a.Beta1, t)))
		bc2 := float32(math.Sqrt(1 - math.Pow(a.Beta2, t)))
		m, v := state(a.m, i, len(w)), state(a.v, i, len(w))
		var vmax []float32
		if a.AMSGrad {
			vmax = state(a.vmax, i, len(w))
		}
		for j, gj := range g {
			if a.decoupled {
				w[j] *= shrink
			} else if wd != 0 {
				gj += wd * w[j]
			}
			m[j] = m[j]*b1 + c1*gj
			v[j] = v[j]*b2 + c2*(gj*gj)
			vj := v[j]
			if vmax != nil {
				vmax[j] = max(vmax[j], vj)
				vj = vmax[j]
			}
			denom := float32(math.Sqrt(float64(vj)))/bc2 + eps
			w[j] -= stepSize * (m[j] / denom)
		}
	})
}
