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

// serialGridWork is the m*n*k from which one thread is faster with the
// grid's loop order (each row block of C stays in L2 across all of k, B
// packed once) than with gemmBlocked's (measured: about even at 512³,
// grid ahead at 1024³, blocked ahead below 256³ where the set-up shows).
// A variable so tests can send small products either way.
var serialGridWork = 512 * 512 * 512

// sharedBFloats bounds the packed copy of B that the goroutines share, on
// one or two threads (4 MiB, measured best from 512 to 2048 square: a
// larger one is swept by every row block and falls out of L3); it grows
// with the thread count, as the L3 the threads share does. Wider products
// are done in several column blocks. (A variable so tests can reach that
// case with small matrices.)
var sharedBFloats = 1 << 20

// limitToProcs caps the goroutines at GOMAXPROCS; tests lift it to run
// the grids of many threads on a small machine.
var limitToProcs = true

// itemsPerThread is how many work items the grid aims to give each thread:
// claimed dynamically, several per thread keep the threads within one
// small item of each other at the end however the machine slows them.
const itemsPerThread = 3

// minChunkPanels is the narrowest column chunk, in panels of B: a chunk's
// A block is brought into L2 once per slab and used against every panel of
// the chunk, so narrower chunks would spend their time loading it.
const minChunkPanels = 4

// gemmParallel sets C = alpha*op(A)*op(B) + beta*C on up to Threads()
// goroutines.
func gemmParallel(kn *microKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// More goroutines than Ps would only take turns.
	t := Threads()
	if limitToProcs {
		t = min(t, runtime.GOMAXPROCS(0))
	}
	if m*n*k < minParallelWork {
		t = 1
	}
	if useKSplit(m, n, k) {
		gemmKSplit(For, kn, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if t == 1 && m*n*k < serialGridWork {
		ws := getWorkspace()
		gemmBlocked(kn, ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		putWorkspace(ws)
		return
	}
	gemmGrid(kn, t, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// A gridJob is one product cut into a grid of work items, row blocks of C
// by column chunks, that goroutines claim one at a time; each item runs
// over all of k, slab by slab, so C needs no synchronisation. Work is
// claimed rather than dealt out in advance: starting a goroutine on an
// idle core can take tens of microseconds here, and whoever is running
// meanwhile simply takes more of it.
//
// Operands are packed on demand, by whichever goroutine first needs a
// block, never in a phase of their own: a group of A's panels (of a row
// block's slab) and a group of B's panels (of a slab) are each packed
// once into a buffer the goroutines share when more than one item reads
// them — A when there are several column chunks or blocks, B when there
// are several row blocks — and into the item's own workspace otherwise. A goroutine that
// needs a block someone else is packing packs what it can first and then
// waits for it. Operands the kernels can read where they are (a row-major
// A with alpha 1, a row-major B for few rows of C) are not copied at all.
//
// Every element of C is summed in the same order (slab by slab, k in
// order within a slab) whatever the grid, so results do not depend on the
// thread count.
type gridJob struct {
	kn             *microKernel
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	t              int
	slabs          int

	mcs, rowBlocks int // rows per row block (whole tiles), and their number
	ncs            int // columns per chunk (whole panels)
	nb             int // columns per column block (whole chunks)

	aMode, bMode operandMode
	aInPlace     bool           // prepareA's choice for private A blocks
	ap           []float32      // A packed: row block r, slab at pc: ap[r*mcs*k + pc*rows(r):]
	aState       []atomic.Int32 // per row block, slab and group of panels: packState
	aGroupRows   int            // rows of A per packing group
	aGroups      int            // packing groups per row block
	bp           []float32      // B packed for the current column block: slab at pc: bp[pc*ldp + j*kc:]
	groupCols    int            // columns of B per packing group
}

// A gridBlock is the part of a gridJob in one column block: the job the
// goroutines run. Each block is a new one, so a helper that comes late to
// an earlier block finds nothing to claim there.
type gridBlock struct {
	*gridJob
	j0, nb    int // first column, width
	colChunks int
	items     int
	bState    []atomic.Int32 // per slab and group of panels: packState

	nextItem  atomic.Int64
	itemsDone atomic.Int64
	finish    doneSignal
}

// An operandMode says where the kernels read an operand from.
type operandMode uint8

const (
	inPlace operandMode = iota // the caller's matrix
	shared                     // a buffer packed once for every item that reads it
	private                    // the item's own workspace, packed for that item
)

// States of a shared block.
const (
	unpacked int32 = iota
	packing
	packed
)

func gemmGrid(kn *microKernel, t int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	mr, nr := kn.mr, kn.nr
	j := &gridJob{kn: kn, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, t: t, slabs: (k + blockKC - 1) / blockKC}

	// Rows: blocks of at most blockMC, evened out. When B is read in place
	// (a row-major B and few rows) and A is packed, splitting rows shares
	// nothing while splitting columns would share A's packing, so rows are
	// split first, down to blocks of 4 tiles. (With A in place too,
	// columns are split first: a panel of B read in place then meets
	// more panels of A.)
	bInPlace := !transB && m <= bInPlaceMaxM
	j.rowBlocks = (m + blockMC - 1) / blockMC
	if bInPlace && !aInPlace(kn, transA, alpha, lda, n) && t > 1 {
		j.rowBlocks = max(j.rowBlocks, min(itemsPerThread*t, (m+4*mr-1)/(4*mr)))
	}
	j.mcs = roundUp((m+j.rowBlocks-1)/j.rowBlocks, mr)
	j.rowBlocks = (m + j.mcs - 1) / j.mcs
	// B is read in place, shared when several row blocks read it, else
	// packed by its one reader.
	switch {
	case bInPlace:
		j.bMode = inPlace
	case j.rowBlocks > 1:
		j.bMode = shared
	default:
		j.bMode = private
	}
	// Columns: blocks that bound a shared B, of even widths; in each, enough
	// chunks for every thread to have a few items, none narrower than
	// minChunkPanels panels.
	panels := (n + nr - 1) / nr
	blockPanels := panels
	if j.bMode == shared {
		limit := sharedBFloats * max(1, t/4)
		blockPanels = max(minChunkPanels, limit/k/nr)
	}
	colBlocks := (panels + blockPanels - 1) / blockPanels
	blockPanels = (panels + colBlocks - 1) / colBlocks
	chunks := 1
	if t > 1 {
		chunks = (itemsPerThread*t + j.rowBlocks - 1) / j.rowBlocks
		chunks = max(1, min(chunks, blockPanels/minChunkPanels))
	}
	j.ncs = (blockPanels + chunks - 1) / chunks * nr
	j.nb = blockPanels * nr
	// Packing groups: at most 8 panels, and small enough that the items
	// reading a block at once (several chunks of one row block, several
	// row blocks of one chunk) can each pack a share of it.
	j.groupCols = max(nr, min(8*nr, roundUp((j.ncs+t-1)/t, nr)))
	j.aGroupRows = max(mr, min(8*mr, roundUp((j.mcs+t-1)/t, mr)))
	j.aGroups = (j.mcs + j.aGroupRows - 1) / j.aGroupRows

	// A is read in place where it can be (see aInPlace), shared when
	// several items read each block, else packed by its one reader.
	switch {
	case aInPlace(kn, transA, alpha, lda, j.ncs):
		j.aMode, j.aInPlace = inPlace, true
	case colBlocks*chunks > 1:
		j.aMode = shared
		j.ap = getSharedB(roundUp(m, mr) * k)
		defer putSharedB(j.ap)
		j.aState = make([]atomic.Int32, j.rowBlocks*j.slabs*j.aGroups)
	default:
		j.aMode = private
	}
	if j.bMode == shared {
		j.bp = getSharedB(k * roundUp(j.nb, nr))
		defer putSharedB(j.bp)
	}

	for j0 := 0; j0 < n; j0 += j.nb {
		j.runBlock(j0, min(j.nb, n-j0))
	}
}

// runBlock does the items of the column block [j0, j0+nb) on up to t
// goroutines, the caller being one of them.
func (j *gridJob) runBlock(j0, nb int) {
	blk := &gridBlock{gridJob: j, j0: j0, nb: nb, colChunks: (nb + j.ncs - 1) / j.ncs}
	blk.items = j.rowBlocks * blk.colChunks
	if j.bMode == shared {
		groups := (nb + j.groupCols - 1) / j.groupCols
		blk.bState = make([]atomic.Int32, j.slabs*groups)
	}
	helpers := min(j.t, blk.items) - 1
	if helpers == 0 {
		blk.work()
		return
	}
	blk.finish = newDoneSignal()
	startHelpers(helpers, blk)
	blk.work()
	// Late helpers may still be starting; the work is done when every item
	// is, and a helper that finds nothing left to claim touches nothing.
	blk.finish.wait()
	jobDone()
}

func (b *gridBlock) work() {
	var ws *workspace
	for {
		id := int(b.nextItem.Add(1) - 1)
		if id >= b.items {
			break
		}
		if ws == nil {
			ws = getWorkspace()
		}
		b.runItem(id, ws)
		if b.itemsDone.Add(1) == int64(b.items) && min(b.t, b.items) > 1 {
			b.finish.signal()
		}
	}
	if ws != nil {
		putWorkspace(ws)
	}
}

// runItem computes one row block × column chunk of C over all of k.
func (b *gridBlock) runItem(id int, ws *workspace) {
	j := b.gridJob
	kn, nr := j.kn, j.kn.nr
	r, ch := id/b.colChunks, id%b.colChunks
	i0, mc := r*j.mcs, min(j.mcs, j.m-r*j.mcs)
	c0, nc := ch*j.ncs, min(j.ncs, b.nb-ch*j.ncs) // within the column block
	cc := j.c[i0*j.ldc+b.j0+c0:]
	if j.beta != 0 {
		scaleC(mc, nc, j.beta, cc, j.ldc)
	}
	for s := range j.slabs {
		pc := s * blockKC
		kc := min(blockKC, j.k-pc)
		// Pack what nobody has started on, this slab's and the next's,
		// then wait for the rest: a goroutine does not wait while there is
		// packing it could do.
		for ahead := s; ahead < min(s+2, j.slabs); ahead++ {
			if j.aMode == shared {
				for g := range j.aGroups {
					j.claimA(r, ahead, g, false)
				}
			}
			if j.bMode == shared {
				for g := c0 / j.groupCols; g*j.groupCols < c0+nc; g++ {
					b.claimB(ahead, g, false)
				}
			}
		}
		var blk aBlock
		if j.aMode == shared {
			for g := range j.aGroups {
				j.claimA(r, s, g, true)
			}
			rows := roundUp(mc, kn.mr)
			blk = aBlock{a: j.ap[r*j.mcs*j.k+pc*rows:], rs: 1, cs: kn.mr, step: kn.mr * kc}
		} else {
			blk = prepareA(kn, ws.a, j.aInPlace, j.transA, j.a, j.lda, i0, pc, mc, kc, j.alpha)
		}
		var bb bBlock
		if j.bMode == shared {
			for g := c0 / j.groupCols; g*j.groupCols < c0+nc; g++ {
				b.claimB(s, g, true)
			}
			ldp := roundUp(b.nb, nr)
			bb = bBlock{b: j.bp[pc*ldp+c0*kc:], rs: nr, step: nr * kc}
		} else {
			bb = prepareB(kn, ws.packedB(blockKC*roundUp(nc, nr)), j.transB, j.b, j.ldb, pc, b.j0+c0, kc, nc, j.m)
		}
		// With beta 0 the first slab stores: C is never read.
		macroKernel(kn, blk, bb, ws.tile, mc, nc, kc, cc, j.ldc, s > 0 || j.beta != 0)
	}
}

// claimA packs group g of A block (row block r, slab s) if nobody has
// started it; with wait, it then waits until it is packed.
func (j *gridJob) claimA(r, s, g int, wait bool) {
	mr := j.kn.mr
	i0, mc := r*j.mcs, min(j.mcs, j.m-r*j.mcs)
	g0 := g * j.aGroupRows
	if g0 >= mc {
		return // the last row block has fewer groups
	}
	st := &j.aState[(r*j.slabs+s)*j.aGroups+g]
	if st.Load() == unpacked && st.CompareAndSwap(unpacked, packing) {
		pc := s * blockKC
		kc := min(blockKC, j.k-pc)
		// The group's panels within the block's: g0 is whole panels in.
		dst := j.ap[r*j.mcs*j.k+pc*roundUp(mc, mr)+g0*kc:]
		packA(dst, mr, j.transA, j.a, j.lda, i0+g0, pc, min(j.aGroupRows, mc-g0), kc, j.alpha)
		st.Store(packed)
		return
	}
	if wait {
		spinUntil(func() bool { return st.Load() == packed })
	}
}

// claimB is claimA for group g of B's slab s in the column block.
func (b *gridBlock) claimB(s, g int, wait bool) {
	j := b.gridJob
	groups := (b.nb + j.groupCols - 1) / j.groupCols
	st := &b.bState[s*groups+g]
	if st.Load() == unpacked && st.CompareAndSwap(unpacked, packing) {
		nr := j.kn.nr
		pc := s * blockKC
		kc := min(blockKC, j.k-pc)
		g0 := g * j.groupCols
		ldp := roundUp(b.nb, nr)
		packB(j.bp[pc*ldp+g0*kc:], nr, j.transB, j.b, j.ldb, pc, b.j0+g0, kc, min(j.groupCols, b.nb-g0))
		st.Store(packed)
		return
	}
	if wait {
		spinUntil(func() bool { return st.Load() == packed })
	}
}

var (
	sharedBMu   sync.Mutex
	freeSharedB [][]float32
)

// getSharedB returns a packing buffer of n floats from a small free list
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
	if len(freeSharedB) < 4 {
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
