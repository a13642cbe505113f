package nn

import (
	"math"

	"github.com/godl-dev/godl/dl"
)

// MaxPool2d takes the maximum over windows of input [N C H W].
type MaxPool2d struct {
	Kernel, Stride, Padding, Dilation [2]int
}

// AvgPool2d averages over windows of input [N C H W]; padding counts as
// zeros in the average (PyTorch's count_include_pad=True).
type AvgPool2d struct {
	Kernel, Stride, Padding [2]int
}

func poolConfig(op string, kernel int, opts []Option, allowed []string) (k, s, p, d [2]int) {
	if kernel <= 0 {
		dl.Panicf(op, "kernel size must be positive, got %d", kernel)
	}
	c := configure(op, config{stride: []int{kernel, kernel}, padding: []int{0, 0}, dilation: []int{1, 1}}, allowed, opts)
	k = [2]int{kernel, kernel}
	s, p, d = [2]int{c.stride[0], c.stride[1]}, [2]int{c.padding[0], c.padding[1]}, [2]int{c.dilation[0], c.dilation[1]}
	if 2*p[0] > k[0] || 2*p[1] > k[1] {
		dl.Panicf(op, "padding %v must be at most half the kernel %v", p, k)
	}
	return
}

// NewMaxPool2d returns a MaxPool2d with a square window; the stride
// defaults to the window size. Options: Stride, Padding, Dilation.
func NewMaxPool2d(kernel int, opts ...Option) *MaxPool2d {
	k, s, p, d := poolConfig("MaxPool2d", kernel, opts, []string{"Stride", "Padding", "Dilation"})
	return &MaxPool2d{Kernel: k, Stride: s, Padding: p, Dilation: d}
}

// NewAvgPool2d returns an AvgPool2d with a square window; the stride
// defaults to the window size. Options: Stride, Padding.
func NewAvgPool2d(kernel int, opts ...Option) *AvgPool2d {
	k, s, p, _ := poolConfig("AvgPool2d", kernel, opts, []string{"Stride", "Padding"})
	return &AvgPool2d{Kernel: k, Stride: s, Padding: p}
}

// Forward pools x [N C H W] (or [C H W]).
func (m *MaxPool2d) Forward(x *dl.Tensor) *dl.Tensor {
	return hooked(m, x, unbatched(x, m.pool))
}

func (m *MaxPool2d) pool(x *dl.Tensor) *dl.Tensor {
	const op = "MaxPool2d"
	g := newGeom(op, x.Shape(), m.Kernel[0], m.Kernel[1], m.Stride, m.Padding, m.Dilation)
	x = x.Contiguous()
	xd := x.RawData()
	y := dl.Zeros(g.n, g.c, g.oh, g.ow)
	yd := y.RawData()
	plane, oplane := g.h*g.w, g.oh*g.ow
	// The argmax of each window is found again in backward rather than
	// stored: x is kept for backward anyway and the scan is cheap.
	for p := range g.n * g.c {
		maxPlane(g, xd[p*plane:(p+1)*plane], yd[p*oplane:(p+1)*oplane], nil, nil)
	}
	y = dl.Record(op, y, []*dl.Tensor{x}, func(gy *dl.Tensor) []*dl.Tensor {
		gyd := gy.Contiguous().RawData()
		gx := dl.Zeros(g.n, g.c, g.h, g.w)
		gxd := gx.RawData()
		for p := range g.n * g.c {
			maxPlane(g, xd[p*plane:(p+1)*plane], nil, gyd[p*oplane:(p+1)*oplane], gxd[p*plane:(p+1)*plane])
		}
		return []*dl.Tensor{gx}
	})
	return y
}

// maxPlane pools one image plane: with y it writes the maxima; with gy it
// adds each output gradient to the position of its window's maximum in gx
// (the first one on ties, as PyTorch; NaN wins, as PyTorch).
func maxPlane(g convGeom, img, y, gy, gx []float32) {
	if g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1 {
		// The common 2×2 pool, branch-free: on real activations the
		// comparisons are coin flips that a branch predictor loses.
		for oy := range g.oh {
			i0 := 2 * oy * g.w
			r0 := img[i0 : i0+g.w]
			r1 := img[i0+g.w : i0+2*g.w]
			if y != nil {
				yr := y[oy*g.ow : (oy+1)*g.ow]
				for ox := range yr {
					yr[ox] = max(max(r0[2*ox], r0[2*ox+1]), max(r1[2*ox], r1[2*ox+1]))
				}
				continue
			}
			for ox := range g.ow {
				a, b, c, d := r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1]
				best := max(max(a, b), max(c, d))
				// The first position holding the maximum, as PyTorch, chosen
				// with integer arithmetic: Go compiles float comparisons to
				// branches, and these ones are unpredictable.
				bb := math.Float32bits(best)
				at := i0 + g.w + 2*ox + 1
				at += (i0 + g.w + 2*ox - at) * same(math.Float32bits(c), bb)
				at += (i0 + 2*ox + 1 - at) * same(math.Float32bits(b), bb)
				at += (i0 + 2*ox - at) * same(math.Float32bits(a), bb)
				gx[at] += gy[oy*g.ow+ox]
			}
		}
		return
	}
	for oy := range g.oh {
		for ox := range g.ow {
			best, at := float32(math.Inf(-1)), -1
		window:
			for i := range g.kh {
				iy := oy*g.sh - g.ph + i*g.dh
				if iy < 0 || iy >= g.h {
					continue
				}
				for j := range g.kw {
					ix := ox*g.sw - g.pw + j*g.dw
					if ix < 0 || ix >= g.w {
						continue
					}
					if v := img[iy*g.w+ix]; v > best || v != v || at < 0 {
						best, at = v, iy*g.w+ix
						if v != v {
							break window
						}
					}
				}
			}
			if y != nil {
				y[oy*g.ow+ox] = best
			} else {
				gx[at] += gy[oy*g.ow+ox]
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
	g := newGeom(op, x.Shape(), m.Kernel[0], m.Kernel[1], m.Stride, m.Padding, [2]int{1, 1})
	x = x.Contiguous()
	xd := x.RawData()
	y := dl.Zeros(g.n, g.c, g.oh, g.ow)
	yd := y.RawData()
	plane, oplane := g.h*g.w, g.oh*g.ow
	inv := 1 / float32(g.kh*g.kw)
	// window calls f for every in-image position of output (oy, ox).
	window := func(oy, ox int, f func(k int)) {
		for i := range g.kh {
			iy := oy*g.sh - g.ph + i
			if iy < 0 || iy >= g.h {
				continue
			}
			for j := range g.kw {
				if ix := ox*g.sw - g.pw + j; ix >= 0 && ix < g.w {
					f(iy*g.w + ix)
				}
			}
		}
	}
	for p := range g.n * g.c {
		img := xd[p*plane : (p+1)*plane]
		for oy := range g.oh {
			for ox := range g.ow {
				var s float32
				window(oy, ox, func(k int) { s += img[k] })
				yd[p*oplane+oy*g.ow+ox] = s * inv
			}
		}
	}
	y = dl.Record(op, y, []*dl.Tensor{x}, func(gy *dl.Tensor) []*dl.Tensor {
		gyd := gy.Contiguous().RawData()
		gx := dl.Zeros(g.n, g.c, g.h, g.w)
		gxd := gx.RawData()
		for p := range g.n * g.c {
			img := gxd[p*plane : (p+1)*plane]
			for oy := range g.oh {
				for ox := range g.ow {
					v := gyd[p*oplane+oy*g.ow+ox] * inv
					window(oy, ox, func(k int) { img[k] += v })
				}
			}
		}
		return []*dl.Tensor{gx}
	})
	return y
}

// same is 1 when a == b, else 0, without a branch.
func same(a, b uint32) int {
	d := a ^ b
	return int(((d | -d) >> 31) ^ 1)
}
