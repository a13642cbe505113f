//go:build !amd64 || noasm

package kernels

func maxPool2x2AVX512(y, x []float32, w, rows, ow int) { maxPool2x2Go(y, x, w, rows, ow) }

func maxPool2x2ArgmaxAVX512(y []float32, idx []uint8, x []float32, w, rows, ow int) {
	maxPool2x2ArgmaxGo(y, idx, x, w, rows, ow)
}

func maxPool2x2ScatterAVX512(gx, gy []float32, idx []uint8, w, rows, ow int) {
	maxPool2x2ScatterGo(gx, gy, idx, w, rows, ow)
}

func avgPool2x2AVX512(y, x []float32, w, rows, ow int) { avgPool2x2Go(y, x, w, rows, ow) }

func avgPool2x2BackwardAVX512(gx, gy []float32, w, rows, ow int) {
	avgPool2x2BackwardGo(gx, gy, w, rows, ow)
}

func maxPool2x2AVX2(y, x []float32, w, rows, ow int) { maxPool2x2Go(y, x, w, rows, ow) }

func maxPool2x2ArgmaxAVX2(y []float32, idx []uint8, x []float32, w, rows, ow int) {
	maxPool2x2ArgmaxGo(y, idx, x, w, rows, ow)
}

func maxPool2x2ScatterAVX2(gx, gy []float32, idx []uint8, w, rows, ow int) {
	maxPool2x2ScatterGo(gx, gy, idx, w, rows, ow)
}

func avgPool2x2AVX2(y, x []float32, w, rows, ow int) { avgPool2x2Go(y, x, w, rows, ow) }

func avgPool2x2BackwardAVX2(gx, gy []float32, w, rows, ow int) {
	avgPool2x2BackwardGo(gx, gy, w, rows, ow)
}
