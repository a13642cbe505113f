// Package mathf has float32 exp, tanh and sigmoid for the hot loops of dl
// and dl/nn (activations, softmax, recurrent cells). They follow Cephes'
// expf and tanhf (range reduction plus a short polynomial) and are within
// about 2.5 ulp of package math, several times faster than converting to
// float64 and calling it.
package mathf

import "math"

const (
	expHi = 88.0  // above: overflow territory, leave it to math.Exp
	expLo = -87.0 // below: results are subnormal, likewise

	roundMagic = 12582912 // 1.5·2²³
)

// Exp returns e^x.
func Exp(x float32) float32 {
	if x > expHi || x < expLo || x != x {
		return float32(math.Exp(float64(x)))
	}
	// x = n·ln2 + r with |r| ≤ ln2/2; ln2 split in two for exact n·C1
	// Adding and taking away 1.5·2²³ rounds to the nearest integer in
	// float32 arithmetic, without a trip through float64 and Floor.
	z := (1.44269504088896341*x + roundMagic) - roundMagic
	n := int32(z)
	r := x - z*0.693359375
	r -= z * -2.12194440e-4
	r2 := r * r
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	y := p*r2 + r + 1
	return y * math.Float32frombits(uint32(n+127)<<23)
}

// Tanh returns tanh(x).
func Tanh(x float32) float32 {
	a := x
	if a < 0 {
		a = -a
	}
	if a < 0.625 {
		// odd polynomial near 0, where 1 − 2/(e^2x + 1) would cancel
		z := x * x
		return x + x*z*((((-5.70498872745e-3*z+2.06390887954e-2)*z-5.37397155531e-2)*z+1.33314422036e-1)*z-3.33332819422e-1)
	}
	if a > 9.02 { // tanh rounds to ±1 in float32
		if x > 0 {
			return 1
		}
		return -1
	}
	y := 1 - 2/(Exp(2*a)+1)
	if x < 0 {
		return -y
	}
	return y
}

// Sigmoid returns 1/(1+e^-x).
func Sigmoid(x float32) float32 {
	return 1 / (1 + Exp(-x))
}
