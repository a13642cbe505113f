package kernels

import "github.com/godl-dev/godl/dl/internal/mathf"

// useActAVX512 picks the AVX-512 activation kernels; tests switch it off.
var useActAVX512 = haveAVX512

// Sigmoids sets x[i] = 1/(1+e^-x[i]) for every i, within mathf's error
// bound (the vector version rounds differently in the last bits).
func Sigmoids(x []float32) {
	if useActAVX512 {
		sigmoidAVX512(x)
		return
	}
	sigmoidsGo(x)
}

// Tanhs sets x[i] = tanh(x[i]) for every i, within mathf's error bound.
func Tanhs(x []float32) {
	if useActAVX512 {
		tanhAVX512(x)
		return
	}
	tanhsGo(x)
}

func sigmoidsGo(x []float32) {
	for i, v := range x {
		x[i] = mathf.Sigmoid(v)
	}
}

func tanhsGo(x []float32) {
	for i, v := range x {
		x[i] = mathf.Tanh(v)
	}
}
