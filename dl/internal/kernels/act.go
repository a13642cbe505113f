package kernels

import "github.com/godl-dev/godl/dl/internal/mathf"

// useActAVX512 and useActAVX2 pick the activation kernels; tests switch
// them off.
var (
	useActAVX512 = haveAVX512
	useActAVX2   = haveAVX2
)

// Sigmoids sets x[i] = 1/(1+e^-x[i]) for every i, within mathf's error
// bound (the vector version rounds differently in the last bits).
func Sigmoids(x []float32) {
	if useActAVX512 {
		sigmoidAVX512(x)
		return
	}
	if useActAVX2 {
		sigmoidAVX2(x)
		x = x[len(x)&^7:]
	}
	sigmoidsGo(x)
}

// Tanhs sets x[i] = tanh(x[i]) for every i, within mathf's error bound.
func Tanhs(x []float32) {
	if useActAVX512 {
		tanhAVX512(x)
		return
	}
	if useActAVX2 {
		tanhAVX2(x)
		x = x[len(x)&^7:]
	}
	tanhsGo(x)
}

// Exps sets x[i] = e^x[i] for every i, within mathf's error bound
// (infinities, zeros and subnormal results as math.Exp gives them).
func Exps(x []float32) {
	if useActAVX512 {
		expAVX512(x)
		return
	}
	expsGo(x)
}

func expsGo(x []float32) {
	for i, v := range x {
		x[i] = mathf.Exp(v)
	}
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
