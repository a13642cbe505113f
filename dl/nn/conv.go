package nn

import (
	"math"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// Conv2d is a 2-D convolution (cross-correlation, as PyTorch's) over input
// [N C H W]. Weight is [out in kh kw], Bias [out] or nil (NoBias).
type Conv2d struct {
	Weight *dl.Tensor `nn:"weight"`
	Bias   *dl.Tensor `nn:"bias"`
	// Stride, Padding and Dilation are (height, width).
	Stride, Padding, Dilation [2]int
}

// NewConv2d returns a Conv2d with a square kernel of size kernel (or give
// KernelSize-like (kh, kw) by building the struct yourself). Options:
// Stride, Padding, Dilation, NoBias. Initialised like PyTorch: weight and
// bias uniform in ±1/√(in·kh·kw).
func NewConv2d(in, out, kernel int, opts ...Option) *Conv2d {
	return NewConv2dRect(in, out, kernel, kernel, opts...)
}

// NewConv2dRect is NewConv2d with a kh×kw kernel.
func NewConv2dRect(in, out, kh, kw int, opts ...Option) *Conv2d {
	if in <= 0 || out <= 0 || kh <= 0 || kw <= 0 {
		dl.Panicf("Conv2d", "sizes must be positive, got in=%d out=%d kernel=%dx%d", in, out, kh, kw)
	}
	c := configure("Conv2d", config{stride: []int{1, 1}, padding: []int{0, 0}, dilation: []int{1, 1}},
		[]string{"Stride", "Padding", "Dilation", "NoBias"}, opts)
	bound := float32(1 / math.Sqrt(float64(in*kh*kw)))
	m := &Conv2d{Weight: dl.Uniform(-bound, bound, out, in, kh, kw).RequiresGrad(),
		Stride:   [2]int{c.stride[0], c.stride[1]},
		Padding:  [2]int{c.padding[0], c.padding[1]},
		Dilation: [2]int{c.dilation[0], c.dilation[1]}}
	if !c.noBias {
		m.Bias = dl.Uniform(-bound, bound, out).RequiresGrad()
	}
	return m
}

// Forward convolves x [N C H W] (or one image [C H W]).
func (m *Conv2d) Forward(x *dl.Tensor) *dl.Tensor {
	return hooked(m, x, unbatched(x, func(x *dl.Tensor) *dl.Tensor {
		return Conv2dOp(x, m.Weight, m.Bias, m.Stride, m.Padding, m.Dilation)
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

// convGeom is the geometry of one convolution or pooling.
type convGeom struct {
	n, c, h, w int // input
	kh, kw     int
	sh, sw     int
	ph, pw     int
	dh, dw     int
	oh, ow     int // output
}

func newGeom(op string, xs []int, kh, kw int, stride, pad, dil [2]int) convGeom {
	if len(xs) != 4 {
		dl.Panicf(op, "input must be [N C H W], got %v", xs)
	}
	g := convGeom{n: xs[0], c: xs[1], h: xs[2], w: xs[3], kh: kh, kw: kw,
		sh: stride[0], sw: stride[1], ph: pad[0], pw: pad[1], dh: dil[0], dw: dil[1]}
	if g.sh <= 0 || g.sw <= 0 || g.dh <= 0 || g.dw <= 0 || g.ph < 0 || g.pw < 0 {
		dl.Panicf(op, "invalid stride %v, padding %v or dilation %v", stride, pad, dil)
	}
	g.oh = (g.h+2*g.ph-g.dh*(kh-1)-1)/g.sh + 1
	g.ow = (g.w+2*g.pw-g.dw*(kw-1)-1)/g.sw + 1
	if g.oh <= 0 || g.ow <= 0 {
		dl.Panicf(op, "input %v is too small for kernel %dx%d with padding %v and dilation %v", xs, kh, kw, pad, dil)
	}
	return g
}

// Conv2dOp convolves x [N C H W] with w [O C kh kw] and adds b [O] (may be
// nil). Forward is im2col and one GEMM over the whole batch; backward is
// two GEMMs (weight, columns) and col2im, all in one recorded op.
func Conv2dOp(x, w, b *dl.Tensor, stride, pad, dil [2]int) *dl.Tensor {
	const op = "Conv2d"
	ws := w.Shape()
	if len(ws) != 4 {
		dl.Panicf(op, "weight must be [out in kh kw], got %v", ws)
	}
	g := newGeom(op, x.Shape(), ws[2], ws[3], stride, pad, dil)
	if g.c != ws[1] {
		dl.Panicf(op, "input %v has %d channels but weight %v expects %d", x.Shape(), g.c, ws, ws[1])
	}
	o := ws[0]
	if b != nil && (b.Dim() != 1 || b.Size(0) != o) {
		dl.Panicf(op, "bias %v does not fit weight %v", b.Shape(), ws)
	}
	x = x.Contiguous()
	xd, wd := x.RawData(), w.Contiguous().RawData()
	ckk, hw := g.c*g.kh*g.kw, g.oh*g.ow
	cols := g.n * hw
	col := getScratch(ckk * cols)
	im2col(col, xd, g)
	// tmp [O, N*HW] = W [O, CKK] · col [CKK, N*HW]
	tmp := getScratch(o * cols)
	kernels.Sgemm(false, false, o, cols, ckk, 1, wd, ckk, col, cols, 0, tmp, cols)
	y := dl.Zeros(g.n, o, g.oh, g.ow)
	yd := y.RawData()
	var bd []float32
	if b != nil {
		bd = b.Contiguous().RawData()
	}
	for oc := range o {
		var bias float32
		if bd != nil {
			bias = bd[oc]
		}
		for n := range g.n {
			dst, src := yd[(n*o+oc)*hw:(n*o+oc+1)*hw], tmp[oc*cols+n*hw:oc*cols+(n+1)*hw]
			for i, v := range src {
				dst[i] = v + bias
			}
		}
	}
	y = dl.Record(op, y, []*dl.Tensor{x, w, b}, func(gy *dl.Tensor) []*dl.Tensor {
		gyd := gy.Contiguous().RawData()
		// gt [O, N*HW] is the output gradient in the GEMM's layout.
		gt := tmp
		for oc := range o {
			for n := range g.n {
				copy(gt[oc*cols+n*hw:oc*cols+(n+1)*hw], gyd[(n*o+oc)*hw:(n*o+oc+1)*hw])
			}
		}
		var gx, gw, gb *dl.Tensor
		if w.TracksGrad() {
			gw = dl.Zeros(ws...)
			kernels.Sgemm(false, true, o, ckk, cols, 1, gt, cols, col, cols, 0, gw.RawData(), ckk)
		}
		if b != nil && b.TracksGrad() {
			gb = dl.Zeros(o)
			gbd := gb.RawData()
			for oc := range o {
				var s float32
				for _, v := range gt[oc*cols : (oc+1)*cols] {
					s += v
				}
				gbd[oc] = s
			}
		}
		if x.TracksGrad() {
			gcol := col // the columns are not needed any more
			kernels.Sgemm(true, false, ckk, cols, o, 1, wd, ckk, gt, cols, 0, gcol, cols)
			gx = dl.Zeros(g.n, g.c, g.h, g.w)
			col2im(gx.RawData(), gcol, g)
		}
		putScratch(col, tmp)
		return []*dl.Tensor{gx, gw, gb}
	})
	if !y.TracksGrad() {
		putScratch(col, tmp)
	}
	return y
}

// im2col writes col [C*kh*kw, N*oh*ow]: row (c, i, j) holds, for every
// output position, the input pixel under kernel tap (i, j), 0 in padding.
func im2col(col, x []float32, g convGeom) {
	hw := g.oh * g.ow
	cols := g.n * hw
	r := 0
	for c := range g.c {
		for i := range g.kh {
			for j := range g.kw {
				row := col[r*cols : (r+1)*cols]
				r++
				for n := range g.n {
					img := x[(n*g.c+c)*g.h*g.w : (n*g.c+c+1)*g.h*g.w]
					out := row[n*hw : (n+1)*hw]
					for oy := range g.oh {
						iy := oy*g.sh - g.ph + i*g.dh
						dst := out[oy*g.ow : (oy+1)*g.ow]
						if iy < 0 || iy >= g.h {
							clear(dst)
							continue
						}
						src := img[iy*g.w : (iy+1)*g.w]
						ix := j*g.dw - g.pw
						if g.sw == 1 && ix >= 0 && ix+g.ow <= g.w {
							copy(dst, src[ix:ix+g.ow])
							continue
						}
						for ox := range dst {
							if ix >= 0 && ix < g.w {
								dst[ox] = src[ix]
							} else {
								dst[ox] = 0
							}
							ix += g.sw
						}
					}
				}
			}
		}
	}
}

// col2im adds the columns back onto the input positions they came from:
// the adjoint of im2col.
func col2im(x, col []float32, g convGeom) {
	hw := g.oh * g.ow
	cols := g.n * hw
	r := 0
	for c := range g.c {
		for i := range g.kh {
			for j := range g.kw {
				row := col[r*cols : (r+1)*cols]
				r++
				for n := range g.n {
					img := x[(n*g.c+c)*g.h*g.w : (n*g.c+c+1)*g.h*g.w]
					in := row[n*hw : (n+1)*hw]
					for oy := range g.oh {
						iy := oy*g.sh - g.ph + i*g.dh
						if iy < 0 || iy >= g.h {
							continue
						}
						dst := img[iy*g.w : (iy+1)*g.w]
						src := in[oy*g.ow : (oy+1)*g.ow]
						ix := j*g.dw - g.pw
						if g.sw == 1 && ix >= 0 && ix+g.ow <= g.w {
							d := dst[ix : ix+g.ow]
							for k, v := range src {
								d[k] += v
							}
							continue
						}
						for _, v := range src {
							if ix >= 0 && ix < g.w {
								dst[ix] += v
							}
							ix += g.sw
						}
					}
				}
			}
		}
	}
}
