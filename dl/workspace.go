package dl

import "sync/atomic"

// Ops that expand their input before the arithmetic — a convolution's
// column matrix (im2col) — work through the batch in pieces whose expanded
// form fits a workspace budget per thread, so that no op asks for memory in
// proportion to batch × expansion (the columns of 10000 images of 28×28
// under a 3×3 kernel with 32 channels would be 4 GB). Within the budget a
// larger piece only saves loop overhead, so the default is modest.

// DefaultWorkspace is the per-thread workspace budget in bytes until
// SetWorkspace changes it.
const DefaultWorkspace = 32 << 20

var workspaceBytes atomic.Int64

// SetWorkspace sets the per-thread workspace budget of the ops that expand
// their input, in bytes; bytes ≤ 0 restores DefaultWorkspace. An op whose
// smallest piece (one output row of one image) needs more still runs, with
// that piece.
func SetWorkspace(bytes int) {
	workspaceBytes.Store(int64(max(bytes, 0)))
}

// Workspace reports the per-thread workspace budget in bytes.
func Workspace() int {
	if b := workspaceBytes.Load(); b > 0 {
		return int(b)
	}
	return DefaultWorkspace
}
