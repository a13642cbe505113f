package dl

import (
	"github.com/godl-dev/godl/dl/internal/storage"
)

// Tensor storage comes from the one buffer pool of dl and dl/nn
// (internal/storage): buffers that dl knows are dead (gradient temporaries
// at the end of their use in Backward, scratch inside ops) go back at once,
// and every other buffer (a step's activations, results a program dropped)
// goes back when the garbage collector finds nothing refers to it any
// more, so a buffer a program still holds, through a tensor, a view or a
// RawData slice, is never handed out twice.

func init() {
	storage.Fail = func(op, msg string) { panic(&Error{Op: op, Msg: msg}) }
}

// getBuf returns a slice of length n whose contents are arbitrary; zero it
// if needed. shape, if known, names the request in an out-of-memory error.
func getBuf(n int, shape ...int) []float32 { return storage.Get(n, shapeOrNil(shape)) }

// getZeroBuf is getBuf with the contents cleared.
func getZeroBuf(n int, shape ...int) []float32 { return storage.GetZeroed(n, shapeOrNil(shape)) }

func shapeOrNil(s []int) []int {
	if len(s) == 0 {
		return nil
	}
	return s
}

// putBuf gives a dead buffer back. The caller guarantees nothing refers to
// it any more.
func putBuf(b []float32) { storage.Put(b) }

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
	s := storage.ReadStats()
	return s.IdleBuffers, s.IdleBytes
}

// SetMemoryLimit sets the most memory (address space, as the OS counts it
// against a process limit) that the process may use; 0, the default,
// removes the limit. An op whose result would not fit then fails with an
// *Error naming the op, the shape and the bytes it asked for, before
// allocating anything, and every tensor made before stays valid. The
// notebook worker sets it to its own limit.
func SetMemoryLimit(bytes uint64) { storage.SetLimit(bytes) }

// MemoryLimit returns the limit set by SetMemoryLimit, 0 for none.
func MemoryLimit() uint64 { return storage.Limit() }

// setPooling turns buffer reuse on or off; tests compare results both ways.
func setPooling(on bool) { storage.SetPooling(on) }
