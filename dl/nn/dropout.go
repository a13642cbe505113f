package nn

import "github.com/godl-dev/godl/dl"

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
	for i := range mask {
		mask[i] *= scale
	}
	y := dl.Zeros(x.Shape()...)
	yd := y.RawData()
	for i, v := range xd {
		yd[i] = v * mask[i]
	}
	return dl.Record("Dropout", y, []*dl.Tensor{x}, func(g *dl.Tensor) []*dl.Tensor {
		gd := g.Contiguous().RawData()
		gx := dl.Zeros(x.Shape()...)
		gxd := gx.RawData()
		for i, v := range gd {
			gxd[i] = v * mask[i]
		}
		return []*dl.Tensor{gx}
	})
}
