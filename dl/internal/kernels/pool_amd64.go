//go:build !noasm

package kernels

// maxPool2x2AVX512 is maxPool2x2Go, 16 windows per step:
//
//	for r := range rows {
//		for c := range ow {
//			y[r*ow+c] = max(x[2r*w+2c], x[2r*w+2c+1], x[(2r+1)*w+2c], x[(2r+1)*w+2c+1])
//		}
//	}
//
// with NaN propagating as Go's max does. It needs rows, ow ≥ 1 and the
// bounds MaxPool2x2 checks.
//
//go:noescape
func maxPool2x2AVX512(y, x []float32, w, rows, ow int)

// maxPool2x2ArgmaxAVX512 is maxPool2x2ArgmaxGo: maxPool2x2AVX512 that
// also writes each window's position code to idx (same layout as y):
//
//	for r := range rows {
//		for c := range ow {
//			// the first of the four positions in order that equals the
//			// maximum or is NaN: 0, 1 (top row), 2, 3 (bottom row)
//			idx[r*ow+c] = code
//		}
//	}
//
// Same bounds as maxPool2x2AVX512, for idx as for y.
//
//go:noescape
func maxPool2x2ArgmaxAVX512(y []float32, idx []uint8, x []float32, w, rows, ow int)

// maxPool2x2ScatterAVX512 is maxPool2x2ScatterGo: it writes the four
// positions of every window of gx (rows of w), gy at the position idx
// names and 0 at the others:
//
//	for r := range rows {
//		for c := range ow {
//			for p := range 4 {
//				v := float32(0)
//				if p == int(idx[r*ow+c]) {
//					v = gy[r*ow+c]
//				}
//				gx[(2*r+p/2)*w+2*c+p%2] = v
//			}
//		}
//	}
//
// Same bounds as maxPool2x2AVX512, for gx as for x and gy, idx as for y.
//
//go:noescape
func maxPool2x2ScatterAVX512(gx, gy []float32, idx []uint8, w, rows, ow int)

// avgPool2x2AVX512 is avgPool2x2Go, 16 windows per step:
//
//	for r := range rows {
//		for c := range ow {
//			y[r*ow+c] = ((x[2r*w+2c] + x[(2r+1)*w+2c]) + (x[2r*w+2c+1] + x[(2r+1)*w+2c+1])) * 0.25
//		}
//	}
//
// Same bounds as maxPool2x2AVX512.
//
//go:noescape
func avgPool2x2AVX512(y, x []float32, w, rows, ow int)

// avgPool2x2BackwardAVX512 is avgPool2x2BackwardGo: every position of
// window (r, c) of gx gets gy[r*ow+c]·0.25. Same bounds as
// maxPool2x2ScatterAVX512.
//
//go:noescape
func avgPool2x2BackwardAVX512(gx, gy []float32, w, rows, ow int)

// The AVX2 kernels are their AVX-512 siblings above (the same reference
// loops and bounds) 8 windows at a time, for CPUs with AVX2 but not
// AVX-512. They compute in the same order, so their results are the
// AVX-512 kernels' bit for bit (signed zeros and NaN payloads included).

//go:noescape
func maxPool2x2AVX2(y, x []float32, w, rows, ow int)

//go:noescape
func maxPool2x2ArgmaxAVX2(y []float32, idx []uint8, x []float32, w, rows, ow int)

//go:noescape
func maxPool2x2ScatterAVX2(gx, gy []float32, idx []uint8, w, rows, ow int)

//go:noescape
func avgPool2x2AVX2(y, x []float32, w, rows, ow int)

//go:noescape
func avgPool2x2BackwardAVX2(gx, gy []float32, w, rows, ow int)
