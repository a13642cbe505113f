package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkSgemm times C = A*B for square n×n matrices with this package
// ("godl") and with gonum's pure-Go SGEMM in the same run, on 1 and 2
// threads, and reports GFLOP/s (2n³ flops per product). gonum cannot be told
// a thread count, so GOMAXPROCS is set to it for the gonum runs.
// bench/gemm/compare.py runs this beside numpy (OpenBLAS) and prints ratios.
func BenchmarkSgemm(b *testing.B) {
	for _, n := range []int{64, 128, 256, 512, 1024, 2048} {
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		x, y, z := randFloats(rng, n*n), randFloats(rng, n*n), make([]float32, n*n)
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("impl=godl/n=%d/threads=%d", n, th), func(b *testing.B) {
				defer withThreads(th, minParallelWork)()
				for b.Loop() {
					Sgemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
				}
				reportGFLOPS(b, n)
			})
			b.Run(fmt.Sprintf("impl=gonum/n=%d/threads=%d", n, th), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(th))
				var impl gonum.Implementation
				for b.Loop() {
					impl.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, x, n, y, n, 0, z, n)
				}
				reportGFLOPS(b, n)
			})
		}
	}
}

func reportGFLOPS(b *testing.B, n int) {
	b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func randFloats(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// BenchmarkSgemmKernels times each micro-kernel this machine can run inside
// the whole single-threaded Sgemm, for n = 512.
func BenchmarkSgemmKernels(b *testing.B) {
	const n = 512
	rng := rand.New(rand.NewPCG(1, n))
	x, y, z := randFloats(rng, n*n), randFloats(rng, n*n), make([]float32, n*n)
	for _, impl := range impls() {
		b.Run(fmt.Sprintf("kernel=%s/n=%d", impl, n), func(b *testing.B) {
			defer force(impl)()
			defer withThreads(1, minParallelWork)()
			for b.Loop() {
				Sgemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
			}
			reportGFLOPS(b, n)
		})
	}
}
