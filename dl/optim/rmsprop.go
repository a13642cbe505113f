package optim

import (
	"math"

	"github.com/godl-dev/godl/dl"
)

// RMSprop is torch.optim.RMSprop: divide the gradient by a running root mean
// square, optionally centred and with momentum.
type RMSprop struct {
	base
	Alpha, Eps, WeightDecay, Momentum float64
	Centered                          bool
	sq, avg, buf                      [][]float32
}

var _ Optimizer = (*RMSprop)(nil)

// NewRMSprop returns an RMSprop optimizer. Options: LR (default 0.01), Alpha
// (0.99), Eps (1e-8), WeightDecay, Momentum, Centered.
func NewRMSprop(params []*dl.Tensor, opts ...Option) *RMSprop {
	h := apply("RMSprop", hyper{lr: 1e-2, alpha: 0.99, eps: 1e-8},
		[]string{"LR", "Alpha", "Eps", "WeightDecay", "Momentum", "Centered"}, opts)
	r := &RMSprop{base: newBase("RMSprop", params), Alpha: h.alpha, Eps: h.eps,
		WeightDecay: h.weightDecay, Momentum: h.momentum, Centered: h.centered}
	r.lr = h.lr
	n := len(r.params)
	r.sq, r.avg, r.buf = make([][]float32, n), make([][]float32, n), make([][]float32, n)
	return r
}

// Step applies one update.
func (r *RMSprop) Step() {
	lr, alpha, c := float32(r.lr), float32(r.Alpha), float32(1-r.Alpha)
	eps, wd, mom := float32(r.Eps), float32(r.WeightDecay), float32(r.Momentum)
	r.grads("RMSprop", func(i int, w, g []float32) {
		sq := state(r.sq, i, len(w))
		var avg, buf []float32
		if r.Centered {
			avg = state(r.avg, i, len(w))
		}
		if r.Momentum > 0 {
			buf = state(r.buf, i, len(w))
		}
		for j, gj := range g {
			if wd != 0 {
				gj += wd * w[j]
			}
			sq[j] = sq[j]*alpha + c*(gj*gj)
			s := sq[j]
			if avg != nil {
				avg[j] = avg[j]*alpha + c*gj
				s -= avg[j] * avg[j]
			}
			d := float32(math.Sqrt(float64(s))) + eps
			if buf != nil {
				buf[j] = buf[j]*mom + gj/d
				w[j] -= lr * buf[j]
			} else {
				w[j] -= lr * (gj / d)
			}
		}
	})
}
