package nn

import (
	"math"

	"github.com/godl-dev/godl/dl"
)

// Conv2d is a 2-D convolution (cross-correlation, as PyTorch's) over input
// [N C H W]. Weight is [out in/Groups kh kw], Bias [out] or nil (NoBias).
type Conv2d struct {
	Weight *dl.Tensor `nn:"weight"`
	Bias   *dl.Tensor `nn:"bias"`
	// Stride, Padding and Dilation are (height, width).
	Stride, Padding, Dilation [2]int
	// Groups splits the channels into this many independent convolutions
	// (0 means 1): group g maps input channels [g·in/G, (g+1)·in/G) to
	// output channels [g·out/G, (g+1)·out/G). Groups == in == out is a
	// depthwise convolution.
	Groups int
}

// Groups sets a convolution's channel groups (PyTorch's groups): in and
// out must both be multiples of g; the weight is [out in/g kh kw].
func Groups(g int) Option {
	return opt("Groups", func(c *config) { c.groups = g })
}

// NewConv2d returns a Conv2d with a square kernel of size kernel (or give
// KernelSize-like (kh, kw) by building the struct yourself). Options:
// Stride, Padding, Dilation, Groups, NoBias. Initialised like PyTorch:
// weight and bias uniform in ±1/√(in/groups·kh·kw).
func NewConv2d(in, out, kernel int, opts ...Option) *Conv2d {
	return NewConv2dRect(in, out, kernel, kernel, opts...)
}

// NewConv2dRect is NewConv2d with a kh×kw kernel.
func NewConv2dRect(in, out, kh, kw int, opts ...Option) *Conv2d {
	if in <= 0 || out <= 0 || kh <= 0 || kw <= 0 {
		dl.Panicf("Conv2d", "sizes must be positive, got in=%d out=%d kernel=%dx%d", in, out, kh, kw)
	}
	c := configure("Conv2d", config{stride: []int{1, 1}, padding: []int{0, 0}, dilation: []int{1, 1}, groups: 1},
		[]string{"Stride", "Padding", "Dilation", "Groups", "NoBias"}, opts)
	g := c.groups
	if g <= 0 || in%g != 0 || out%g != 0 {
		dl.Panicf("Conv2d", "groups=%d must be positive and divide in=%d and out=%d", g, in, out)
	}
	bound := float32(1 / math.Sqrt(float64(in/g*kh*kw)))
	m := &Conv2d{Weight: dl.Uniform(-bound, bound, out, in/g, kh, kw).RequiresGrad(),
		Stride:   [2]int{c.stride[0], c.stride[1]},
		Padding:  [2]int{c.padding[0], c.padding[1]},
		Dilation: [2]int{c.dilation[0], c.dilation[1]},
		Groups:   g}
	if !c.noBias {
		m.Bias = dl.Uniform(-bound, bound, out).RequiresGrad()
	}
	return m
}

// Forward convolves x [N C H W] (or one image [C H W]).
func (m *Conv2d) Forward(x *dl.Tensor) *dl.Tensor {
	return hooked(m, x, unbatched(x, func(x *dl.Tensor) *dl.Tensor {
		return Conv2dGroupedOp(x, m.Weight, m.Bias, m.Stride, m.Padding, m.Dilation, max(m.Groups, 1))
	}))
}

// unbatched runs f on a batch of one when x is a single image [C H W], as
// PyTorch's 2-D layers accept.
func unbatched(x *dl.Tensor, f func(*dl.Tensor) *dl.Tensor) *dl.Tensor {
	if x.Dim() == 3 {
		return f(x.Unsqueeze(0)).Squeeze(0)
	}
	return f(x)
}
