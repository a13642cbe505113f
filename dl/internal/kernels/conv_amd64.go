//go:build !noasm

package kernels

// im2colRowsAVX512 is im2colRowsGo, 16 lanes at a time with masked loads
// and stores (lanes outside [lo, hi) are never read):
//
//	for y := range rows {
//		for k := range n {
//			if k >= lo && k < hi {
//				dst[y*n+k] = src[y*ss+k-lo]
//			} else {
//				dst[y*n+k] = 0
//			}
//		}
//	}
//
// It needs 0 ≤ lo < hi ≤ n, len(dst) ≥ rows·n and len(src) ≥
// (rows-1)·ss+hi-lo, which the caller checks.
//
//go:noescape
func im2colRowsAVX512(dst, src []float32, rows, n, ss, lo, hi int)

// col2imTapsAVX512 is col2imTapsGo:
//
//	for y := range rows {
//		for j := range kw {
//			for ox := range ow {
//				if ix := ox - pw + j*dw; ix >= 0 && ix < w {
//					img[y*ss+ix] += col[j*n+y*ow+ox]
//				}
//			}
//		}
//	}
//
// (summing a pixel's taps first, then adding them to it). It needs rows ≥
// 1, kw ≥ 1, len(img) ≥ (rows-1)·ss+w and len(col) ≥ (kw-1)·n+rows·ow,
// which the caller checks.
//
//go:noescape
func col2imTapsAVX512(img, col []float32, rows, n, ss, w, ow, kw, dw, pw int)

// im2colRowsAVX2 is im2colRowsAVX512 (the same reference loop and
// bounds) 8 lanes at a time, for CPUs with AVX2 but not AVX-512.
//
//go:noescape
func im2colRowsAVX2(dst, src []float32, rows, n, ss, lo, hi int)

// col2imTapsAVX2 is col2imTapsAVX512 (the same reference loop, order of
// sums and bounds) 8 lanes at a time: its results are the AVX-512
// kernel's, bit for bit.
//
//go:noescape
func col2imTapsAVX2(img, col []float32, rows, n, ss, w, ow, kw, dw, pw int)
