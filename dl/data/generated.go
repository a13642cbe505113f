package data

import (
	"math"

	"github.com/godl-dev/godl/dl"
)

// Spirals returns the classic toy classification set: classes interleaved
// spiral arms in the plane, n points per arm, with a little noise. X is
// [n*classes 2], Y is [n*classes] Int64 class indices. It draws from dl's global
// generator, so dl.Seed makes it repeatable.
func Spirals(n, classes int) *TensorDataset {
	if n <= 0 || classes <= 0 {
		dl.Panicf("Spirals", "need positive counts, got n=%d classes=%d", n, classes)
	}
	noise := dl.Randn(n * classes).RawData()
	x := dl.Zeros(n*classes, 2)
	y := dl.Zeros(n * classes).To(dl.Int64)
	xd, yd := x.RawData(), y.RawInt64s()
	for c := range classes {
		for i := range n {
			k := c*n + i
			r := float64(i) / float64(max(n-1, 1))
			theta := float64(c)*4 + r*4 + float64(noise[k])*0.2
			xd[2*k] = float32(r * math.Sin(theta))
			xd[2*k+1] = float32(r * math.Cos(theta))
			yd[k] = int64(c)
		}
	}
	return &TensorDataset{X: x, Y: y}
}

// SineWaves returns n sine waves of random frequency and phase sampled at
// length+1 points: X is [n length 1] (the first length samples, ready for a
// batch-first RNN) and Y is [n 1] (the sample that follows).
func SineWaves(n, length int) *TensorDataset {
	if n <= 0 || length <= 0 {
		dl.Panicf("SineWaves", "need positive counts, got n=%d length=%d", n, length)
	}
	u := dl.Rand(n, 2).RawData()
	x := dl.Zeros(n, length, 1)
	y := dl.Zeros(n, 1)
	xd, yd := x.RawData(), y.RawData()
	for i := range n {
		freq := 0.1 + 0.2*float64(u[2*i])
		phase := 2 * math.Pi * float64(u[2*i+1])
		for t := range length {
			xd[i*length+t] = float32(math.Sin(freq*float64(t) + phase))
		}
		yd[i] = float32(math.Sin(freq*float64(length) + phase))
	}
	return &TensorDataset{X: x, Y: y}
}
