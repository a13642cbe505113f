// Package kernels holds the numeric inner loops of dl: matrix multiply
// (blocked, packed, with assembly micro-kernels) and its pure-Go fallback.
//
// Sgemm follows BLIS: op(B) is packed into panels nr columns wide and op(A)
// into panels mr rows tall (pack.go) — or read in place where that is
// cheaper (prepareA, prepareB) — and a micro-kernel multiplies one pair of
// panels into an mr×nr tile of C held in registers (kernel.go; the
// AVX-512 and AVX2+FMA kernels are generated assembly, gen_kernels.go, chosen
// at run time from the CPU's features; -tags noasm leaves only Go). Large
// products are cut into a grid of row blocks by column chunks that the
// caller and helper goroutines claim, up to Threads() in all, packing
// operands on demand (parallel.go, helpers.go); products with a small C
// and a long k are split along k (gemm_ksplit.go). Results do not depend
// on the thread count.
//
// Functions here write only into the output slice they are given and leave
// their inputs alone. Misuse (negative sizes, short slices, small strides)
// panics.
//
// Benchmarks: go test -bench Sgemm ./dl/internal/kernels/ prints GFLOP/s
// beside gonum's SGEMM; bench/gemm/compare.py adds OpenBLAS and the ratios.
package kernels

import "fmt"

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major float32
// matrices, where op(X) is X or its transpose. op(A) is m×k, op(B) is k×n,
// C is m×n; lda, ldb, ldc are the row strides of A, B and C as stored.
// When beta is 0, C is overwritten without being read (NaNs in it vanish).
//
// Large products run on up to Threads() goroutines.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	if m*n*k <= tinyWork {
		sgemmRef(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if m <= smallM {
		gemmSmallM(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	// beta is applied by whichever goroutine owns each part of C, just
	// before it adds to it: a separate pass over C would be serial and
	// would bring C through the caches twice.
	gemmParallel(chooseKernel(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func checkGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: Sgemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	// Stored shapes: A is m×k or k×m, B is k×n or n×k.
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix("A", ar, ac, a, lda)
	checkMatrix("B", br, bc, b, ldb)
	checkMatrix("C", m, n, c, ldc)
}

// checkMatrix checks that s holds a rows×cols matrix with row stride ld. An
// empty matrix (a zero dimension, as for an empty tensor) needs nothing.
func checkMatrix(name string, rows, cols int, s []float32, ld int) {
	if rows == 0 || cols == 0 {
		return
	}
	if ld < cols {
		panic(fmt.Sprintf("kernels: Sgemm: ld%s=%d < %d columns", name, ld, cols))
	}
	if len(s) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("kernels: Sgemm: %s has %d elements, %d×%d with stride %d needs %d",
			name, len(s), rows, cols, ld, (rows-1)*ld+cols))
	}
}

// scaleC sets C = beta*C, writing zeros outright when beta is 0.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// gemmBlocked sets C = alpha*op(A)*op(B) + beta*C with the kernel kn, following the
// BLIS loop nest (gonum's dgemm.go splits work the same way but does not
// pack): for each nc-wide block of columns and kc-deep slab, pack B once; for
// each mc-tall block of rows, pack A (or not, see prepareA) and run the
// macro-kernel over the tiles.
func gemmBlocked(kn *microKernel, ws *workspace, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if beta != 0 {
		scaleC(m, n, beta, c, ldc)
	}
	for jc := 0; jc < n; jc += blockNC {
		nc := min(blockNC, n-jc)
		inPlace := aInPlace(kn, transA, alpha, lda, nc)
		ws.packedB(blockKC * roundUp(nc, kn.nr))
		for pc := 0; pc < k; pc += blockKC {
			kc := min(blockKC, k-pc)
			bb := prepareB(kn, ws.b, transB, b, ldb, pc, jc, kc, nc, m)
			for ic := 0; ic < m; ic += blockMC {
				mc := min(blockMC, m-ic)
				blk := prepareA(kn, ws.a, inPlace, transA, a, lda, ic, pc, mc, kc, alpha)
				// With beta 0 the first slab stores: C is never read.
				macroKernel(kn, blk, bb, ws.tile, mc, nc, kc, c[ic*ldc+jc:], ldc, pc > 0 || beta != 0)
			}
		}
	}
}

// An aBlock says where the micro-kernels read an mc×kc block of op(A).
type aBlock struct {
	a      []float32 // the first panel of mr rows
	rs, cs int       // element (i, p) of a panel is a[i*rs+p*cs]
	step   int       // offset from one panel to the next
}

// prepareA packs the mc×kc block of op(A) at (i0, p0) into buf, scaled by
// alpha — or, when inPlace (see aInPlace), does nothing but say where it
// is.
func prepareA(kn *microKernel, buf []float32, inPlace, transA bool, a []float32, lda, i0, p0, mc, kc int, alpha float32) aBlock {
	mr := kn.mr
	switch {
	case inPlace && transA:
		return aBlock{a: a[p0*lda+i0:], rs: 1, cs: lda, step: mr}
	case inPlace:
		return aBlock{a: a[i0*lda+p0:], rs: lda, cs: 1, step: mr * lda}
	}
	packA(buf, mr, transA, a, lda, i0, p0, mc, kc, alpha)
	return aBlock{a: buf, rs: 1, cs: mr, step: mr * kc}
}

// aInPlace says whether the micro-kernels should read A where it is for
// blocks that meet nc columns of B. Only with alpha 1 (packing applies
// alpha). Reading in place saves a pass over A that costs about 1/n of the
// product: measured 3-4% for squares of 256 and 512, 30-40% for narrow
// products (n = 32 or 64). But a row-major A whose rows are a multiple of
// 4 KiB apart puts a tile's 12 rows in one set of an 8-way L1, where they
// evict each other at every step of k: at n = 1024 and 2048 packing was
// 5-7% faster. A transposed A is read in place only when the block meets
// at most two panels of B: each rereads the block, a column of mr floats
// lda apart per step, which at n = 128 with lda = 1024 was already 15%
// slower than packing, while at n = 32 and 64 (an LSTM's weight gradients,
// m = 256, k = 1600) it was 3.2× and 1.8× faster.
func aInPlace(kn *microKernel, transA bool, alpha float32, lda, nc int) bool {
	switch {
	case alpha != 1:
		return false
	case transA:
		return nc <= 2*kn.nr
	}
	return lda%1024 != 0
}

// A bBlock says where the micro-kernels read a kc×nc block of op(B).
type bBlock struct {
	b    []float32 // the first panel of nr columns
	rs   int       // row p of a panel starts at b[p*rs]
	step int       // offset from one panel to the next
	edge []float32 // a partial last panel, packed, when b is read in place
}

// bInPlaceMaxM is the most rows of C for which a row-major B is read in
// place rather than packed. Packing B costs about 1/m of the product:
// measured, reading in place is 9-18% faster for m = 64 to 128, 1-2% at
// 256, and slower from 384 on, where the packed panel's locality (one run
// of memory, not kc rows ldb apart) pays.
const bInPlaceMaxM = 256

// prepareB packs the kc×nc block of op(B) at (p0, j0) into buf, or, for a
// row-major B and few rows of C, packs only a partial last panel.
func prepareB(kn *microKernel, buf []float32, transB bool, b []float32, ldb, p0, j0, kc, nc, m int) bBlock {
	nr := kn.nr
	if transB || m > bInPlaceMaxM {
		packB(buf, nr, transB, b, ldb, p0, j0, kc, nc)
		return bBlock{b: buf, rs: nr, step: nr * kc}
	}
	bb := bBlock{b: b[p0*ldb+j0:], rs: ldb, step: nr}
	if full := nc / nr * nr; full < nc {
		packB(buf, nr, false, b, ldb, p0, j0+full, kc, nc-full)
		bb.edge = buf[:nr*kc]
	}
	return bb
}

// macroKernel runs the micro-kernel over every mr×nr tile of an mc×nc block
// of C from A (blk) and B (bb), adding to C or, without accumulate,
// replacing it.
//
// The loop order depends on where B is. Packed, B is read in sub-blocks of
// l2BFloats that stay in L2 while each panel of A (mr×kc, a few KiB) stays
// in L1 and meets every panel of the sub-block in turn — BLIS's order, in
// which the kernels keep the FMA units busy while the wide operand streams
// from L2. Read in place, a panel of B is kc rows scattered ldb apart: it
// is the panel that is held (in L1) while the few panels of A stream past
// it.
func macroKernel(kn *microKernel, blk aBlock, bb bBlock, tile []float32, mc, nc, kc int, c []float32, ldc int, accumulate bool) {
	mr, nr := kn.mr, kn.nr
	if bb.rs != nr || bb.edge != nil {
		for jr := 0; jr < nc; jr += nr {
			for ir := 0; ir < mc; ir += mr {
				tileKernel(kn, blk, bb, tile, ir, jr, mc, nc, kc, c, ldc, accumulate)
			}
		}
		return
	}
	sub := max(nr, l2BFloats/max(kc, 1)/nr*nr)
	for j0 := 0; j0 < nc; j0 += sub {
		for ir := 0; ir < mc; ir += mr {
			for jr := j0; jr < min(nc, j0+sub); jr += nr {
				tileKernel(kn, blk, bb, tile, ir, jr, mc, nc, kc, c, ldc, accumulate)
			}
		}
	}
}

// l2BFloats is how much of a packed B block macroKernel sweeps with each
// panel of A: 512 KiB, half of an L2 of 1 MiB (measured on one core: 7-16%
// faster than a sweep of the whole block from 256 to 2048 square; 256 KiB
// was slower at 1024).
const l2BFloats = 128 << 10

// tileKernel runs the micro-kernel on the tile at (ir, jr) of the block.
// The kernels compute only the rows a tile has; a tile cut by the block's
// right edge is computed into a scratch tile and only its valid columns
// are added to (or copied into) C, so nothing outside the block is ever
// touched.
func tileKernel(kn *microKernel, blk aBlock, bb bBlock, tile []float32, ir, jr, mc, nc, kc int, c []float32, ldc int, accumulate bool) {
	mr, nr := kn.mr, kn.nr
	rows, cols := min(mr, mc-ir), min(nr, nc-jr)
	ap := blk.a[ir/mr*blk.step:]
	bpanel, rsB := bb.b[jr/nr*bb.step:], bb.rs
	if cols < nr && bb.edge != nil {
		bpanel, rsB = bb.edge, nr
	}
	if cols == nr {
		kn.fn(kc, rows, ap, blk.rs, blk.cs, bpanel, rsB, c[ir*ldc+jr:], ldc, accumulate)
		return
	}
	t := tile[:mr*nr]
	kn.fn(kc, rows, ap, blk.rs, blk.cs, bpanel, rsB, t, nr, false)
	for i := range rows {
		dst := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+cols]
		if !accumulate {
			copy(dst, t[i*nr:i*nr+cols])
			continue
		}
		for j, v := range t[i*nr : i*nr+cols] {
			dst[j] += v
		}
	}
}

// tinyWork is the most multiply-adds (m·n·k) done by the plain loop: in a
// batch-1 step of a small layer, packing and blocking cost more than the
// arithmetic. A variable so that tests send small products down the other
// paths too.
var tinyWork = 4096

// smallM is the most rows of C for which gemmSmallM beats packing: with
// one to four rows (a batch of one, a matrix-vector product) the micro-tile
// would be mostly padding and packing B would cost as much as the product.
const smallM = 4

// gemmSmallM sets C = alpha*op(A)*op(B) + beta*C one row of C at a time with
// the vector kernels: as a sum of rows of B (Saxpy) when B is stored k×n,
// as dot products with rows of B (Sdot) when it is stored n×k.
func gemmSmallM(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	scaleC(m, n, beta, c, ldc)
	var col []float32 // row i of op(A) when A is stored transposed
	if transA && transB {
		col = make([]float32, k)
	}
	for i := range m {
		crow := c[i*ldc : i*ldc+n]
		if !transB {
			for p := range k {
				var av float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				Saxpy(alpha*av, b[p*ldb:p*ldb+n], crow)
			}
			continue
		}
		arow := col
		if transA {
			for p := range k {
				col[p] = a[p*lda+i]
			}
		} else {
			arow = a[i*lda : i*lda+k]
		}
		for j := range crow {
			crow[j] += alpha * Sdot(arow, b[j*ldb:j*ldb+k])
		}
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// sgemmRef is the reference triple loop every faster path is tested against.
func sgemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := range m {
		for j := range n {
			var sum float32
			for p := range k {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				sum += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * sum
			} else {
				c[i*ldc+j] = alpha*sum + beta*c[i*ldc+j]
			}
		}
	}
}
