package optim

import (
	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and L2 weight decay, computed exactly as torch.optim.SGD.
type SGD struct {
	base
	Momentum, Dampening, WeightDecay float64
	Nesterov                         bool
	buf                              [][]float32
}

var _ Optimizer = (*SGD)(nil)

// NewSGD returns an SGD optimizer over params. Options: LR (default 0.001),
// Momentum, Dampening, Nesterov, WeightDecay.
func NewSGD(params []*dl.Tensor, opts ...Option) *SGD {
	h := apply("SGD", hyper{lr: 1e-3}, []string{"LR", "Momentum", "Dampening", "Nesterov", "WeightDecay"}, opts)
	if h.nesterov && (h.momentum <= 0 || h.dampening != 0) {
		dl.Panicf("SGD", "Nesterov momentum requires a momentum and zero dampening")
	}
	s := &SGD{base: newBase("SGD", params), Momentum: h.momentum, Dampening: h.dampening,
		WeightDecay: h.weightDecay, Nesterov: h.nesterov}
	s.lr = h.lr
	s.buf = make([][]float32, len(s.params))
	return s
}

// Step applies one update.
func (s *SGD) Step() {
	lr, wd := float32(s.lr), float32(s.WeightDecay)
	mom, damp := float32(s.Momentum), float32(1-s.Dampening)
	s.grads("SGD", func(i int, w, g []float32) {
		if s.Momentum == 0 {
			if wd == 0 {
				kernels.Saxpy(-lr, g, w) // the common case, vectorised
				return
			}
			w = w[:len(g)]
			for j, gj := range g {
				w[j] -= lr * (gj + wd*w[j])
			}
			return
		}
		// The first step copies the gradient into the buffer, undamped.
		first := s.buf[i] == nil
		buf := state(s.buf, i, len(w))
		for j, gj := range g {
			if wd != 0 {
				gj += wd * w[j]
			}
			if first {
				buf[j] = gj
			} else {
				buf[j] = buf[j]*mom + damp*gj
			}
			d := buf[j]
			if s.Nesterov {
				d = gj + mom*buf[j]
			}
			w[j] -= lr * d
		}
	})
}
