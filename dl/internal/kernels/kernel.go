package kernels

// A microKernel adds the product of a packed mr×k panel of A (column by
// column: a[p*mr+i]) and a packed k×nr panel of B (row by row: b[p*nr+j]) to
// an mr×nr tile of C with row stride ldc. Everything else in Sgemm —
// blocking, packing, edges, threads — is plain Go around it.
type microKernel struct {
	name   string
	mr, nr int
	fn     func(k int, a, b, c []float32, ldc int)
}

var (
	kernelAVX512 = microKernel{"avx512", 12, 32, sgemmKernel12x32AVX512}
	kernelAVX2   = microKernel{"avx2", 6, 16, sgemmKernel6x16AVX2}
	kernelGo     = microKernel{"go", 4, 4, sgemmKernel4x4}
)

// useAVX512 and useAVX2 pick the kernel; tests switch them off to reach the
// slower paths on a machine that has the fast ones.
var (
	useAVX512 = haveAVX512
	useAVX2   = haveAVX2
)

func chooseKernel() *microKernel {
	switch {
	case useAVX512:
		return &kernelAVX512
	case useAVX2:
		return &kernelAVX2
	}
	return &kernelGo
}

// Largest tile of any kernel; sizes the scratch tile used at the edges.
const maxMR, maxNR = 12, 32

// sgemmKernelRef is the loop every micro-kernel computes.
func sgemmKernelRef(mr, nr, k int, a, b, c []float32, ldc int) {
	for p := range k {
		for i := range mr {
			for j := range nr {
				c[i*ldc+j] += a[p*mr+i] * b[p*nr+j]
			}
		}
	}
}

// sgemmKernel4x4 is the portable kernel: sgemmKernelRef for a 4×4 tile,
// with the sixteen sums in local variables so the compiler keeps them in
// registers.
func sgemmKernel4x4(k int, a, b, c []float32, ldc int) {
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	a = a[:4*k]
	b = b[:4*k]
	for p := 0; p < len(a); p += 4 {
		aa := a[p : p+4 : p+4]
		bb := b[p : p+4 : p+4]
		a0, a1, a2, a3 := aa[0], aa[1], aa[2], aa[3]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	r := c[0:4:4]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = c[ldc : ldc+4 : ldc+4]
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
	r = c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r = c[3*ldc : 3*ldc+4 : 3*ldc+4]
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
}
