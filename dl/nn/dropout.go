package nn

import (
	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// Dropout zeroes each element with probability P during training and
// scales the rest by 1/(1-P), so nothing changes in eval mode, where it
// passes its input through.
type Dropout struct {
	P        float64
	Training bool
}

// NewDropout returns a Dropout in training mode.
func NewDropout(p float64) *Dropout {
	if p < 0 || p > 1 {
		dl.Panicf("Dropout", "probability must be in [0, 1], got %v", p)
	}
	return &Dropout{P: p, Training: true}
}

// SetTraining turns dropping on or off.
func (m *Dropout) SetTraining(on bool) { m.Training = on }

// IsTraining reports whether the layer is in training mode.
func (m *Dropout) IsTraining() bool { return m.Training }

// Forward applies dropout.
func (m *Dropout) Forward(x *dl.Tensor) *dl.Tensor {
	if !m.Training || m.P == 0 {
		return hooked(m, x, x)
	}
	return hooked(m, x, DropoutOp(x, m.P))
}

// DropoutOp applies inverted dropout with probability p, always.
func DropoutOp(x *dl.Tensor, p float64) *dl.Tensor {
	x = x.Contiguous()
	xd := x.RawData()
	mask := dl.Bernoulli(float32(1-p), x.Shape()...).RawData()
	scale := float32(0)
	if p < 1 {
		scale = float32(1 / (1 - p))
	}
	y := dl.Empty(x.Shape()...)
	yd := y.RawData()
	kernels.For(len(xd), grainStream, func(lo, hi int) {
		kernels.MulScalar(mask[lo:hi], mask[lo:hi], scale)
		kernels.Mul(yd[lo:hi], xd[lo:hi], mask[lo:hi])
	})
	return dl.Record("Dropout", y, []*dl.Tensor{x}, func(g *dl.Tensor) []*dl.Tensor {
		gd := g.Contiguous().RawData()
		gx := dl.Empty(x.Shape()...)
		gxd := gx.RawData()
		kernels.For(len(gd), grainStream, func(lo, hi int) { kernels.Mul(gxd[lo:hi], gd[lo:hi], mask[lo:hi]) })
		return []*dl.Tensor{gx}
	})
}
