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

// maxPool2x2BackwardAVX512 is maxPool2x2BackwardGo: for each window, gy
// goes to the first of its four positions (row-major) that equals the
// window's maximum or is NaN, and 0 to the other three. Same bounds as
// maxPool2x2AVX512, for gx as for x.
//
//go:noescape
func maxPool2x2BackwardAVX512(gx, x, gy []float32, w, rows, ow int)
