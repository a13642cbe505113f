package kernels

import (
	"runtime"
	"sync/atomic"
)

// The op runtime's one way to spread a loop over cores: the same helper
// goroutines that run Sgemm's jobs (helpers.go), so elementwise ops,
// convolution, pooling, reductions and the optimizers between the products
// of a training step find them awake instead of starting goroutines of
// their own.

// For calls body on disjoint ranges [lo, hi) that cover [0, n), on up to
// Threads() goroutines, the caller being one of them, and returns when all
// are done. Ranges are multiples of grain long (the last may be shorter);
// below two grains it is one call body(0, n) on the caller. Choose grain so
// that one range is worth a hand-off: about 10-50 µs of work.
//
// A panic in body is raised again in the caller after the other ranges
// finished, so a *dl.Error or an interrupt inside an op is an ordinary
// panic of the cell, never a crash of the process.
func For(n, grain int, body func(lo, hi int)) {
	grain = max(grain, 1)
	chunks := (n + grain - 1) / grain
	t := min(Threads(), runtime.GOMAXPROCS(0), chunks)
	if t <= 1 {
		if n > 0 {
			body(0, n)
		}
		return
	}
	// Each goroutine claims a few chunks at a time so that a late helper
	// still finds work and one that is slowed down (the machine may be
	// busy) holds up no more than one claim.
	per := max(1, chunks/(4*t))
	runJob(&forJob{chunks: chunks, per: per, finish: newDoneSignal(), body: func(c0, c1 int) {
		body(c0*grain, min(c1*grain, n))
	}}, t)
}

// ForChunks is For with fixed chunks: body(c, lo, hi) is called once for
// every chunk c = lo/grain, whatever the thread count, so a reduction that
// keeps one partial result per chunk and combines them in chunk order gives
// the same bits on 1 or 64 threads.
func ForChunks(n, grain int, body func(c, lo, hi int)) {
	grain = max(grain, 1)
	chunks := (n + grain - 1) / grain
	run := func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			body(c, c*grain, min((c+1)*grain, n))
		}
	}
	t := min(Threads(), runtime.GOMAXPROCS(0), chunks)
	if t <= 1 {
		run(0, chunks)
		return
	}
	runJob(&forJob{chunks: chunks, per: max(1, chunks/(4*t)), finish: newDoneSignal(), body: run}, t)
}

// NumChunks is how many chunks ForChunks makes of n with this grain.
func NumChunks(n, grain int) int {
	grain = max(grain, 1)
	return (n + grain - 1) / grain
}

// A forJob hands out runs of chunks [c0, c1) until none are left.
type forJob struct {
	chunks, per int // chunks in all; chunks per claim
	body        func(c0, c1 int)

	next     atomic.Int64 // first chunk not yet claimed
	done     atomic.Int64 // chunks finished
	panicked atomic.Pointer[any]
	finish   doneSignal
}

func runJob(j *forJob, t int) {
	startHelpers(t-1, j)
	j.work()
	j.finish.wait()
	jobDone()
	if p := j.panicked.Load(); p != nil {
		panic(*p)
	}
}

func (j *forJob) work() {
	for {
		c0 := int(j.next.Add(int64(j.per))) - j.per
		if c0 >= j.chunks {
			return
		}
		c1 := min(c0+j.per, j.chunks)
		j.runChunks(c0, c1)
		if int(j.done.Add(int64(c1-c0))) == j.chunks {
			j.finish.signal()
		}
	}
}

// runChunks runs body and keeps its first panic for the caller; later
// chunks still run (they are cheap to finish and keep the count exact).
func (j *forJob) runChunks(c0, c1 int) {
	defer func() {
		if r := recover(); r != nil {
			j.panicked.CompareAndSwap(nil, &r)
		}
	}()
	if j.panicked.Load() == nil {
		j.body(c0, c1)
	}
}
