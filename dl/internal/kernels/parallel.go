package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// threads is the goroutine budget set by SetThreads; 0 means GOMAXPROCS.
var threads atomic.Int64

// SetThreads sets how many goroutines one Sgemm may use. n < 1 restores the
// default, runtime.GOMAXPROCS(0) at the time of the call to Sgemm.
func SetThreads(n int) {
	threads.Store(int64(max(n, 0)))
}

// Threads reports how many goroutines one Sgemm may use.
func Threads() int {
	if t := threads.Load(); t > 0 {
		return int(t)
	}
	return runtime.GOMAXPROCS(0)
}

// minParallelWork is the m*n*k below which a second goroutine costs more
// (start-up, a second packing of the shared operand) than it saves.
var minParallelWork = 96 * 96 * 96

// gemmParallel splits C into column strips (or row strips, whichever
// dimension has more tiles) and runs gemmBlocked on each in its own
// goroutine, each with its own packing buffers. Strips are whole tiles wide,
// so only the last one has a partial edge.
func gemmParallel(kn *microKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	t := Threads()
	if m*n*k < minParallelWork {
		t = 1
	}
	tilesM := (m + kn.mr - 1) / kn.mr
	tilesN := (n + kn.nr - 1) / kn.nr
	splitN := tilesN >= tilesM
	tiles, step := tilesM, kn.mr
	if splitN {
		tiles, step = tilesN, kn.nr
	}
	t = min(t, tiles)
	if t <= 1 {
		ws := getWorkspace()
		gemmBlocked(kn, ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc)
		putWorkspace(ws)
		return
	}
	strip := func(w int) {
		lo := (tiles * w / t) * step
		hi := (tiles * (w + 1) / t) * step
		ws := getWorkspace()
		defer putWorkspace(ws)
		if splitN {
			// Columns lo..hi of op(B) and C.
			hi = min(hi, n)
			bOff := lo
			if transB {
				bOff = lo * ldb
			}
			gemmBlocked(kn, ws, transA, transB, m, hi-lo, k, alpha, a, lda, b[bOff:], ldb, c[lo:], ldc)
		} else {
			// Rows lo..hi of op(A) and C.
			hi = min(hi, m)
			aOff := lo * lda
			if transA {
				aOff = lo
			}
			gemmBlocked(kn, ws, transA, transB, hi-lo, n, k, alpha, a[aOff:], lda, b, ldb, c[lo*ldc:], ldc)
		}
	}
	// t ≤ tiles, so every strip has at least one tile. The caller's
	// goroutine takes the first strip rather than sitting idle.
	var wg sync.WaitGroup
	for w := 1; w < t; w++ {
		wg.Go(func() { strip(w) })
	}
	strip(0)
	wg.Wait()
}
