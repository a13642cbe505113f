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

// SumSqDiffF64 returns Σ (x[i] − mu)² accumulated in float64: the second
// pass of a variance.
func SumSqDiffF64(x []float32, mu float64) float64 {
	if useVecAVX2 {
		return sumSqDiffF64AVX2(x, mu)
	}
	return sumSqDiffF64Go(x, mu)
}

// DotF64 returns Σ x[i]·y[i] accumulated in float64. It panics if y is
// shorter than x.
func DotF64(x, y []float32) float64 {
	y = y[:len(x)]
	if useVecAVX2 {
		return dotF64AVX2(x, y)
	}
	return dotF64Go(x, y)
}

// The twins keep 16 partial sums like the vector versions' lanes, and add
// them up in the same order.

func sumSqDiffF64Go(x []float32, mu float64) float64 {
	return laneSum(len(x), func(i int) float64 {
		d := float64(x[i]) - mu
		return d * d
	})
}

func dotF64Go(x, y []float32) float64 {
	y = y[:len(x)]
	return laneSum(len(x), func(i int) float64 { return float64(x[i]) * float64(y[i]) })
}

// laneSum adds f(0) … f(n-1) in the order of the vector reductions: 16
// partial sums over blocks of 16, then blocks of 4 into the first four,
// the lanes folded pairwise, then the tail one by one.
func laneSum(n int, f func(i int) float64) float64 {
	var s [16]float64
	i := 0
	for ; i+16 <= n; i += 16 {
		for j := range 16 {
			s[j] += f(i + j)
		}
	}
	for ; i+4 <= n; i += 4 {
		for j := range 4 {
			s[j] += f(i + j)
		}
	}
	var lane [4]float64
	for j := range 4 {
		lane[j] = (s[j] + s[4+j]) + (s[8+j] + s[12+j])
	}
	t := (lane[0] + lane[2]) + (lane[1] + lane[3])
	for ; i < n; i++ {
		t += f(i)
	}
	return t
}
