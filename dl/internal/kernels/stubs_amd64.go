//go:build !noasm

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go

// The assembly kernels need the instructions and the OS support for their
// registers; x/sys/cpu checks both (XCR0 for the zmm and ymm state).
var (
	haveAVX512 = cpu.X86.HasAVX512F
	haveAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

// sgemmKernel12x32AVX512 adds the product of a rows×k block of A and a k×32
// panel of B to the first rows rows (1 to 12) of a 12×32 tile of C.
// Element (i, p) of the A block is a[i*rsA+p*csA]: a packed panel has
// rsA = 1, csA = 12; rows of a row-major A read in place have rsA = lda,
// csA = 1. Row p of the B panel is b[p*rsB:p*rsB+32]: rsB = 32 when packed,
// ldb when read in place.
//
//	for p := range k {
//		for i := range rows {
//			for j := range 32 {
//				c[i*ldc+j] += a[i*rsA+p*csA] * b[p*rsB+j]
//			}
//		}
//	}
//
// The sums are kept in registers, so each element of C is read and written
// once. It needs every a and b index above in range and len(c) ≥
// (rows-1)*ldc+32, which the caller guarantees; it does not check.
//
//go:noescape
func sgemmKernel12x32AVX512(k, rows int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int)

// sgemmKernel6x16AVX2 is sgemmKernel12x32AVX512 for a 6×16 tile:
//
//	for p := range k {
//		for i := range rows {
//			for j := range 16 {
//				c[i*ldc+j] += a[i*rsA+p*csA] * b[p*rsB+j]
//			}
//		}
//	}
//
//go:noescape
func sgemmKernel6x16AVX2(k, rows int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int)

// packT4 transposes four rows of src into k rows of four in dst, scaling by
// alpha; k must be a multiple of 4:
//
//	for p := range k {
//		for r := range 4 {
//			dst[p*ldd+r] = alpha * src[r*lds+p]
//		}
//	}
//
// The caller checks the bounds (see transposeBlock).
//
//go:noescape
func packT4(k int, alpha float32, src []float32, lds int, dst []float32, ldd int)

// saxpyAVX2 adds alpha*x to y; len(y) ≥ len(x), checked by the caller:
//
//	for i, v := range x {
//		y[i] += alpha * v
//	}
//
//go:noescape
func saxpyAVX2(alpha float32, x, y []float32)

// sdotAVX2 returns the dot product of x and y[:len(x)] (summed in a
// different order than this loop, so it may differ in the last bits):
//
//	var s float32
//	for i, v := range x {
//		s += v * y[i]
//	}
//	return s
//
//go:noescape
func sdotAVX2(x, y []float32) float32

// sigmoidAVX512 sets every element of x to its logistic sigmoid, within
// mathf's ulp bound of:
//
//	for i, v := range x {
//		x[i] = mathf.Sigmoid(v)
//	}
//
//go:noescape
func sigmoidAVX512(x []float32)

// tanhAVX512 sets every element of x to its tanh, within mathf's ulp bound
// of:
//
//	for i, v := range x {
//		x[i] = mathf.Tanh(v)
//	}
//
//go:noescape
func tanhAVX512(x []float32)

// sigmoidAVX2 is sigmoidAVX512 for the first len(x)&^7 elements of x; it
// leaves the rest alone.
//
//go:noescape
func sigmoidAVX2(x []float32)

// tanhAVX2 is tanhAVX512 for the first len(x)&^7 elements of x; it leaves
// the rest alone.
//
//go:noescape
func tanhAVX2(x []float32)
