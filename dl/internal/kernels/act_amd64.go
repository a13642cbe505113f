//go:build !noasm

package kernels

// expAVX512 sets every element of x to e^x[i], within mathf's ulp bound
// of (infinities, zeros and subnormal results included):
//
//	for i, v := range x {
//		x[i] = mathf.Exp(v)
//	}
//
//go:noescape
func expAVX512(x []float32)
