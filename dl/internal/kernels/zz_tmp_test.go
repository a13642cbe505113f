package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestZZShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type sh struct {
		name             string
		ta, tb           bool
		m, n, k          int
		lda, ldb, ldc    int
		beta             float32
	}
	for _, s := range []sh{
		{"xw", false, true, 3200, 256, 32, 32, 32, 256, 1},
		{"xw-notrans", false, false, 3200, 256, 32, 32, 256, 256, 1},
		{"fwdstep16-ld272", false, false, 16, 256, 64, 64, 272, 256, 1},
		{"fwdstep16-ld256", false, false, 16, 256, 64, 64, 256, 256, 1},
		{"fwdstep16-transB", false, true, 16, 256, 64, 64, 64, 256, 1},
		{"fwdstep32-ld272", false, false, 32, 256, 64, 64, 272, 256, 1},
		{"fwdstep12-ld272", false, false, 12, 256, 64, 64, 272, 256, 1},
		{"fwdstep8-ld272", false, false, 8, 256, 64, 64, 272, 256, 1},
		{"bwdstep8", false, false, 8, 64, 256, 256, 64, 64, 0},
		{"bwdstep16", false, false, 16, 64, 256, 256, 64, 64, 0},
		{"bwdstep32", false, false, 32, 64, 256, 256, 64, 64, 0},
		{"gx", false, false, 3200, 32, 256, 256, 32, 32, 0},
		{"dWih", true, false, 256, 32, 3200, 256, 32, 32, 0},
		{"dWhh", true, false, 256, 64, 3200, 256, 64, 64, 0},
	} {
		a := randFloats(rng, 3200*300)
		b := randFloats(rng, 3200*300)
		c := randFloats(rng, 3200*300)
		flop := 2 * float64(s.m*s.n*s.k)
		reps := max(1, int(2e7/flop))
		best := time.Duration(math.MaxInt64)
		start := time.Now()
		for w := 0; w < 5 || time.Since(start) < 300*time.Millisecond; w++ {
			t0 := time.Now()
			for range reps {
				SgemmSerial(s.ta, s.tb, s.m, s.n, s.k, 1, a, s.lda, b, s.ldb, s.beta, c, s.ldc)
			}
			best = min(best, time.Since(t0)/time.Duration(reps))
		}
		fmt.Printf("%-20s %8.1f GFLOP/s  %v\n", s.name, flop/best.Seconds()/1e9, best)
	}
}
