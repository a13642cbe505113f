package dl

import "github.com/godl-dev/godl/dl/internal/kernels"

// SetNumThreads sets how many threads one op may use (matrix products,
// element-wise ops, reductions, normalisations), as torch.set_num_threads;
// n < 1 restores the default, GOMAXPROCS. Ops too small to be worth a
// hand-off run on the calling goroutine whatever the setting, and results
// do not depend on it: reductions split their work the same way on any
// number of threads.
func SetNumThreads(n int) { kernels.SetThreads(n) }

// NumThreads reports how many threads one op may use.
func NumThreads() int { return kernels.Threads() }
