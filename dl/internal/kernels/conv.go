package kernels

// Convolution as GEMM, one image (or a band of its output rows) at a time:
// Im2col lays the input pixels under every kernel tap out as the rows of a
// column matrix, a product with the weights gives the output, and Col2im
// adds a column matrix's gradient back onto the image. The column matrix
// of a band is small (a per-thread workspace), so nothing ever holds the
// columns of a whole batch.

// ConvGeom is the geometry of a 2-D convolution or pooling over one image
// of C planes H×W: a KH×KW window with stride (SH, SW), zero padding (PH,
// PW) before each dimension, tap spacing (DH, DW), and the output OH×OW.
type ConvGeom struct {
	C, H, W int
	KH, KW  int
	SH, SW  int
	PH, PW  int
	DH, DW  int
	OH, OW  int
}

// ColRows is the number of rows of the column matrix: one per channel and
// kernel tap.
func (g *ConvGeom) ColRows() int { return g.C * g.KH * g.KW }

// useConvAVX512 and useConvAVX2 pick the assembly row copies; tests
// switch them off.
var (
	useConvAVX512 = haveAVX512
	useConvAVX2   = haveAVX2
)

// Im2col writes the column matrix of output rows [oy0, oy1) of the image x
// (C planes of H×W) into col, [C·KH·KW, (oy1-oy0)·OW] row-major: row
// (c, i, j) holds, for each output position (oy, ox), the pixel under tap
// (i, j), x[c][oy·SH-PH+i·DH][ox·SW-PW+j·DW], or 0 in the padding. Every
// element of col[:ColRows()·(oy1-oy0)·OW] is written.
func Im2col(col, x []float32, g *ConvGeom, oy0, oy1 int) {
	n := (oy1 - oy0) * g.OW
	col = col[:g.ColRows()*n]
	r := 0
	for c := range g.C {
		img := x[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := range g.KH {
			// Output rows [lo, hi) read image rows inside the picture.
			off := i*g.DH - g.PH
			lo, hi := inside(oy0, oy1, off, g.SH, g.H)
			for j := range g.KW {
				dst := col[r*n : (r+1)*n]
				r++
				clear(dst[:(lo-oy0)*g.OW])
				clear(dst[(hi-oy0)*g.OW:])
				if lo == hi {
					continue
				}
				ix := j*g.DW - g.PW
				klo, khi := inside(0, g.OW, ix, g.SW, g.W)
				band := dst[(lo-oy0)*g.OW : (hi-oy0)*g.OW]
				if klo == khi {
					clear(band)
					continue
				}
				first := (lo*g.SH+off)*g.W + ix + klo*g.SW // pixel of (lo, klo)
				if g.SW == 1 {
					im2colRows(band, img[first:], hi-lo, g.OW, g.SH*g.W, klo, khi)
					continue
				}
				for y := range hi - lo {
					d := band[y*g.OW : (y+1)*g.OW]
					s := img[first+y*g.SH*g.W:]
					clear(d[:klo])
					for k := klo; k < khi; k++ {
						d[k] = s[(k-klo)*g.SW]
					}
					clear(d[khi:])
				}
			}
		}
	}
}

// Col2im is Im2col's adjoint: it adds every element of the column matrix
// col of output rows [oy0, oy1) onto the pixel of x it would have been
// copied from (padding positions are dropped). x is not cleared first.
func Col2im(x, col []float32, g *ConvGeom, oy0, oy1 int) {
	n := (oy1 - oy0) * g.OW
	col = col[:g.ColRows()*n]
	for c := range g.C {
		img := x[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := range g.KH {
			off := i*g.DH - g.PH
			lo, hi := inside(oy0, oy1, off, g.SH, g.H)
			if lo == hi {
				continue
			}
			// The KW rows of taps (c, i, ·), from output row lo on.
			taps := col[(c*g.KH+i)*g.KW*n+(lo-oy0)*g.OW:]
			rows := img[(lo*g.SH+off)*g.W:]
			if g.SW == 1 {
				col2imTaps(rows, taps, hi-lo, n, g.SH*g.W, g.W, g.OW, g.KW, g.DW, g.PW)
				continue
			}
			for j := range g.KW {
				ix := j*g.DW - g.PW
				klo, khi := inside(0, g.OW, ix, g.SW, g.W)
				if klo == khi {
					continue
				}
				for y := range hi - lo {
					s := taps[j*n+y*g.OW : j*n+(y+1)*g.OW]
					d := rows[y*g.SH*g.W+ix+klo*g.SW:]
					for k := klo; k < khi; k++ {
						d[(k-klo)*g.SW] += s[k]
					}
				}
			}
		}
	}
}

// inside returns the range [lo, hi) of t in [a, b) for which the position
// off + t·step lies in [0, size); lo == hi when there is none.
func inside(a, b, off, step, size int) (lo, hi int) {
	lo = a
	if off < 0 {
		lo = min(max(a, (-off+step-1)/step), b)
	}
	hi = b
	if last := size - 1 - off; last < 0 {
		hi = a
	} else {
		hi = min(b, last/step+1)
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// im2colRows copies rows rows of a band: row y of dst (n floats) is
// [0 …0 | src[y·ss : y·ss+hi-lo] | 0 … 0] with the copy at [lo, hi).
func im2colRows(dst, src []float32, rows, n, ss, lo, hi int) {
	_ = dst[rows*n-1]
	_ = src[(rows-1)*ss+hi-lo-1]
	if useConvAVX512 {
		im2colRowsAVX512(dst, src, rows, n, ss, lo, hi)
		return
	}
	if useConvAVX2 {
		im2colRowsAVX2(dst, src, rows, n, ss, lo, hi)
		return
	}
	im2colRowsGo(dst, src, rows, n, ss, lo, hi)
}

// col2imTaps adds the KW tap rows of one kernel row back onto rows image
// rows (stride 1): see col2imTapsAVX512.
func col2imTaps(img, col []float32, rows, n, ss, w, ow, kw, dw, pw int) {
	_ = img[(rows-1)*ss+w-1]
	_ = col[(kw-1)*n+rows*ow-1]
	if useConvAVX512 {
		col2imTapsAVX512(img, col, rows, n, ss, w, ow, kw, dw, pw)
		return
	}
	if useConvAVX2 {
		col2imTapsAVX2(img, col, rows, n, ss, w, ow, kw, dw, pw)
		return
	}
	col2imTapsGo(img, col, rows, n, ss, w, ow, kw, dw, pw)
}

func im2colRowsGo(dst, src []float32, rows, n, ss, lo, hi int) {
	for y := range rows {
		d := dst[y*n : (y+1)*n]
		clear(d[:lo])
		copy(d[lo:hi], src[y*ss:y*ss+hi-lo])
		clear(d[hi:])
	}
}

func col2imTapsGo(img, col []float32, rows, n, ss, w, ow, kw, dw, pw int) {
	for y := range rows {
		d := img[y*ss : y*ss+w]
		for j := range kw {
			ix := j*dw - pw // pixel of output column 0
			klo, khi := inside(0, ow, ix, 1, w)
			if klo == khi {
				continue
			}
			dd := d[ix+klo : ix+khi]
			for k, v := range col[j*n+y*ow+klo : j*n+y*ow+khi] {
				dd[k] += v
			}
		}
	}
}
