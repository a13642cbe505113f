//go:build !noasm

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go
//go:generate go run gen_optim.go

// The assembly kernels need the instructions and the OS support for their
// registers; x/sys/cpu checks both (XCR0 for the zmm and ymm state).
var (
	haveAVX512 = cpu.X86.HasAVX512F
	haveAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

// sgemmKernel12x32AVX512 adds the product of a rows×k block of A and a k×32
// panel of B to the first rows rows (1 to 12) of a 12×32 tile of C, or
// stores it there when accumulate is false (C is then not read).
// Element (i, p) of the A block is a[i*rsA+p*csA]: a packed panel has
// rsA = 1, csA = 12; rows of a row-major A read in place have rsA = lda,
// csA = 1. Row p of the B panel is b[p*rsB:p*rsB+32]: rsB = 32 when packed,
// ldb when read in place.
//
//	if !accumulate {
//		// zero the first rows rows of the tile
//	}
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
func sgemmKernel12x32AVX512(k, rows int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int, accumulate bool)

// sgemmKernel6x16AVX2 is sgemmKernel12x32AVX512 for a 6×16 tile:
//
//	if !accumulate {
//		// zero the first rows rows of the tile
//	}
//	for p := range k {
//		for i := range rows {
//			for j := range 16 {
//				c[i*ldc+j] += a[i*rsA+p*csA] * b[p*rsB+j]
//			}
//		}
//	}
//
//go:noescape
func sgemmKernel6x16AVX2(k, rows int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int, accumulate bool)

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

// adamAVX512 is adamGo (optim.go) on the first len(w)&^15 elements, 16 at
// a time, giving the same bits; the rest is left to the caller:
//
//	for j := range len(w) &^ 15 {
//		wj := w[j] * s.Shrink
//		if s.WeightDecay != 0 {
//			g[j] += s.WeightDecay * wj // in a register: g is not written
//		}
//		m[j] = flush(m[j]*s.Beta1 + s.OneMinusBeta1*g[j])
//		v[j] = flush(v[j]*s.Beta2 + s.OneMinusBeta2*(g[j]*g[j]))
//		vj := v[j]
//		if len(vmax) > 0 {
//			vmax[j] = vmax[j] > vj ? vmax[j] : vj
//			vj = vmax[j]
//		}
//		w[j] = wj - s.StepSize*(m[j]/(sqrt(vj)/s.BiasCorrection2+s.Eps))
//	}
//
// g, m, v and (when not empty) vmax must be at least as long as w; the
// caller checks.
//
//go:noescape
func adamAVX512(s *AdamScalars, w, g, m, v, vmax []float32)

// adamAVX2 is adamAVX512 on the first len(w)&^7 elements, 8 at a time.
//
//go:noescape
func adamAVX2(s *AdamScalars, w, g, m, v, vmax []float32)

// sgdAVX512 is sgdGo (optim.go) on the first len(w)&^15 elements, giving
// the same bits; the rest is left to the caller:
//
//	for j := range len(w) &^ 15 {
//		gj := g[j]
//		if s.WeightDecay != 0 {
//			gj += s.WeightDecay * w[j]
//		}
//		d := gj
//		if len(buf) > 0 {
//			buf[j] = flush(buf[j]*s.Decay + s.GradScale*gj)
//			d = buf[j]
//			if s.Nesterov != 0 {
//				d = gj + s.Nesterov*buf[j]
//			}
//		}
//		w[j] -= s.LR * d
//	}
//
// g and (when not empty) buf must be at least as long as w.
//
//go:noescape
func sgdAVX512(s *SGDScalars, w, g, buf []float32)

// sgdAVX2 is sgdAVX512 on the first len(w)&^7 elements, 8 at a time.
//
//go:noescape
func sgdAVX2(s *SGDScalars, w, g, buf []float32)

// rmspropAVX512 is rmspropGo (optim.go) on the first len(w)&^15 elements,
// giving the same bits; the rest is left to the caller:
//
//	for j := range len(w) &^ 15 {
//		gj := g[j]
//		if s.WeightDecay != 0 {
//			gj += s.WeightDecay * w[j]
//		}
//		sq[j] = flush(sq[j]*s.Alpha + s.OneMinusAlpha*(gj*gj))
//		d := sq[j]
//		if len(avg) > 0 {
//			avg[j] = flush(avg[j]*s.Alpha + s.OneMinusAlpha*gj)
//			d -= avg[j] * avg[j]
//		}
//		d = sqrt(d) + s.Eps
//		if len(buf) > 0 {
//			buf[j] = flush(buf[j]*s.Momentum + gj/d)
//			w[j] -= s.LR * buf[j]
//		} else {
//			w[j] -= s.LR * (gj / d)
//		}
//	}
//
// g, sq and the non-empty ones of avg and buf must be at least as long as w.
//
//go:noescape
func rmspropAVX512(s *RMSpropScalars, w, g, sq, avg, buf []float32)

// rmspropAVX2 is rmspropAVX512 on the first len(w)&^7 elements, 8 at a time.
//
//go:noescape
func rmspropAVX2(s *RMSpropScalars, w, g, sq, avg, buf []float32)
