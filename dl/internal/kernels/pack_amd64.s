//go:build !noasm

#include "textflag.h"

// func packT4(k int, alpha float32, src []float32, lds int, dst []float32, ldd int)
//
// Four rows of src, k columns (k a multiple of 4), are scaled and written as
// k rows of four: each 4×4 block is transposed in registers (two unpacks and
// two half-moves per pair of rows) so that every load and store is 16 bytes.
TEXT ·packT4(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), CX
	MOVSS alpha+8(FP), X8
	SHUFPS $0, X8, X8
	MOVQ src_base+16(FP), SI
	MOVQ lds+40(FP), R8
	MOVQ dst_base+48(FP), DI
	MOVQ ldd+72(FP), R9
	SHLQ $2, R8
	SHLQ $2, R9
	LEAQ (R8)(R8*2), R10 // 3 source rows
	LEAQ (R9)(R9*2), R11 // 3 destination rows
	TESTQ CX, CX
	JEQ done

loop:
	MOVUPS (SI), X0        // a0 a1 a2 a3
	MOVUPS (SI)(R8*1), X1  // b0 b1 b2 b3
	MOVUPS (SI)(R8*2), X2  // c0 c1 c2 c3
	MOVUPS (SI)(R10*1), X3 // d0 d1 d2 d3
	MULPS X8, X0
	MULPS X8, X1
	MULPS X8, X2
	MULPS X8, X3
	MOVAPS X0, X4
	UNPCKLPS X1, X4 // a0 b0 a1 b1
	UNPCKHPS X1, X0 // a2 b2 a3 b3
	MOVAPS X2, X5
	UNPCKLPS X3, X5 // c0 d0 c1 d1
	UNPCKHPS X3, X2 // c2 d2 c3 d3
	MOVAPS X4, X1
	MOVLHPS X5, X1  // a0 b0 c0 d0
	MOVHLPS X4, X5  // a1 b1 c1 d1
	MOVAPS X0, X3
	MOVLHPS X2, X3  // a2 b2 c2 d2
	MOVHLPS X0, X2  // a3 b3 c3 d3
	MOVUPS X1, (DI)
	MOVUPS X5, (DI)(R9*1)
	MOVUPS X3, (DI)(R9*2)
	MOVUPS X2, (DI)(R11*1)
	ADDQ $16, SI
	LEAQ (DI)(R9*4), DI
	SUBQ $4, CX
	JNZ loop

done:
	RET
