package nn

import "math"

// float32 exp, sigmoid and tanh for the recurrent cells, which call them
// hundreds of thousands of times per batch: Cephes' single-precision
// polynomials, within 2 ulp, several times faster than going through
// float64 math.Exp.

func expf(x float32) float32 {
	switch {
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -103.97208:
		return 0
	}
	z := float32(math.Floor(float64(x*1.442695040888963 + 0.5)))
	x -= z * 0.693359375
	x -= z * -2.12194440e-4
	n := int32(z)
	zz := x * x
	p := ((((((1.9875691500e-4*x+1.3981999507e-3)*x+8.3334519073e-3)*x+4.1665795894e-2)*x+1.6666665459e-1)*x+5.0000001201e-1)*zz + x + 1)
	// p·2ⁿ, built in two halves so that n near -126 does not underflow early.
	h := n / 2
	return p * math.Float32frombits(uint32(127+h)<<23) * math.Float32frombits(uint32(127+n-h)<<23)
}

func sigmoidf(x float32) float32 { return 1 / (1 + expf(-x)) }

func tanhf(x float32) float32 {
	a := x
	if a < 0 {
		a = -a
	}
	if a < 0.625 {
		z := x * x
		return ((((-5.70498872745e-3*z+2.06390887954e-2)*z-5.37397155531e-2)*z+1.33314422036e-1)*z-3.33332819422e-1)*z*x + x
	}
	if a > 9.01 {
		// tanh is 1 to float32 precision here, and exp(2a) would overflow
		// for large a.
		if x < 0 {
			return -1
		}
		return 1
	}
	t := 1 - 2/(expf(2*a)+1)
	if x < 0 {
		return -t
	}
	return t
}
