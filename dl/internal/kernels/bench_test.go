package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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

// A gemmShape is one product to time: op(A) is m×k, op(B) is k×n.
type gemmShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// benchShapes are the products BenchmarkSgemmShapes times: squares, and
// the GEMMs of the training recipes (an MLP 784-256-10 and a CNN's
// convolutions as GEMMs, at batch 64 and 256) with the transposes the
// layers use. GEMM_SHAPES replaces them: "name:tA:tB:m:n:k,..." with tA
// and tB 0 or 1 (bench/gemm/vs_torch.py passes its list so that both sides
// time the same products).
func benchShapes(b *testing.B) []gemmShape {
	env := os.Getenv("GEMM_SHAPES")
	if env == "" {
		return []gemmShape{
			{"square256", false, false, 256, 256, 256}, {"square512", false, false, 512, 512, 512},
			{"square1024", false, false, 1024, 1024, 1024}, {"square2048", false, false, 2048, 2048, 2048},
			{"mlp-fwd1-b64", false, true, 256, 64, 784}, {"mlp-dw1-b64", true, false, 256, 784, 64},
			{"mlp-fwd1-b256", false, true, 256, 256, 784}, {"mlp-dw1-b256", true, false, 256, 784, 256},
			{"conv2-fwd-img", false, false, 64, 196, 288}, {"conv2-fwd-b64", false, false, 64, 64 * 196, 288},
			{"conv2-dw-b64", false, true, 64, 288, 64 * 196}, {"conv2-dcol-b64", true, false, 288, 64 * 196, 64},
			{"fc1-fwd-b256", false, true, 256, 128, 3136}, {"fc1-dx-b256", false, false, 256, 3136, 128},
		}
	}
	var shapes []gemmShape
	for _, s := range strings.Split(env, ",") {
		f := strings.Split(s, ":")
		if len(f) != 6 {
			b.Fatalf("GEMM_SHAPES: %q is not name:tA:tB:m:n:k", s)
		}
		var v [5]int
		for i := range v {
			x, err := strconv.Atoi(f[i+1])
			if err != nil {
				b.Fatalf("GEMM_SHAPES: %q: %v", s, err)
			}
			v[i] = x
		}
		shapes = append(shapes, gemmShape{f[0], v[0] == 1, v[1] == 1, v[2], v[3], v[4]})
	}
	return shapes
}

// BenchmarkSgemmShapes times the products of benchShapes on 1 and 2
// threads and reports GFLOP/s (2mnk flops per product).
func BenchmarkSgemmShapes(b *testing.B) {
	for _, s := range benchShapes(b) {
		rng := rand.New(rand.NewPCG(1, uint64(s.m*s.n+s.k)))
		x, y, z := randFloats(rng, s.m*s.k), randFloats(rng, s.k*s.n), make([]float32, s.m*s.n)
		lda, ldb := s.k, s.n
		if s.transA {
			lda = s.m
		}
		if s.transB {
			ldb = s.k
		}
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("shape=%s/threads=%d", s.name, th), func(b *testing.B) {
				defer withThreads(th, minParallelWork)()
				cpu0 := cpuTime()
				for b.Loop() {
					Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n)
				}
				flop := 2 * float64(s.m) * float64(s.n) * float64(s.k)
				b.ReportMetric(flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				// Per second of CPU used, per thread: on a busy machine,
				// time spent descheduled does not count.
				b.ReportMetric(flop*float64(b.N)/(cpuTime()-cpu0).Seconds()/1e9*float64(th), "cpuGFLOP/s")
				// The best of short windows (about 0.2 ms, at least 5 of
				// them, for 0.1 s): on a busy machine, the speed between
				// interruptions, as bench/gemm/vs_torch.py times torch.
				reps := max(1, int(2e7/flop))
				best := time.Duration(math.MaxInt64)
				start := time.Now()
				for w := 0; w < 5 || time.Since(start) < 100*time.Millisecond; w++ {
					t0 := time.Now()
					for range reps {
						Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n)
					}
					best = min(best, time.Since(t0)/time.Duration(reps))
				}
				b.ReportMetric(flop/best.Seconds()/1e9, "bestGFLOP/s")
			})
		}
	}
}
