package nn

import "github.com/godl-dev/godl/dl"

// Option configures a layer; each constructor says which it takes and
// refuses the rest, naming them.
type Option func(*config)

type config struct {
	stride, padding, dilation []int
	noBias, batchFirst        bool
	dropout                   float64
	eps, momentum             float64
	noAffine, noTrackStats    bool
	groups                    int  // Conv2d
	ceilMode, excludePad      bool // pooling
	set                       map[string]bool
}

func (c *config) mark(n string) {
	if c.set == nil {
		c.set = map[string]bool{}
	}
	c.set[n] = true
}

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
	return func(c *config) { c.stride = pair("Stride", s); c.mark("Stride") }
}

// Padding sets the zero padding on each side: one value, or (height, width).
func Padding(p ...int) Option {
	return func(c *config) { c.padding = pair("Padding", p); c.mark("Padding") }
}

// Dilation sets the spacing of a convolution's kernel taps.
func Dilation(d ...int) Option {
	return func(c *config) { c.dilation = pair("Dilation", d); c.mark("Dilation") }
}

// NoBias leaves out the additive bias (PyTorch's bias=False).
func NoBias() Option { return func(c *config) { c.noBias = true; c.mark("NoBias") } }

// BatchFirst makes recurrent layers take and return [batch seq feature].
func BatchFirst() Option { return func(c *config) { c.batchFirst = true; c.mark("BatchFirst") } }

// LayerDropout sets the dropout applied between stacked recurrent layers
// (PyTorch's dropout argument of nn.LSTM).
func LayerDropout(p float64) Option {
	return func(c *config) { c.dropout = p; c.mark("LayerDropout") }
}

// Eps sets the value added to the variance of normalisation layers.
func Eps(e float64) Option { return func(c *config) { c.eps = e; c.mark("Eps") } }

// Momentum sets BatchNorm's running-statistics momentum (default 0.1).
func Momentum(m float64) Option { return func(c *config) { c.momentum = m; c.mark("Momentum") } }

// NoAffine leaves out a normalisation layer's learnable scale and shift.
func NoAffine() Option { return func(c *config) { c.noAffine = true; c.mark("NoAffine") } }

// NoTrackStats makes BatchNorm use batch statistics in eval mode too.
func NoTrackStats() Option {
	return func(c *config) { c.noTrackStats = true; c.mark("NoTrackStats") }
}

func configure(op string, c config, allowed []string, opts []Option) config {
	for _, o := range opts {
		o(&c)
	}
	for n := range c.set {
		ok := false
		for _, a := range allowed {
			ok = ok || a == n
		}
		if !ok {
			dl.Panicf(op, "option %s does not apply to %s (it takes %v)", n, op, allowed)
		}
	}
	return c
}
