package kernels

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// SgemmSerial must give the same bits as Sgemm on any number of threads,
// so that a convolution's results do not depend on how it was split.
func TestSgemmSerial(t *testing.T) {
	defer SetThreads(0)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer func(w int) { minParallelWork = w }(minParallelWork)
	defer func(w int) { serialGridWork = w }(serialGridWork)
	minParallelWork = 1
	rng := rand.New(rand.NewPCG(5, 6))
	// Shapes of Sgemm's every path: tiny, few rows, blocked, a grid (one
	// thread too, below), k split into parts.
	for _, s := range [][3]int{{3, 50, 7}, {5, 3, 900}, {64, 196, 288}, {289, 64, 196}, {288, 196, 64},
		{10, 32, 784}, {300, 40, 520}, {40, 30, 2*kPart + 70}, {13, 64, 3 * kPart}} {
		m, n, k := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			a := newGuarded(rng, 1, m*k, m*k, 0)
			b := newGuarded(rng, 1, k*n, k*n, 0)
			lda, ldb := k, n
			if tr[0] {
				lda = m
			}
			if tr[1] {
				ldb = k
			}
			c0 := newGuarded(rng, m, n, n+3, 0)
			c1 := c0.clone()
			SgemmSerial(tr[0], tr[1], m, n, k, 1, a.data, lda, b.data, ldb, 0.5, c0.data, n+3)
			c0.checkGuards(t, "SgemmSerial")
			SetThreads(4)
			serialGridWork = 0
			Sgemm(tr[0], tr[1], m, n, k, 1, a.data, lda, b.data, ldb, 0.5, c1.data, n+3)
			for i := range c0.data {
				if math.Float32bits(c0.data[i]) != math.Float32bits(c1.data[i]) {
					t.Fatalf("%v %v: element %d: serial %v, parallel %v", s, tr, i, c0.data[i], c1.data[i])
				}
			}
		}
	}
}
