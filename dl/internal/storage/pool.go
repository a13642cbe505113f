// Package storage is the one pool of float32 buffers behind dl's tensors
// and nn's scratch space, and the memory limit that every buffer is
// checked against before it is allocated.
//
// Touching a fresh page costs far more than the arithmetic done on it, and
// Go's collector hands freed memory back to the OS, so a buffer per op
// would pay that cost again and again: buffers are reused instead. One
// comes back to the pool in one of two ways:
//
//   - Put, by a caller that knows nothing refers to the buffer any more
//     (a gradient temporary at the end of its use, an op's scratch);
//   - its finalizer, when the garbage collector finds the buffer
//     unreachable: no tensor, view, RawData slice or copy of a slice
//     refers to it. The finalizer brings the array back to life into the
//     pool instead of letting it be freed. This is how a step's
//     activations come back once the graph that kept them is gone, and it
//     cannot recycle anything a program still holds: the collector has
//     proven nobody does.
//
// Sizes are rounded up to classes of four steps per power of two (at most
// 25% slack); buffers of at most MinPooled elements are plain allocations.
package storage

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/godl-dev/godl/dl/internal/kernels"
)

const (
	// MinPooled is the length up to which buffers are plain allocations:
	// allocating them is cheap and the pool's bookkeeping would cost more.
	MinPooled = 1024
	// maxIdleBytes bounds the idle memory the pool keeps.
	maxIdleBytes = 256 << 20
	// maxArmedBytes is the largest buffer given a finalizer. A finalizer
	// keeps a dead buffer for one more collection, which for a huge one
	// (an activation of a whole-test-set forward pass) costs more memory
	// than reusing it saves; those are simply freed by the collector.
	maxArmedBytes = maxIdleBytes / 4
)

var pool struct {
	sync.Mutex
	off   bool                 // tests compare results with the pool off
	free  map[int][][]float32  // idle buffers by class length
	out   map[uintptr]struct{} // buffers handed out with a finalizer armed
	bytes int                  // idle bytes

	reused, recycled, fresh uint64 // Get from the pool; finalizer returns; new allocations
}

// ClassLen is the capacity of the size class holding n elements.
func ClassLen(n int) int {
	if n <= MinPooled {
		return n
	}
	// 4 classes per power of two: p, 1.25p, 1.5p, 1.75p
	p := 1 << (bits.Len(uint(n-1)) - 1)
	step := p / 4
	return (n + step - 1) / step * step
}

// Get returns a buffer of length n with arbitrary contents. shape, if not
// nil, is the shape of the tensor it is for, for the error message when
// the memory limit refuses it. Over the limit Get panics (see Fail).
func Get(n int, shape []int) []float32 {
	if n <= MinPooled {
		checkLimit(4*n, n, shape)
		return make([]float32, n)
	}
	c := ClassLen(n)
	collectEvery(4 * c)
	if b := pop(c); b != nil {
		return b[:n]
	}
	checkLimit(4*c, n, shape)
	b := make([]float32, c)
	pool.Lock()
	pool.fresh++
	armLocked(b)
	pool.Unlock()
	return b[:n]
}

// GetZeroed is Get with the contents cleared (fresh memory already is).
func GetZeroed(n int, shape []int) []float32 {
	if n > MinPooled {
		if b := pop(ClassLen(n)); b != nil {
			collectEvery(4 * cap(b))
			b = b[:n]
			if n < 1<<17 {
				clear(b)
			} else { // half a MiB and more: on all threads
				kernels.For(n, 1<<15, func(lo, hi int) { clear(b[lo:hi]) })
			}
			return b
		}
	}
	return Get(n, shape) // a new allocation: zeroed by Go
}

// pop takes an idle buffer of class c, armed, or returns nil.
func pop(c int) []float32 {
	pool.Lock()
	defer pool.Unlock()
	l := pool.free[c]
	if pool.off || len(l) == 0 {
		return nil
	}
	b := l[len(l)-1]
	l[len(l)-1] = nil
	pool.free[c] = l[:len(l)-1]
	pool.bytes -= 4 * c
	pool.reused++
	armLocked(b)
	return b
}

// armLocked sets b's finalizer, so that b comes back to the pool when it
// is unreachable. b is the whole buffer, as allocated.
func armLocked(b []float32) {
	c := cap(b)
	if 4*c > maxArmedBytes {
		return
	}
	p := &b[:1][0]
	if pool.out == nil {
		pool.out = map[uintptr]struct{}{}
	}
	pool.out[uintptr(unsafe.Pointer(p))] = struct{}{}
	runtime.SetFinalizer(p, func(p *float32) { recycle(p, c) })
}

// recycle is the finalizer of a buffer of capacity c that nothing refers
// to any more: it goes back to the pool, or is let go when the pool is
// full.
func recycle(p *float32, c int) {
	pool.Lock()
	defer pool.Unlock()
	delete(pool.out, uintptr(unsafe.Pointer(p)))
	if keepLocked(unsafe.Slice(p, c)) {
		pool.recycled++
	}
}

// Put gives back a buffer from Get that the caller knows is dead: nothing
// may read or write it afterwards. A buffer that did not come from Get (a
// plain allocation, a slice of one), or that is already back, is left
// alone, so a Put is never the reason a buffer is handed out twice.
func Put(b []float32) {
	c := cap(b)
	if c <= MinPooled || ClassLen(c) != c {
		return
	}
	p := &b[:1][0]
	pool.Lock()
	defer pool.Unlock()
	k := uintptr(unsafe.Pointer(p))
	if _, ok := pool.out[k]; !ok {
		return
	}
	delete(pool.out, k)
	runtime.SetFinalizer(p, nil)
	keepLocked(b[:c])
	unreturned.Add(-int64(4 * c))
}

// keepLocked adds an idle buffer to the pool if there is room.
func keepLocked(b []float32) bool {
	c := cap(b)
	if pool.off || pool.bytes+4*c > maxIdleBytes {
		return false
	}
	if pool.free == nil {
		pool.free = map[int][][]float32{}
	}
	pool.free[c] = append(pool.free[c], b)
	pool.bytes += 4 * c
	return true
}

// Dead buffers come back only when the collector runs, and Go runs it when
// the heap has grown by as much as was live after the last run: with a
// data set of a few hundred MB in memory, a training loop would leave that
// much garbage resident before any buffer came back. So the pool counts
// the bytes it handed out and did not get back through Put, which only
// the collector can find dead, and asks for a collection once they reach
// gcBudget. A step whose temporaries are all given back costs nothing; a
// buffer of gcBudget or more is preceded by a collection, which costs a
// few milliseconds where touching the new pages costs more, and frees the
// activations a forward pass left behind (an evaluation of a whole test
// set then peaks at about two activations, as with reference counting).
const gcBudget = 64 << 20

var unreturned atomic.Int64

// collectEvery counts n bytes handed out and runs the collector when the
// budget is spent.
func collectEvery(n int) {
	if unreturned.Add(int64(n)) < gcBudget {
		return
	}
	unreturned.Store(0)
	runtime.GC()
}

// Stats describes the pool, for benchmarks and memory diagnostics.
type Stats struct {
	IdleBuffers, IdleBytes int
	// Reused counts buffers Get took from the pool, Fresh those it
	// allocated, Recycled those the collector found dead and brought back.
	Reused, Fresh, Recycled uint64
}

// ReadStats reports the pool's idle buffers and counters.
func ReadStats() Stats {
	pool.Lock()
	defer pool.Unlock()
	s := Stats{IdleBytes: pool.bytes, Reused: pool.reused, Fresh: pool.fresh, Recycled: pool.recycled}
	for _, l := range pool.free {
		s.IdleBuffers += len(l)
	}
	return s
}

// SetPooling turns reuse on or off and empties the pool; tests compare
// results both ways. Buffers handed out meanwhile keep their finalizers,
// which drop them while pooling is off.
func SetPooling(on bool) {
	pool.Lock()
	defer pool.Unlock()
	pool.off = !on
	pool.free, pool.bytes = nil, 0
}
