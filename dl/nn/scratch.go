package nn

import (
	"math/bits"
	"sync"
)

// Scratch buffers for the fused ops (im2col columns, GEMM outputs, the
// recurrent layers' per-step activations). Touching fresh pages costs more
// than the arithmetic done on them, so each op hands its buffers back when
// its backward is done (or at once when no graph is recorded) and the next
// step reuses them. A buffer whose op never runs backward is left to the
// garbage collector.

var scratch struct {
	sync.Mutex
	free  [48][][]float32 // by power-of-two capacity class
	bytes int
}

const scratchMaxBytes = 256 << 20

// getScratch returns n float32s with arbitrary contents.
func getScratch(n int) []float32 {
	if n < 256 {
		return make([]float32, n)
	}
	c := bits.Len(uint(n - 1))
	scratch.Lock()
	if l := scratch.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		scratch.free[c] = l[:len(l)-1]
		scratch.bytes -= 4 * cap(b)
		scratch.Unlock()
		return b[:n]
	}
	scratch.Unlock()
	return make([]float32, n, 1<<c)
}

// getScratchZero returns n zeros.
func getScratchZero(n int) []float32 {
	b := getScratch(n)
	clear(b)
	return b
}

// putScratch gives buffers back; nothing may use them afterwards.
func putScratch(bufs ...[]float32) {
	scratch.Lock()
	defer scratch.Unlock()
	for _, b := range bufs {
		c := cap(b)
		if c < 256 || c&(c-1) != 0 || scratch.bytes+4*c > scratchMaxBytes {
			continue
		}
		k := bits.Len(uint(c - 1))
		scratch.free[k] = append(scratch.free[k], b[:c])
		scratch.bytes += 4 * c
	}
}
