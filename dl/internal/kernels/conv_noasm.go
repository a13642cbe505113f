//go:build !amd64 || noasm

package kernels

func im2colRowsAVX512(dst, src []float32, rows, n, ss, lo, hi int) {
	im2colRowsGo(dst, src, rows, n, ss, lo, hi)
}

func col2imTapsAVX512(img, col []float32, rows, n, ss, w, ow, kw, dw, pw int) {
	col2imTapsGo(img, col, rows, n, ss, w, ow, kw, dw, pw)
}

func im2colRowsAVX2(dst, src []float32, rows, n, ss, lo, hi int) {
	im2colRowsGo(dst, src, rows, n, ss, lo, hi)
}

func col2imTapsAVX2(img, col []float32, rows, n, ss, w, ow, kw, dw, pw int) {
	col2imTapsGo(img, col, rows, n, ss, w, ow, kw, dw, pw)
}
