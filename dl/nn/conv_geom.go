package nn

import (
	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// geom2d is the geometry of one convolution or pooling: n images, each of
// the per-image kernels.ConvGeom.
type geom2d struct {
	n int
	kernels.ConvGeom
}

// newGeom checks a 2-D window op's input [N C H W] and settings and works
// out the output size, rounding up with ceil as PyTorch's ceil_mode: the
// last window may then hang over the bottom or right edge, but must start
// inside the input or its top/left padding.
func newGeom(op string, xs []int, kh, kw int, stride, pad, dil [2]int, ceil bool) geom2d {
	if len(xs) != 4 {
		dl.Panicf(op, "input must be [N C H W], got %v", xs)
	}
	if stride[0] <= 0 || stride[1] <= 0 || dil[0] <= 0 || dil[1] <= 0 || pad[0] < 0 || pad[1] < 0 {
		dl.Panicf(op, "invalid stride %v, padding %v or dilation %v", stride, pad, dil)
	}
	g := geom2d{n: xs[0], ConvGeom: kernels.ConvGeom{C: xs[1], H: xs[2], W: xs[3], KH: kh, KW: kw,
		SH: stride[0], SW: stride[1], PH: pad[0], PW: pad[1], DH: dil[0], DW: dil[1]}}
	g.OH = outSize(g.H, kh, g.SH, g.PH, g.DH, ceil)
	g.OW = outSize(g.W, kw, g.SW, g.PW, g.DW, ceil)
	if g.OH <= 0 || g.OW <= 0 {
		dl.Panicf(op, "input %v is too small for kernel %dx%d with padding %v and dilation %v", xs, kh, kw, pad, dil)
	}
	return g
}

// outSize is PyTorch's pooling_output_shape for one dimension.
func outSize(in, k, s, p, d int, ceil bool) int {
	span := in + 2*p - d*(k-1) - 1
	if span < 0 {
		return 0
	}
	if !ceil {
		return span/s + 1
	}
	out := (span+s-1)/s + 1
	if (out-1)*s >= in+p {
		out--
	}
	return out
}
