package kernels

// SgemmSerial is Sgemm on the calling goroutine alone, for products inside
// a For body: there the other threads are already busy with the body's
// other ranges, and a product that handed out work of its own would take
// the helpers from the outer loop. It computes the same bits as Sgemm,
// whose results depend on the shape alone: the same path for each shape,
// summing every element's k terms in the same order (TestSgemmSerial
// checks this against Sgemm on several threads).
func SgemmSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	switch {
	case m == 0 || n == 0:
	case k == 0 || alpha == 0:
		scaleC(m, n, beta, c, ldc)
	case m*n*k <= tinyWork:
		sgemmRef(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	case m <= smallM:
		gemmSmallM(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	case useKSplit(m, n, k):
		gemmKSplit(serialLoop, chooseKernel(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	default:
		ws := getWorkspace()
		gemmBlocked(chooseKernel(), ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		putWorkspace(ws)
	}
}
