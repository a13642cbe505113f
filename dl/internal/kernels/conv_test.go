package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// convImpls are the ways the row copies and pooling kernels can run; each
// is forced in turn.
var convImpls = []struct {
	name         string
	avx512, avx2 bool
	skip         bool
}{{"go", false, false, false}, {"avx2", false, true, !haveAVX2}, {"avx512", true, false, !haveAVX512}}

// im2colRef is Im2col's definition, one element at a time.
func im2colRef(x []float32, g *ConvGeom, oy0, oy1 int) []float32 {
	n := (oy1 - oy0) * g.OW
	col := make([]float32, g.ColRows()*n)
	r := 0
	for c := range g.C {
		for i := range g.KH {
			for j := range g.KW {
				for oy := oy0; oy < oy1; oy++ {
					for ox := range g.OW {
						iy, ix := oy*g.SH-g.PH+i*g.DH, ox*g.SW-g.PW+j*g.DW
						if iy >= 0 && iy < g.H && ix >= 0 && ix < g.W {
							col[r*n+(oy-oy0)*g.OW+ox] = x[(c*g.H+iy)*g.W+ix]
						}
					}
				}
				r++
			}
		}
	}
	return col
}

// col2imRef scatters col back, one element at a time, in float64.
func col2imRef(x []float64, col []float32, g *ConvGeom, oy0, oy1 int) {
	n := (oy1 - oy0) * g.OW
	r := 0
	for c := range g.C {
		for i := range g.KH {
			for j := range g.KW {
				for oy := oy0; oy < oy1; oy++ {
					for ox := range g.OW {
						iy, ix := oy*g.SH-g.PH+i*g.DH, ox*g.SW-g.PW+j*g.DW
						if iy >= 0 && iy < g.H && ix >= 0 && ix < g.W {
							x[(c*g.H+iy)*g.W+ix] += float64(col[r*n+(oy-oy0)*g.OW+ox])
						}
					}
				}
				r++
			}
		}
	}
}

func geom(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw int) *ConvGeom {
	g := &ConvGeom{C: c, H: h, W: w, KH: kh, KW: kw, SH: sh, SW: sw, PH: ph, PW: pw, DH: dh, DW: dw}
	g.OH = (h+2*ph-dh*(kh-1)-1)/sh + 1
	g.OW = (w+2*pw-dw*(kw-1)-1)/sw + 1
	return g
}

// convGeoms cover the recipe's layers, wide rows (several 16-lane chunks),
// padding wider than a chunk, strides, dilation, 1×1, kernels larger
// than the image, and rows of 1, 7, 8, 9 and 12 outputs around the AVX2
// kernels' 8 lanes.
var convGeoms = []*ConvGeom{
	geom(1, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1),
	geom(3, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1),
	geom(2, 9, 8, 3, 3, 2, 2, 2, 2, 2, 2),
	geom(2, 7, 40, 3, 5, 1, 1, 0, 2, 1, 1),
	geom(1, 5, 37, 3, 3, 1, 1, 20, 19, 1, 1),
	geom(2, 6, 33, 1, 1, 1, 1, 0, 0, 1, 1),
	geom(3, 5, 5, 1, 1, 2, 2, 0, 0, 1, 1),
	geom(1, 4, 4, 5, 5, 1, 1, 3, 3, 1, 1),
	geom(2, 11, 19, 3, 4, 3, 1, 1, 0, 2, 3),
	geom(1, 3, 70, 2, 7, 1, 1, 1, 17, 1, 2),
	geom(2, 3, 1, 1, 1, 1, 1, 0, 0, 1, 1),
	geom(1, 4, 7, 3, 3, 1, 1, 1, 1, 1, 1),
	geom(1, 3, 8, 3, 3, 1, 1, 1, 1, 1, 1),
	geom(2, 5, 9, 3, 3, 1, 1, 1, 1, 1, 1),
	geom(1, 4, 4, 3, 3, 1, 1, 3, 4, 1, 1),
	geom(1, 3, 12, 1, 3, 1, 1, 0, 5, 1, 1),
	geom(1, 4, 10, 2, 4, 1, 1, 1, 2, 1, 3),
}

func TestIm2colCol2im(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	defer func(a, a2 bool) { useConvAVX512, useConvAVX2 = a, a2 }(useConvAVX512, useConvAVX2)
	for _, impl := range convImpls {
		if impl.skip {
			t.Logf("%s: not on this CPU", impl.name)
			continue
		}
		useConvAVX512, useConvAVX2 = impl.avx512, impl.avx2
		for _, g := range convGeoms {
			x := make([]float32, g.C*g.H*g.W)
			for i := range x {
				x[i] = rng.Float32()*2 - 1
			}
			for _, band := range [][2]int{{0, g.OH}, {0, 1}, {g.OH / 2, g.OH}, {g.OH - 1, g.OH}} {
				oy0, oy1 := band[0], band[1]
				name := fmt.Sprintf("%s %+v rows %d-%d", impl.name, *g, oy0, oy1)
				want := im2colRef(x, g, oy0, oy1)
				// NaN fill: any element Im2col fails to write stays NaN;
				// guards catch stores past the end.
				col := newGuarded(nil, 1, len(want), len(want), float32(math.NaN()))
				Im2col(col.data, x, g, oy0, oy1)
				col.checkGuards(t, name)
				for i, v := range col.data {
					if math.Float32bits(v) != math.Float32bits(want[i]) {
						t.Fatalf("%s: Im2col element %d = %v, want %v", name, i, v, want[i])
					}
				}
				// Col2im adds onto whatever x holds.
				src := make([]float32, len(want))
				for i := range src {
					src[i] = rng.Float32()*2 - 1
				}
				base := make([]float32, len(x))
				ref := make([]float64, len(x))
				for i := range base {
					base[i] = rng.Float32()
					ref[i] = float64(base[i])
				}
				img := newGuarded(nil, 1, len(x), len(x), 0)
				copy(img.data, base)
				// Signalling NaN guards: an add of anything, even a
				// read-modify-write of +0, quiets them.
				const snan = 0x7f80dead
				for i := range img.buf {
					if i < guardLen || i >= guardLen+len(img.data) {
						img.buf[i] = math.Float32frombits(snan)
					}
				}
				Col2im(img.data, src, g, oy0, oy1)
				for i, v := range img.buf {
					if (i < guardLen || i >= guardLen+len(img.data)) && math.Float32bits(v) != snan {
						t.Fatalf("%s: Col2im touched guard %d: %#x", name, i-guardLen, math.Float32bits(v))
					}
				}
				col2imRef(ref, src, g, oy0, oy1)
				for i, v := range img.data {
					// Each pixel sums at most KH·KW terms of |v| ≤ 1.
					if math.Abs(float64(v)-ref[i]) > 1e-5 {
						t.Fatalf("%s: Col2im pixel %d = %v, want %v", name, i, v, ref[i])
					}
				}
				// The AVX2 kernel sums in the AVX-512 kernel's order: the
				// same bits.
				if impl.avx2 && haveAVX512 {
					useConvAVX512 = true
					img512 := append([]float32(nil), base...)
					Col2im(img512, src, g, oy0, oy1)
					useConvAVX512 = false
					for i, v := range img.data {
						if math.Float32bits(v) != math.Float32bits(img512[i]) {
							t.Fatalf("%s: Col2im pixel %d = %v, AVX-512 %v", name, i, v, img512[i])
						}
					}
				}
			}
		}
	}
}

func BenchmarkIm2col(b *testing.B) {
	defer func(a, a2 bool) { useConvAVX512, useConvAVX2 = a, a2 }(useConvAVX512, useConvAVX2)
	for _, impl := range convImpls {
		if impl.skip {
			continue
		}
		for _, g := range convGeoms[:2] {
			x := make([]float32, g.C*g.H*g.W)
			col := make([]float32, g.ColRows()*g.OH*g.OW)
			b.Run(fmt.Sprintf("%s/c%dh%d/im2col", impl.name, g.C, g.H), func(b *testing.B) {
				useConvAVX512, useConvAVX2 = impl.avx512, impl.avx2
				for b.Loop() {
					Im2col(col, x, g, 0, g.OH)
				}
			})
			b.Run(fmt.Sprintf("%s/c%dh%d/col2im", impl.name, g.C, g.H), func(b *testing.B) {
				useConvAVX512, useConvAVX2 = impl.avx512, impl.avx2
				for b.Loop() {
					Col2im(x, col, g, 0, g.OH)
				}
			})
		}
	}
}
