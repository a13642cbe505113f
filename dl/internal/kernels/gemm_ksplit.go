package kernels

// Products with a small C and a long k — a convolution's weight gradient,
// m = output channels, n = input channels × kernel taps, k = batch × pixels
// (64 × 288 × 12544 in the CNN recipe) — have too few tiles of C to share
// out: a grid of row blocks and column chunks would keep two threads busy
// on sixteen cores. They are split along k instead, into parts of fixed
// length: each part's product goes to a buffer of its own, in parallel,
// and the buffers are summed into C in part order. The parts depend on the
// shape alone, never on the thread count, so the bits do not either.

// kSplitMaxC is the most elements of C for which k is split: up to 64K (a
// 256 KiB C), the partial products fit in L2 and cost little to sum.
const kSplitMaxC = 64 << 10

// kPart is the length of k each part covers, and the least k that is
// split in two: 4 slabs, about 40-200 µs of work per part at this C size.
const kPart = 4 * blockKC

// useKSplit says whether Sgemm splits k for this shape (large enough to be
// worth a second thread at all: see minParallelWork).
func useKSplit(m, n, k int) bool {
	return m*n <= kSplitMaxC && k >= 2*kPart && m*n*k >= minParallelWork
}

// gemmKSplit sets C = alpha*op(A)*op(B) + beta*C by parts of k, the parts
// and then C's rows shared out by loop: For, or serialLoop inside a For
// body (SgemmSerial). Either way the bits are the same.
func gemmKSplit(loop func(n, grain int, body func(lo, hi int)), kn *microKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	parts := (k + kPart - 1) / kPart
	size := m * n
	partial := getSharedB(parts * size)
	defer putSharedB(partial)
	loop(parts, 1, func(lo, hi int) {
		ws := getWorkspace()
		defer putWorkspace(ws)
		for p := lo; p < hi; p++ {
			p0 := p * kPart
			kp := min(kPart, k-p0)
			// Columns p0.. of op(A), rows p0.. of op(B).
			aOff, bOff := p0, p0*ldb
			if transA {
				aOff = p0 * lda
			}
			if transB {
				bOff = p0
			}
			gemmBlocked(kn, ws, transA, transB, m, n, kp, alpha, a[aOff:], lda, b[bOff:], ldb, 0, partial[p*size:(p+1)*size], n)
		}
	})
	// C = beta*C + the parts, summed in part order, row by row.
	loop(m, max(1, (16<<10)/max(n, 1)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := c[i*ldc : i*ldc+n]
			sum := partial[i*n : i*n+n]
			if beta == 0 {
				copy(row, sum)
			} else {
				for j := range row {
					row[j] = beta*row[j] + sum[j]
				}
			}
			for p := 1; p < parts; p++ {
				for j, v := range partial[p*size+i*n : p*size+i*n+n] {
					row[j] += v
				}
			}
		}
	})
}

// serialLoop runs body over [0, n) on the calling goroutine.
func serialLoop(n, _ int, body func(lo, hi int)) { body(0, n) }
