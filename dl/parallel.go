package dl

import (
	"runtime"
	"sync"
)

// parallelMin is the element count from which an elementwise loop is split
// across cores; below it a goroutine hand-off costs more than it saves.
const parallelMin = 1 << 18

// parallelFor calls f on disjoint chunks [lo, hi) covering [0, n), on up to
// GOMAXPROCS goroutines when n is large. Chunk bounds are multiples of 16
// so that vector loops inside f stay aligned with each other.
func parallelFor(n int, f func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < parallelMin || workers < 2 {
		f(0, n)
		return
	}
	workers = min(workers, n/(parallelMin/4))
	chunk := (n/workers + 15) &^ 15
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	f(0, min(chunk, n)) // the caller takes the first chunk
	wg.Wait()
}

// parallelMap applies a slice kernel to dst and src in parallel chunks.
func parallelMap(dst, src []float32, f func(dst, src []float32)) {
	parallelFor(len(src), func(lo, hi int) { f(dst[lo:hi], src[lo:hi]) })
}
