package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// maxPoolRef pools one window as PyTorch's CPU kernel scans it: row-major,
// a value wins when greater than the best so far or NaN; it returns the
// maximum and the index (0-3) of the position that holds it.
func maxPoolRef(v [4]float32) (float32, int) {
	best, at := v[0], 0
	for i := 1; i < 4 && best == best; i++ {
		if v[i] > best || v[i] != v[i] {
			best, at = v[i], i
		}
	}
	return best, at
}

// poolOut is what the max-pooling kernels write for one input.
type poolOut struct {
	y, y2, gx *guarded
	idx       []uint8
}

// maxPoolRun runs MaxPool2x2, MaxPool2x2Argmax and MaxPool2x2Scatter on
// guarded outputs and checks that nothing is written outside them.
func maxPoolRun(t *testing.T, name string, x, gy []float32, w, rows, ow int) poolOut {
	nan := float32(math.NaN())
	y := newGuarded(nil, 1, rows*ow, rows*ow, nan)
	MaxPool2x2(y.data, x, w, rows, ow)
	y.checkGuards(t, name)
	y2 := newGuarded(nil, 1, rows*ow, rows*ow, nan)
	idxBuf := make([]uint8, rows*ow+64)
	for i := range idxBuf {
		idxBuf[i] = 0xee
	}
	idx := idxBuf[32 : 32+rows*ow]
	MaxPool2x2Argmax(y2.data, idx, x, w, rows, ow)
	y2.checkGuards(t, name+" argmax")
	for i, b := range idxBuf {
		if (i < 32 || i >= 32+rows*ow) && b != 0xee {
			t.Fatalf("%s: stray index store at %d", name, i-32)
		}
	}
	gx := newGuarded(nil, 2*rows, 2*ow, w, nan)
	MaxPool2x2Scatter(gx.data, gy, idx, w, rows, ow)
	gx.checkGuards(t, name+" scatter")
	return poolOut{y, y2, gx, idx}
}

// firstBitDiff reports the first element where a and b differ in their
// bits.
func firstBitDiff(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, true
		}
	}
	return 0, false
}

func TestMaxPool2x2(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	nan := float32(math.NaN())
	// Few distinct values, so windows tie often; ±0 and NaN included.
	vals := []float32{-1, 0, float32(math.Copysign(0, -1)), 0.5, 2, nan}
	defer func(a, a2 bool) { usePoolAVX512, usePoolAVX2 = a, a2 }(usePoolAVX512, usePoolAVX2)
	for _, impl := range convImpls {
		if impl.skip {
			continue
		}
		// Widths around the 8 windows of an AVX2 step and the 16 of an
		// AVX-512 one.
		for _, ow := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 23, 31, 32, 33, 50} {
			for _, extra := range []int{0, 1, 3} {
				// Rows: one, a few, and enough for rows of 1 to 7
				// outputs to fill 8.
				w, rows := 2*ow+extra, []int{3, 1, 10}[(ow+extra)%3]
				name := fmt.Sprintf("%s ow=%d w=%d rows=%d", impl.name, ow, w, rows)
				x := make([]float32, 2*rows*w)
				for i := range x {
					if rng.IntN(3) == 0 {
						x[i] = vals[rng.IntN(len(vals))]
					} else {
						x[i] = rng.Float32()*4 - 2
					}
				}
				gy := make([]float32, rows*ow)
				for i := range gy {
					gy[i] = rng.Float32() + 1
				}
				usePoolAVX512, usePoolAVX2 = impl.avx512, impl.avx2
				out := maxPoolRun(t, name, x, gy, w, rows, ow)
				y, y2, idx, gx := out.y, out.y2, out.idx, out.gx
				for r := range rows {
					for c := range ow {
						at := []int{2*r*w + 2*c, 2*r*w + 2*c + 1, (2*r+1)*w + 2*c, (2*r+1)*w + 2*c + 1}
						win := [4]float32{x[at[0]], x[at[1]], x[at[2]], x[at[3]]}
						want, k := maxPoolRef(win)
						for _, got := range []float32{y.data[r*ow+c], y2.data[r*ow+c]} {
							if got != want && !(got != got && want != want) {
								t.Fatalf("%s: window %d,%d %v: max %v, want %v", name, r, c, win, got, want)
							}
						}
						if int(idx[r*ow+c]) != k {
							t.Fatalf("%s: window %d,%d %v: position %d, want %d", name, r, c, win, idx[r*ow+c], k)
						}
						for i, a := range at {
							g := gx.data[a]
							if (i == k && g != gy[r*ow+c]) || (i != k && math.Float32bits(g) != 0) {
								t.Fatalf("%s: window %d,%d %v: gradient at %d is %v, want it at %d", name, r, c, win, i, g, k)
							}
						}
					}
				}
				// The AVX2 kernels compute as the AVX-512 ones: the same
				// bits, down to the sign of a zero maximum and the NaN
				// passed on.
				if impl.avx2 && haveAVX512 {
					usePoolAVX512, usePoolAVX2 = true, false
					o512 := maxPoolRun(t, name+" (avx512)", x, gy, w, rows, ow)
					for _, c := range []struct {
						what string
						a, b []float32
					}{{"max", y.data, o512.y.data}, {"argmax max", y2.data, o512.y2.data}, {"scatter", gx.data, o512.gx.data}} {
						if i, differ := firstBitDiff(c.a, c.b); differ {
							t.Fatalf("%s: %s element %d = %v (%#x), AVX-512 %v (%#x)", name, c.what, i,
								c.a[i], math.Float32bits(c.a[i]), c.b[i], math.Float32bits(c.b[i]))
						}
					}
				}
			}
		}
	}
}

func TestAvgPool2x2(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	nan := float32(math.NaN())
	defer func(a, a2 bool) { usePoolAVX512, usePoolAVX2 = a, a2 }(usePoolAVX512, usePoolAVX2)
	for _, impl := range convImpls {
		if impl.skip {
			continue
		}
		usePoolAVX512, usePoolAVX2 = impl.avx512, impl.avx2
		for _, ow := range []int{1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33} {
			for _, extra := range []int{0, 1} {
				w, rows := 2*ow+extra, []int{3, 1, 10}[(ow+extra)%3]
				name := fmt.Sprintf("%s ow=%d w=%d", impl.name, ow, w)
				x := make([]float32, 2*rows*w)
				for i := range x {
					x[i] = rng.Float32()*4 - 2
				}
				gy := make([]float32, rows*ow)
				for i := range gy {
					gy[i] = rng.Float32()
				}
				y := newGuarded(nil, 1, rows*ow, rows*ow, nan)
				AvgPool2x2(y.data, x, w, rows, ow)
				y.checkGuards(t, name)
				gx := newGuarded(nil, 2*rows, 2*ow, w, nan)
				AvgPool2x2Backward(gx.data, gy, w, rows, ow)
				gx.checkGuards(t, name+" backward")
				for r := range rows {
					for c := range ow {
						a, b := 2*r*w+2*c, (2*r+1)*w+2*c
						want := ((x[a] + x[b]) + (x[a+1] + x[b+1])) * 0.25
						if got := y.data[r*ow+c]; got != want {
							t.Fatalf("%s: window %d,%d: mean %v, want %v", name, r, c, got, want)
						}
						for _, at := range []int{a, a + 1, b, b + 1} {
							if got := gx.data[at]; got != gy[r*ow+c]*0.25 {
								t.Fatalf("%s: window %d,%d: gradient %v at %d, want %v", name, r, c, got, at, gy[r*ow+c]*0.25)
							}
						}
					}
				}
			}
		}
	}
}

// BenchmarkPool2x2 times the pooling kernels over the recipe CNN's two
// pooled layers for one image: 32 planes of 28×28 (rows of 14 windows)
// and 64 of 14×14 (7 windows, narrower than an AVX2 step).
func BenchmarkPool2x2(b *testing.B) {
	defer func(a, a2 bool) { usePoolAVX512, usePoolAVX2 = a, a2 }(usePoolAVX512, usePoolAVX2)
	for _, plane := range []struct{ c, w int }{{32, 28}, {64, 14}} {
		w, rows, ow := plane.w, plane.c*plane.w/2, plane.w/2
		x := make([]float32, 2*rows*w)
		for i := range x {
			x[i] = float32(i*7919%1000) / 1000
		}
		y, gy, gx := make([]float32, rows*ow), make([]float32, rows*ow), make([]float32, len(x))
		idx := make([]uint8, rows*ow)
		for _, impl := range convImpls {
			if impl.skip {
				continue
			}
			for _, op := range []struct {
				name string
				run  func()
			}{
				{"max", func() { MaxPool2x2(y, x, w, rows, ow) }},
				{"argmax", func() { MaxPool2x2Argmax(y, idx, x, w, rows, ow) }},
				{"scatter", func() { MaxPool2x2Scatter(gx, gy, idx, w, rows, ow) }},
				{"avg", func() { AvgPool2x2(y, x, w, rows, ow) }},
				{"avgback", func() { AvgPool2x2Backward(gx, gy, w, rows, ow) }},
			} {
				b.Run(fmt.Sprintf("%s/c%dw%d/%s", impl.name, plane.c, w, op.name), func(b *testing.B) {
					usePoolAVX512, usePoolAVX2 = impl.avx512, impl.avx2
					for b.Loop() {
						op.run()
					}
				})
			}
		}
	}
}
