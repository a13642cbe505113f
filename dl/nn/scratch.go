package nn

import "github.com/godl-dev/godl/dl/internal/storage"

// Scratch buffers for the fused ops (im2col columns, GEMM outputs, the
// recurrent layers' per-step activations) come from dl's one storage pool.
// Each op hands its buffers back when its backward is done (or at once
// when no graph is recorded) and the next step reuses them; a buffer whose
// op never runs backward goes back when the collector finds it dead. Safe
// to call from several goroutines.

// getScratch returns n float32s with arbitrary contents. Past the memory
// limit it panics with a *dl.Error naming the op.
func getScratch(n int) []float32 { return storage.Get(n, nil) }

// getScratchZero returns n zeros.
func getScratchZero(n int) []float32 { return storage.GetZeroed(n, nil) }

// putScratch gives buffers back; nothing may use them afterwards.
func putScratch(bufs ...[]float32) {
	for _, b := range bufs {
		storage.Put(b)
	}
}
