package kernels

// useVecAVX2 picks the AVX2 vector kernels; tests switch it off.
var useVecAVX2 = haveAVX2

// Saxpy adds alpha*x to y: y[i] += alpha*x[i] for i < len(x). It panics if
// y is shorter than x.
func Saxpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	if useVecAVX2 {
		saxpyAVX2(alpha, x, y)
		return
	}
	saxpyGo(alpha, x, y)
}

// Sdot returns the sum of x[i]*y[i] for i < len(x). It panics if y is
// shorter than x. The summation order is unspecified.
func Sdot(x, y []float32) float32 {
	y = y[:len(x)]
	if useVecAVX2 {
		return sdotAVX2(x, y)
	}
	return sdotGo(x, y)
}

func saxpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// sdotGo keeps four partial sums, which shortens the dependency chain and
// rounds more like the vector version than one running sum would.
func sdotGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xx := x[i : i+4 : i+4]
		yy := y[i : i+4 : i+4]
		s0 += xx[0] * yy[0]
		s1 += xx[1] * yy[1]
		s2 += xx[2] * yy[2]
		s3 += xx[3] * yy[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// SumF64 returns the sum of x, accumulated in float64. The order of the
// additions is fixed for a given length, so equal inputs give equal bits.
func SumF64(x []float32) float64 {
	if useVecAVX2 {
		return sumF64AVX2(x)
	}
	return sumF64Go(x)
}

// AccF64 adds x into acc: acc[i] += float64(x[i]) for i < len(x). It
// panics if acc is shorter than x.
func AccF64(acc []float64, x []float32) {
	acc = acc[:len(x)]
	if useVecAVX2 {
		accF64AVX2(acc, x)
		return
	}
	accF64Go(acc, x)
}

// sumF64Go keeps four partial sums like the vector version's lanes.
func sumF64Go(x []float32) float64 {
	var s [16]float64
	i := 0
	for ; i+16 <= len(x); i += 16 {
		for j, v := range x[i : i+16] {
			s[j] += float64(v)
		}
	}
	for ; i+4 <= len(x); i += 4 {
		for j, v := range x[i : i+4] {
			s[j] += float64(v)
		}
	}
	var lane [4]float64
	for j := range 4 {
		lane[j] = (s[j] + s[4+j]) + (s[8+j] + s[12+j])
	}
	t := (lane[0] + lane[2]) + (lane[1] + lane[3])
	for ; i < len(x); i++ {
		t += float64(x[i])
	}
	return t
}

func accF64Go(acc []float64, x []float32) {
	acc = acc[:len(x)]
	for i, v := range x {
		acc[i] += float64(v)
	}
}
