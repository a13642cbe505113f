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
// than it saves: measured, 128³ (17 µs on one core) took twice as long on
// two, as the operands' cache lines moved between the cores' L2s, while
// 256³ gained 1.4-1.8×. (A variable so tests can split even tiny products.)
var minParallelWork = 192 * 192 * 192

// serialSharedWork is the m*n*k from which one thread is faster with
// gemmShared's loop order than with gemmBlocked's (measured: about even at
// 512³, shared ahead at 1024³, blocked ahead below 256³ where the job's
// set-up shows). A variable so tests can send small products either way.
var serialSharedWork = 512 * 512 * 512

// sharedBFloats bounds the packed copy of B that the goroutines share
// (4 MiB, measured best from 512 to 2048 square: a larger one is swept by
// every row chunk and falls out of L3); wider products are done in several
// column blocks. (A variable so tests can reach that case with small
// matrices.)
var sharedBFloats = 1 << 20

func gemmParallel(kn *microKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// More goroutines than Ps would only take turns.
	t := min(Threads(), runtime.GOMAXPROCS(0))
	if m*n*k < minParallelWork {
		t = 1
	}
	tilesM := (m + kn.mr - 1) / kn.mr
	tilesN := (n + kn.nr - 1) / kn.nr
	switch {
	case t == 1 && m*n*k < serialSharedWork:
		ws := getWorkspace()
		gemmBlocked(kn, ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		putWorkspace(ws)
	case tilesM >= 2*t:
		// Also for one thread on large products: packing all of B first
		// lets each row chunk of C stay in L2 across the kc slabs.
		nc := min(n, max(kn.nr, sharedBFloats/k/kn.nr*kn.nr))
		for jc := 0; jc < n; jc += nc {
			bOff := jc
			if transB {
				bOff = jc * ldb
			}
			gemmShared(kn, t, transA, transB, m, min(nc, n-jc), k, alpha, a, lda, b[bOff:], ldb, beta, c[jc:], ldc)
		}
	case t > 1 && tilesN >= 2:
		gemmStrips(kn, min(t, tilesN), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	default:
		ws := getWorkspace()
		gemmBlocked(kn, ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		putWorkspace(ws)
	}
}

// A sharedJob is one parallel product in which the goroutines first pack B
// together, then take row chunks of C one at a time. Work is claimed rather
// than dealt out in advance: starting a goroutine on an idle core can take
// tens of microseconds here, and whoever is running meanwhile simply takes
// more of it. Chunks shrink as the work runs out (guided scheduling), so the
// goroutines finish within about one tile row of each other.
type sharedJob struct {
	kn             *microKernel
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	t              int

	bp        []float32 // B packed: for each kc slab at p0, p0*roundUp(n, nr) onward
	inPlaceB  bool      // B is read in place, not packed and shared
	packTasks int       // kc slabs × groups of panels
	groupCols int       // columns of B per packing task
	groups    int       // packing tasks per slab

	nextPack   atomic.Int64   // next packing task to claim
	slabPacked []atomic.Int32 // packing tasks finished, per slab
	nextRow    atomic.Int64   // first row of C not yet claimed
	rowsDone   atomic.Int64   // rows of C finished
	finish     doneSignal
}

// gemmShared adds alpha*op(A)*op(B) to C on up to t goroutines (t ≥ 1), the
// caller being one of them. n must be small enough for B to be packed whole.
func gemmShared(kn *microKernel, t int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	j := &sharedJob{kn: kn, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, t: t, finish: newDoneSignal()}
	if !transB && m <= bInPlaceMaxM {
		// Few rows: B is read in place (see prepareB), nothing is shared.
		j.inPlaceB = true
		startHelpers(t-1, j)
		j.work()
		j.finish.wait()
		jobDone()
		return
	}
	buf := getSharedB(k * roundUp(n, kn.nr))
	defer putSharedB(buf)
	j.bp = buf
	// Pack each slab in a few groups of panels, so that all goroutines
	// share the packing even when k fits one slab.
	j.groupCols = min(8*kn.nr, roundUp((n+2*t-1)/(2*t), kn.nr))
	j.groups = (n + j.groupCols - 1) / j.groupCols
	j.slabPacked = make([]atomic.Int32, (k+blockKC-1)/blockKC)
	j.packTasks = len(j.slabPacked) * j.groups
	startHelpers(t-1, j)
	j.work()
	// Late helpers may still be starting; the work is done when every row
	// is, and a helper that finds nothing left to claim touches nothing.
	j.finish.wait()
	jobDone()
}

// claimChunk takes the next guided chunk of [*next, total) for one worker;
// ok is false when everything has been claimed.
func claimChunk(next *atomic.Int64, total, threads, unit, most int) (lo, n int, ok bool) {
	for {
		lo = int(next.Load())
		if lo >= total {
			return 0, 0, false
		}
		n = guidedChunk(total-lo, threads, unit, most)
		if next.CompareAndSwap(int64(lo), int64(lo+n)) {
			return lo, n, true
		}
	}
}

// guidedChunk is how much of rem (rows or columns) to claim: a share of what
// is left, whole tiles of size unit, at most max.
func guidedChunk(rem, t, unit, max int) int {
	return min(rem, max, roundUp((rem+2*t-1)/(2*t), unit))
}

func (j *sharedJob) work() {
	nr := j.kn.nr
	ldp := roundUp(j.n, nr) // packed floats per unit of k
	for {
		id := int(j.nextPack.Add(1) - 1)
		if id >= j.packTasks {
			break
		}
		slab := id / j.groups
		pc := slab * blockKC
		kc := min(blockKC, j.k-pc)
		j0 := id % j.groups * j.groupCols
		cols := min(j.groupCols, j.n-j0)
		packB(j.bp[pc*ldp+j0*kc:], nr, j.transB, j.b, j.ldb, pc, j0, kc, cols)
		j.slabPacked[slab].Add(1)
	}
	var ws *workspace
	for {
		ic, mc, ok := claimChunk(&j.nextRow, j.m, j.t, j.kn.mr, blockMC)
		if !ok {
			break
		}
		if ws == nil {
			ws = getWorkspace()
		}
		scaleC(mc, j.n, j.beta, j.c[ic*j.ldc:], j.ldc)
		for pc := 0; pc < j.k; pc += blockKC {
			kc := min(blockKC, j.k-pc)
			blk := prepareA(j.kn, ws.a, j.transA, j.a, j.lda, ic, pc, mc, kc, j.n, j.alpha)
			var bb bBlock
			if j.inPlaceB {
				bb = prepareB(j.kn, ws.packedB(nr*blockKC), false, j.b, j.ldb, pc, 0, kc, j.n, j.m)
			} else {
				// The slab may still be being packed by another goroutine
				// (the first chunks start before the last slabs are done).
				slab := &j.slabPacked[pc/blockKC]
				spinUntil(func() bool { return slab.Load() >= int32(j.groups) })
				bb = bBlock{b: j.bp[pc*ldp:], rs: nr, step: nr * kc}
			}
			macroKernel(j.kn, blk, bb, ws.tile, mc, j.n, kc, j.c[ic*j.ldc:], j.ldc)
		}
		if j.rowsDone.Add(int64(mc)) == int64(j.m) {
			j.finish.signal()
		}
	}
	if ws != nil {
		putWorkspace(ws)
	}
}

var (
	sharedBMu   sync.Mutex
	freeSharedB [][]float32
)

// getSharedB returns a packed-B buffer of n floats from a small free list
// (kept, like the workspaces, to avoid first-touch page faults).
func getSharedB(n int) []float32 {
	sharedBMu.Lock()
	defer sharedBMu.Unlock()
	for i, s := range freeSharedB {
		if cap(s) >= n {
			freeSharedB = append(freeSharedB[:i], freeSharedB[i+1:]...)
			return s[:n]
		}
	}
	return alignedFloats(n)
}

func putSharedB(s []float32) {
	sharedBMu.Lock()
	defer sharedBMu.Unlock()
	if len(freeSharedB) < 2 {
		freeSharedB = append(freeSharedB, s)
		return
	}
	// Keep the larger buffers.
	for i, f := range freeSharedB {
		if cap(f) < cap(s) {
			freeSharedB[i] = s
			return
		}
	}
}

// A stripsJob is for products with too few rows to share out: C is cut into
// column strips, whole tiles wide, claimed as in sharedJob; each is done by
// gemmBlocked with the claimer's own packing buffers.
type stripsJob struct {
	kn             *microKernel
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	t              int

	nextCol, colsDone atomic.Int64
	finish            doneSignal
}

func gemmStrips(kn *microKernel, t int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	j := &stripsJob{kn: kn, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, t: t, finish: newDoneSignal()}
	startHelpers(t-1, j)
	j.work()
	j.finish.wait()
	jobDone()
}

func (j *stripsJob) work() {
	var ws *workspace
	for {
		lo, nc, ok := claimChunk(&j.nextCol, j.n, j.t, j.kn.nr, blockNC)
		if !ok {
			break
		}
		if ws == nil {
			ws = getWorkspace()
		}
		bOff := lo
		if j.transB {
			bOff = lo * j.ldb
		}
		gemmBlocked(j.kn, ws, j.transA, j.transB, j.m, nc, j.k, j.alpha, j.a, j.lda, j.b[bOff:], j.ldb, j.beta, j.c[lo:], j.ldc)
		if j.colsDone.Add(int64(nc)) == int64(j.n) {
			j.finish.signal()
		}
	}
	if ws != nil {
		putWorkspace(ws)
	}
}
