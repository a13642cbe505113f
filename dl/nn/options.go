package nn

import (
	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/option"
)

// Option configures a layer; each constructor says which it takes and
// refuses the rest, naming them.
type Option = option.Option[config]

type config struct {
	stride, padding, dilation []int
	noBias, batchFirst        bool
	dropout                   float64
	eps, momentum             float64
	noAffine, noTrackStats    bool
	groups                    int  // Conv2d
	ceilMode, excludePad      bool // pooling
}

// opt makes the layer option called name.
func opt(name string, set func(*config)) Option { return option.New(name, set) }

func pair(op string, v []int) []int {
	switch len(v) {
	case 1:
		return []int{v[0], v[0]}
	case 2:
		return []int{v[0], v[1]}
	}
	dl.Panicf(op, "want 1 or 2 values, got %v", v)
	return nil
}

// Stride sets the step of a convolution or pooling window: one value for
// both dimensions, or (height, width).
func Stride(s ...int) Option {
	return opt("Stride", func(c *config) { c.stride = pair("Stride", s) })
}

// Padding sets the zero padding on each side: one value, or (height, width).
func Padding(p ...int) Option {
	return opt("Padding", func(c *config) { c.padding = pair("Padding", p) })
}

// Dilation sets the spacing of a convolution's kernel taps.
func Dilation(d ...int) Option {
	return opt("Dilation", func(c *config) { c.dilation = pair("Dilation", d) })
}

// NoBias leaves out the additive bias (PyTorch's bias=False).
func NoBias() Option { return opt("NoBias", func(c *config) { c.noBias = true }) }

// BatchFirst makes recurrent layers take and return [batch seq feature].
func BatchFirst() Option { return opt("BatchFirst", func(c *config) { c.batchFirst = true }) }

// LayerDropout sets the dropout applied between stacked recurrent layers
// (PyTorch's dropout argument of nn.LSTM).
func LayerDropout(p float64) Option {
	return opt("LayerDropout", func(c *config) { c.dropout = p })
}

// Eps sets the value added to the variance of normalisation layers.
func Eps(e float64) Option { return opt("Eps", func(c *config) { c.eps = e }) }

// Momentum sets BatchNorm's running-statistics momentum (default 0.1).
func Momentum(m float64) Option { return opt("Momentum", func(c *config) { c.momentum = m }) }

// NoAffine leaves out a normalisation layer's learnable scale and shift.
func NoAffine() Option { return opt("NoAffine", func(c *config) { c.noAffine = true }) }

// NoTrackStats makes BatchNorm use batch statistics in eval mode too.
func NoTrackStats() Option { return opt("NoTrackStats", func(c *config) { c.noTrackStats = true }) }

// configure applies opts over the defaults c for the layer op, which takes
// the options named in allowed.
func configure(op string, c config, allowed []string, opts []Option) config {
	if err := option.Apply(op, &c, allowed, opts); err != nil {
		dl.Panicf(op, "%v", err)
	}
	return c
}
