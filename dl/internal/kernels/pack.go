package kernels

import (
	"sync"
	"unsafe"
)

// Block sizes (BLIS names). A kc×nr panel of B stays in L1 while the mc×kc
// block of A streams past it from L2; the kc×nc block of B lives in L2/L3.
// mc is a multiple of every kernel's mr, nc of every nr.
const (
	blockMC = 144
	blockKC = 256
	blockNC = 4096
)

// workspace is one goroutine's packing buffers. They are kept for reuse in a
// free list rather than a sync.Pool: a pool is emptied by every other GC, and
// first touches of fresh pages (≈10 µs per 4 KiB in a VM) would then cost
// more than the arithmetic of a mid-sized product.
type workspace struct {
	a    []float32 // blockMC × blockKC
	b    []float32 // blockKC × nc, grown to the widest block seen
	tile []float32 // maxMR × maxNR, for partial tiles at the edges
}

var (
	workspaceMu   sync.Mutex
	freeWorkspace []*workspace
)

// maxFreeWorkspaces bounds the memory kept: one per thread is enough.
const maxFreeWorkspaces = 8

func getWorkspace() *workspace {
	workspaceMu.Lock()
	defer workspaceMu.Unlock()
	if n := len(freeWorkspace); n > 0 {
		ws := freeWorkspace[n-1]
		freeWorkspace = freeWorkspace[:n-1]
		return ws
	}
	return &workspace{
		a:    alignedFloats(blockMC * blockKC),
		tile: alignedFloats(maxMR * maxNR),
	}
}

func putWorkspace(ws *workspace) {
	workspaceMu.Lock()
	defer workspaceMu.Unlock()
	if len(freeWorkspace) < maxFreeWorkspaces {
		freeWorkspace = append(freeWorkspace, ws)
	}
}

// packedB returns the B buffer with room for n floats.
func (ws *workspace) packedB(n int) []float32 {
	if len(ws.b) < n {
		ws.b = alignedFloats(n)
	}
	return ws.b[:n]
}

// alignedFloats returns n zeroed float32s starting on a 64-byte boundary, so
// the kernels' full-width loads of packed panels never split a cache line.
func alignedFloats(n int) []float32 {
	s := make([]float32, n+16)
	off := int(uintptr(unsafe.Pointer(&s[0]))%64) / 4
	if off != 0 {
		off = 16 - off
	}
	return s[off : off+n : off+n]
}

// packA copies alpha times the mc×kc block of op(A) at (i0, p0) into dst as
// mr-row panels, each stored column by column (dst[panel*mr*kc + p*mr + i]);
// rows past mc are zero so the kernels need not know about edges.
func packA(dst []float32, mr int, transA bool, a []float32, lda, i0, p0, mc, kc int, alpha float32) {
	for ir := 0; ir < mc; ir += mr {
		panel := dst[ir*kc : ir*kc+mr*kc]
		rows := min(mr, mc-ir)
		if transA {
			// op(A)[i][p] = a[p*lda+i]: each column of the panel is contiguous.
			for p := range kc {
				off := (p0+p)*lda + i0 + ir
				src := a[off : off+rows]
				d := panel[p*mr : p*mr+rows]
				for i, v := range src {
					d[i] = alpha * v
				}
			}
		} else {
			// op(A)[i][p] = a[i*lda+p]: rows of the stored block become
			// columns of the panel.
			transposeBlock(panel, mr, a[(i0+ir)*lda+p0:], lda, rows, kc, alpha)
		}
		if rows < mr {
			for p := range kc {
				clear(panel[p*mr+rows : p*mr+mr])
			}
		}
	}
}

// packB copies the kc×nc block of op(B) at (p0, j0) into dst as nr-column
// panels, each stored row by row (dst[panel*nr*kc + p*nr + j]); columns past
// nc are zero.
func packB(dst []float32, nr int, transB bool, b []float32, ldb, p0, j0, kc, nc int) {
	for jr := 0; jr < nc; jr += nr {
		panel := dst[jr*kc : jr*kc+nr*kc]
		cols := min(nr, nc-jr)
		if transB {
			// op(B)[p][j] = b[j*ldb+p]: each row of the stored matrix is a
			// column of the panel.
			transposeBlock(panel, nr, b[(j0+jr)*ldb+p0:], ldb, cols, kc, 1)
		} else {
			copyRows(panel, nr, b[(p0)*ldb+j0+jr:], ldb, kc, cols)
		}
		if cols < nr {
			for p := range kc {
				clear(panel[p*nr+cols : p*nr+nr])
			}
		}
	}
}

// copyRows copies rows rows of cols floats, ldsrc apart in src, into dst
// nr apart. Whole panel rows go as fixed-size arrays, which the compiler
// copies with vector moves in place of a call to memmove per row (that
// call was a third of the time of packing B).
func copyRows(dst []float32, nr int, src []float32, ldsrc, rows, cols int) {
	switch {
	case cols == 32 && nr == 32:
		for p := range rows {
			*(*[32]float32)(dst[p*32:]) = *(*[32]float32)(src[p*ldsrc:])
		}
	case cols == 16 && nr == 16:
		for p := range rows {
			*(*[16]float32)(dst[p*16:]) = *(*[16]float32)(src[p*ldsrc:])
		}
	default:
		for p := range rows {
			copy(dst[p*nr:p*nr+cols], src[p*ldsrc:p*ldsrc+cols])
		}
	}
}

// transposeBlock writes dst[p*ldd+r] = alpha*src[r*lds+p] for r < rows and
// p < k: the packing of a row-major block into column-major panels. Groups
// of four rows and four columns go through packT4; the ragged edges are
// done here.
func transposeBlock(dst []float32, ldd int, src []float32, lds, rows, k int, alpha float32) {
	k4 := k &^ 3
	r := 0
	if k4 > 0 {
		for ; r+4 <= rows; r += 4 {
			s := src[r*lds : 3*lds+r*lds+k4]
			d := dst[r : (k4-1)*ldd+r+4]
			packT4(k4, alpha, s, lds, d, ldd)
		}
	}
	for ; r < rows; r++ {
		for p, v := range src[r*lds : r*lds+k] {
			dst[p*ldd+r] = alpha * v
		}
	}
	if k4 < k {
		for r := range rows - rows%4 {
			for p := k4; p < k; p++ {
				dst[p*ldd+r] = alpha * src[r*lds+p]
			}
		}
	}
}
