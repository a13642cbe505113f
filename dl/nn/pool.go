package nn

import (
	"math"
	"unsafe"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// MaxPool2d takes the maximum over windows of input [N C H W].
type MaxPool2d struct {
	Kernel, Stride, Padding, Dilation [2]int
	// CeilMode rounds the output size up (PyTorch's ceil_mode): a last
	// window that hangs over the bottom or right edge is kept when it
	// starts inside the input or the top/left padding.
	CeilMode bool
}

// AvgPool2d averages over windows of input [N C H W]. Padding counts as
// zeros in the average (PyTorch's count_include_pad=True) unless ExcludePad
// is set; the part of a CeilMode window past the padding never counts.
type AvgPool2d struct {
	Kernel, Stride, Padding [2]int
	CeilMode                bool
	ExcludePad              bool
}

// CeilMode makes a pooling layer round its output size up, as PyTorch's
// ceil_mode=True.
func CeilMode() Option { return opt("CeilMode", func(c *config) { c.ceilMode = true }) }

// CountIncludePad sets whether AvgPool2d divides by the whole window,
// padding included (true, PyTorch's default), or only by the input
// positions it covers (false).
func CountIncludePad(include bool) Option {
	return opt("CountIncludePad", func(c *config) { c.excludePad = !include })
}

func poolConfig(op string, kernel int, opts []Option, allowed []string) (k, s, p, d [2]int, c config) {
	if kernel <= 0 {
		dl.Panicf(op, "kernel size must be positive, got %d", kernel)
	}
	c = configure(op, config{stride: []int{kernel, kernel}, padding: []int{0, 0}, dilation: []int{1, 1}}, allowed, opts)
	k = [2]int{kernel, kernel}
	s, p, d = [2]int{c.stride[0], c.stride[1]}, [2]int{c.padding[0], c.padding[1]}, [2]int{c.dilation[0], c.dilation[1]}
	if 2*p[0] > k[0] || 2*p[1] > k[1] {
		dl.Panicf(op, "padding %v must be at most half the kernel %v", p, k)
	}
	return
}

// NewMaxPool2d returns a MaxPool2d with a square window; the stride
// defaults to the window size. Options: Stride, Padding, Dilation,
// CeilMode.
func NewMaxPool2d(kernel int, opts ...Option) *MaxPool2d {
	k, s, p, d, c := poolConfig("MaxPool2d", kernel, opts, []string{"Stride", "Padding", "Dilation", "CeilMode"})
	return &MaxPool2d{Kernel: k, Stride: s, Padding: p, Dilation: d, CeilMode: c.ceilMode}
}

// NewAvgPool2d returns an AvgPool2d with a square window; the stride
// defaults to the window size. Options: Stride, Padding, CeilMode,
// CountIncludePad.
func NewAvgPool2d(kernel int, opts ...Option) *AvgPool2d {
	k, s, p, _, c := poolConfig("AvgPool2d", kernel, opts, []string{"Stride", "Padding", "CeilMode", "CountIncludePad"})
	return &AvgPool2d{Kernel: k, Stride: s, Padding: p, CeilMode: c.ceilMode, ExcludePad: c.excludePad}
}

// poolGrain is the elements of output worth handing to another thread.
const poolGrain = 1 << 14

// forPlanes calls f on ranges of the planes (images × channels), on all
// threads when there is enough work.
func forPlanes(g geom2d, f func(lo, hi int)) {
	kernels.For(g.n*g.C, max(1, poolGrain/(g.OH*g.OW)), f)
}

// Forward pools x [N C H W] (or [C H W]).
func (m *MaxPool2d) Forward(x *dl.Tensor) *dl.Tensor {
	return hooked(m, x, unbatched(x, m.pool))
}

func (m *MaxPool2d) pool(x *dl.Tensor) *dl.Tensor {
	const op = "MaxPool2d"
	g := newGeom(op, x.Shape(), m.Kernel[0], m.Kernel[1], m.Stride, m.Padding, m.Dilation, m.CeilMode)
	x = x.Contiguous()
	xd := x.RawData()
	y := dl.Empty(g.n, g.C, g.OH, g.OW)
	yd := y.RawData()
	plane, oplane := g.H*g.W, g.OH*g.OW
	// A 2×2 window's maximum position is recorded, one byte per output,
	// when a backward will need it: finding it again in x would cost 16
	// bytes of memory traffic per window instead of one. Other windows do
	// find it again: their positions would need an int each.
	var idx []uint8
	var idxBuf []float32 // idx's storage, from the scratch pool (fresh pages cost more than the pooling)
	if g.twoByTwo() && dl.GradEnabled() && x.TracksGrad() {
		n := g.n * g.C * oplane
		idxBuf = getScratch((n + 3) / 4)
		idx = unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(idxBuf))), n)
	}
	pool2 := func(lo, hi int) { // rows [lo, hi) of whole planes' output
		if idx != nil {
			kernels.MaxPool2x2Argmax(yd[lo*g.OW:hi*g.OW], idx[lo*g.OW:hi*g.OW], xd[2*lo*g.W:], g.W, hi-lo, g.OW)
		} else {
			kernels.MaxPool2x2(yd[lo*g.OW:hi*g.OW], xd[2*lo*g.W:], g.W, hi-lo, g.OW)
		}
	}
	if pairs(g) {
		kernels.For(g.n*g.C*g.OH, max(1, poolGrain/g.OW), pool2)
	} else {
		forPlanes(g, func(lo, hi int) {
			for p := lo; p < hi; p++ {
				if g.twoByTwo() {
					// One plane at a time: its last row or column is in no
					// window.
					if idx != nil {
						kernels.MaxPool2x2Argmax(yd[p*oplane:(p+1)*oplane], idx[p*oplane:(p+1)*oplane], xd[p*plane:(p+1)*plane], g.W, g.OH, g.OW)
					} else {
						kernels.MaxPool2x2(yd[p*oplane:(p+1)*oplane], xd[p*plane:(p+1)*plane], g.W, g.OH, g.OW)
					}
					continue
				}
				maxPlane(g, xd[p*plane:(p+1)*plane], yd[p*oplane:(p+1)*oplane], nil, nil)
			}
		})
	}
	return dl.Record(op, y, []*dl.Tensor{x}, func(gy *dl.Tensor) []*dl.Tensor {
		gyd := gy.Contiguous().RawData()
		gx := dl.Empty(g.n, g.C, g.H, g.W)
		gxd := gx.RawData()
		if pairs(g) {
			// The windows tile the input exactly: every element is written.
			kernels.For(g.n*g.C*g.OH, max(1, poolGrain/g.OW), func(lo, hi int) {
				kernels.MaxPool2x2Scatter(gxd[2*lo*g.W:2*hi*g.W], gyd[lo*g.OW:hi*g.OW], idx[lo*g.OW:hi*g.OW], g.W, hi-lo, g.OW)
			})
			putScratch(idxBuf)
			return []*dl.Tensor{gx}
		}
		forPlanes(g, func(lo, hi int) {
			for p := lo; p < hi; p++ {
				gxp := gxd[p*plane : (p+1)*plane]
				if idx != nil {
					// Rows and columns past the last window get nothing.
					kernels.MaxPool2x2Scatter(gxp, gyd[p*oplane:(p+1)*oplane], idx[p*oplane:(p+1)*oplane], g.W, g.OH, g.OW)
					clear(gxp[2*g.OH*g.W:])
					for r := range 2 * g.OH {
						clear(gxp[r*g.W+2*g.OW : (r+1)*g.W])
					}
					continue
				}
				clear(gxp)
				maxPlane(g, xd[p*plane:(p+1)*plane], nil, gyd[p*oplane:(p+1)*oplane], gxp)
			}
		})
		if idxBuf != nil {
			putScratch(idxBuf)
		}
		return []*dl.Tensor{gx}
	})
}

// twoByTwo reports the common 2×2 window with stride 2 and no padding,
// which has vector kernels, with every window inside the input (not so
// for the last ones of CeilMode on an odd size).
func (g geom2d) twoByTwo() bool {
	return g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.PH == 0 && g.PW == 0 && g.DH == 1 && g.DW == 1 &&
		2*g.OH <= g.H && 2*g.OW <= g.W
}

// pairs reports a 2×2 pooling whose windows tile every plane exactly, so
// that the whole batch is one tall plane of row pairs.
func pairs(g geom2d) bool {
	return g.twoByTwo() && g.H == 2*g.OH && g.W == 2*g.OW
}

// maxPlane pools one image plane: with y it writes the maxima; with gy it
// adds each output gradient to the position of its window's maximum in gx
// (the first one on ties, as PyTorch; NaN wins, as PyTorch). A window with
// no input position (possible only with dilation) gives -Inf and no
// gradient.
func maxPlane(g geom2d, img, y, gy, gx []float32) {
	for oy := range g.OH {
		for ox := range g.OW {
			best, at := float32(math.Inf(-1)), -1
		window:
			for i := range g.KH {
				iy := oy*g.SH - g.PH + i*g.DH
				if iy < 0 || iy >= g.H {
					continue
				}
				for j := range g.KW {
					ix := ox*g.SW - g.PW + j*g.DW
					if ix < 0 || ix >= g.W {
						continue
					}
					if v := img[iy*g.W+ix]; v > best || v != v || at < 0 {
						best, at = v, iy*g.W+ix
						if v != v {
							break window
						}
					}
				}
			}
			if y != nil {
				y[oy*g.OW+ox] = best
			} else if at >= 0 {
				gx[at] += gy[oy*g.OW+ox]
			}
		}
	}
}

// Forward pools x [N C H W] (or [C H W]).
func (m *AvgPool2d) Forward(x *dl.Tensor) *dl.Tensor {
	return hooked(m, x, unbatched(x, m.pool))
}

func (m *AvgPool2d) pool(x *dl.Tensor) *dl.Tensor {
	const op = "AvgPool2d"
	g := newGeom(op, x.Shape(), m.Kernel[0], m.Kernel[1], m.Stride, m.Padding, [2]int{1, 1}, m.CeilMode)
	x = x.Contiguous()
	xd := x.RawData()
	y := dl.Empty(g.n, g.C, g.OH, g.OW)
	yd := y.RawData()
	plane, oplane := g.H*g.W, g.OH*g.OW
	if pairs(g) {
		kernels.For(g.n*g.C*g.OH, max(1, poolGrain/g.OW), func(lo, hi int) {
			kernels.AvgPool2x2(yd[lo*g.OW:hi*g.OW], xd[2*lo*g.W:], g.W, hi-lo, g.OW)
		})
	} else {
		win := avgWindows(g, m.ExcludePad)
		forPlanes(g, func(lo, hi int) {
			rowSum := getScratch(g.W)
			for p := lo; p < hi; p++ {
				win.forward(yd[p*oplane:(p+1)*oplane], xd[p*plane:(p+1)*plane], rowSum, g)
			}
			putScratch(rowSum)
		})
	}
	return dl.Record(op, y, []*dl.Tensor{x}, func(gy *dl.Tensor) []*dl.Tensor {
		gyd := gy.Contiguous().RawData()
		gx := dl.Empty(g.n, g.C, g.H, g.W)
		gxd := gx.RawData()
		if pairs(g) {
			kernels.For(g.n*g.C*g.OH, max(1, poolGrain/g.OW), func(lo, hi int) {
				kernels.AvgPool2x2Backward(gxd[2*lo*g.W:2*hi*g.W], gyd[lo*g.OW:hi*g.OW], g.W, hi-lo, g.OW)
			})
			return []*dl.Tensor{gx}
		}
		win := avgWindows(g, m.ExcludePad)
		forPlanes(g, func(lo, hi int) {
			spread := getScratch(g.W)
			for p := lo; p < hi; p++ {
				win.backward(gxd[p*plane:(p+1)*plane], gyd[p*oplane:(p+1)*oplane], spread, g)
			}
			putScratch(spread)
		})
		return []*dl.Tensor{gx}
	})
}

// avgWindowSet holds the windows' row and column spans, the same for every
// plane.
type avgWindowSet struct {
	rows, cols []span
	excludePad bool
}

// span is one dimension of a window: the input range it covers and its
// length for the divisor (padding counted, the part past it not).
type span struct{ lo, hi, size int }

func avgWindows(g geom2d, excludePad bool) avgWindowSet {
	spans := func(out, in, k, s, p int) []span {
		r := make([]span, out)
		for o := range r {
			start := o*s - p
			end := min(start+k, in+p)
			lo, hi := max(start, 0), min(end, in)
			r[o] = span{lo, hi, end - start}
		}
		return r
	}
	return avgWindowSet{rows: spans(g.OH, g.H, g.KH, g.SH, g.PH), cols: spans(g.OW, g.W, g.KW, g.SW, g.PW), excludePad: excludePad}
}

// forward averages one plane. Windows are summed down the rows first, a
// whole input row at a time with the vector kernel, then across.
func (s avgWindowSet) forward(out, img, rowSum []float32, g geom2d) {
	for oy, r := range s.rows {
		clear(rowSum)
		for iy := r.lo; iy < r.hi; iy++ {
			kernels.Saxpy(1, img[iy*g.W:(iy+1)*g.W], rowSum)
		}
		for ox, c := range s.cols {
			var v float32
			for _, e := range rowSum[c.lo:c.hi] {
				v += e
			}
			out[oy*g.OW+ox] = v * s.scale(oy, ox)
		}
	}
}

// backward writes one plane's gradient: for each row of windows, their
// gradients spread across a row, which is then added to every input row
// the windows cover.
func (s avgWindowSet) backward(gx, gy, spread []float32, g geom2d) {
	clear(gx)
	for oy, r := range s.rows {
		clear(spread)
		for ox, c := range s.cols {
			v := gy[oy*g.OW+ox] * s.scale(oy, ox)
			for i := c.lo; i < c.hi; i++ {
				spread[i] += v
			}
		}
		for iy := r.lo; iy < r.hi; iy++ {
			kernels.Saxpy(1, spread, gx[iy*g.W:(iy+1)*g.W])
		}
	}
}

// scale is 1/divisor of window (oy, ox).
func (s avgWindowSet) scale(oy, ox int) float32 {
	r, c := s.rows[oy], s.cols[ox]
	n := r.size * c.size
	if s.excludePad {
		n = (r.hi - r.lo) * (c.hi - c.lo)
	}
	return 1 / float32(n)
}
