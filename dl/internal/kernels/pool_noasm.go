//go:build !amd64 || noasm

package kernels

func maxPool2x2AVX512(y, x []float32, w, rows, ow int) { maxPool2x2Go(y, x, w, rows, ow) }

func maxPool2x2BackwardAVX512(gx, x, gy []float32, w, rows, ow int) {
	maxPool2x2BackwardGo(gx, x, gy, w, rows, ow)
}
