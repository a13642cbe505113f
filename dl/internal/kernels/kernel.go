package kernels

// A microKernel adds the product of a rows×k block of A (rows ≤ mr; element
// (i, p) at a[i*rsA+p*csA]: a packed panel, column by column, or rows of A
// in place) and a k×nr panel of B (row p at b[p*rsB:]: packed, or B in
// place) to the first rows rows of an mr×nr tile of C with row stride ldc
// — or, when accumulate is false, stores the product there without
// reading C (the first slab of a product with beta 0, so C is never
// cleared beforehand). Everything else in Sgemm — blocking, packing,
// edges, threads — is plain Go around it.
type microKernel struct {
	name   string
	mr, nr int
	fn     func(k, rows int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int, accumulate bool)
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

// sgemmKernelRef is the loop every micro-kernel computes (for mr = rows).
func sgemmKernelRef(mr, nr, k int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int, accumulate bool) {
	if !accumulate {
		for i := range mr {
			clear(c[i*ldc : i*ldc+nr])
		}
	}
	for p := range k {
		for i := range mr {
			for j := range nr {
				c[i*ldc+j] += a[i*rsA+p*csA] * b[p*rsB+j]
			}
		}
	}
}

// sgemmKernel4x4 is the portable kernel: sgemmKernelRef for a 4×4 tile. It
// works in two passes of two rows so that the eight sums, four values of B
// and two of A fit in amd64's sixteen float registers (all sixteen sums at
// once spill to the stack, at half the speed).
func sgemmKernel4x4(k, rows int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int, accumulate bool) {
	if !accumulate {
		for i := range rows {
			clear(c[i*ldc : i*ldc+4])
		}
	}
	if k == 0 {
		return
	}
	_ = a[(rows-1)*rsA+(k-1)*csA]
	_ = b[(k-1)*rsB+3]
	for h := 0; h < rows; h += 2 {
		var c00, c01, c02, c03, c10, c11, c12, c13 float32
		// With an odd row count the pass's second row repeats the first
		// and is not stored.
		i0, i1 := h*rsA, min(h+1, rows-1)*rsA
		for p := range k {
			bb := b[p*rsB : p*rsB+4 : p*rsB+4]
			a0, a1 := a[i0], a[i1]
			i0 += csA
			i1 += csA
			b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
		}
		r := c[h*ldc : h*ldc+4 : h*ldc+4]
		r[0] += c00
		r[1] += c01
		r[2] += c02
		r[3] += c03
		if h+1 == rows {
			break
		}
		r = c[(h+1)*ldc : (h+1)*ldc+4 : (h+1)*ldc+4]
		r[0] += c10
		r[1] += c11
		r[2] += c12
		r[3] += c13
	}
}
