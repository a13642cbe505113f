package dl

import (
	"math/bits"
	"sync"
)

// Tensor storage comes from a pool of reusable buffers. A fresh page costs
// far more to touch for the first time than the arithmetic done on it (see
// docs/ARCHITECTURE.md), and Go's collector returns freed memory to the OS,
// so an allocation per op would pay that cost again and again. Buffers go back to
// the pool only when dl knows they are dead: gradient temporaries at the
// end of their use in Backward, and scratch copies inside ops. Everything
// else is left to the garbage collector, so a buffer a caller still holds
// (through a tensor or a RawData slice) is never handed out twice.
//
// Sizes are rounded up to classes of four steps per power of two (at most
// 25% slack); small buffers are not pooled, allocating them is cheap.

const (
	poolMinLen   = 1024      // buffers shorter than this are plain allocations
	poolMaxBytes = 512 << 20 // the pool keeps at most this much idle memory
)

var pool struct {
	sync.Mutex
	off   bool                // tests compare results with the pool off
	free  map[int][][]float32 // by class length
	bytes int
}

// classLen is the capacity of the size class holding n elements.
func classLen(n int) int {
	if n <= poolMinLen {
		return n
	}
	// 4 classes per power of two: p, 1.25p, 1.5p, 1.75p
	p := 1 << (bits.Len(uint(n-1)) - 1)
	step := p / 4
	return (n + step - 1) / step * step
}

// getBuf returns a slice of length n whose contents are arbitrary; zero it
// if needed.
func getBuf(n int) []float32 {
	if b := fromPool(n); b != nil {
		return b
	}
	return make([]float32, n, classLen(n))
}

// getZeroBuf is getBuf with the contents cleared (fresh memory already is).
func getZeroBuf(n int) []float32 {
	if b := fromPool(n); b != nil {
		clear(b)
		return b
	}
	return make([]float32, n, classLen(n))
}

// fromPool pops an idle buffer of n's class, or returns nil.
func fromPool(n int) []float32 {
	if n <= poolMinLen {
		return nil
	}
	c := classLen(n)
	pool.Lock()
	defer pool.Unlock()
	l := pool.free[c]
	if pool.off || len(l) == 0 {
		return nil
	}
	b := l[len(l)-1]
	pool.free[c] = l[:len(l)-1]
	pool.bytes -= 4 * c
	return b[:n]
}

// putBuf gives a dead buffer back. The caller guarantees nothing refers to
// it any more.
func putBuf(b []float32) {
	c := cap(b)
	if c <= poolMinLen || classLen(c) != c {
		return
	}
	pool.Lock()
	if pool.bytes+4*c <= poolMaxBytes {
		if pool.free == nil {
			pool.free = map[int][][]float32{}
		}
		pool.free[c] = append(pool.free[c], b[:c])
		pool.bytes += 4 * c
	}
	pool.Unlock()
}

// release gives t's storage back to the pool; t and every view of it must
// be dead.
func release(t *Tensor) {
	if t != nil && cap(t.data) > 0 {
		putBuf(t.data[:cap(t.data)])
	}
}

// PoolStats reports the idle buffers and bytes the storage pool holds, for
// benchmarks and memory diagnostics.
func PoolStats() (buffers, bytes int) {
	pool.Lock()
	defer pool.Unlock()
	for _, l := range pool.free {
		buffers += len(l)
	}
	return buffers, pool.bytes
}
