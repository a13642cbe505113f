//go:build !noasm

#include "textflag.h"

// 2×2 max pooling, 16 windows (32 input columns of a row pair) per step.
// Every step uses masked loads and stores, full masks but for the last one
// of a row, so one loop serves any width. A window's position code is 0
// top left, 1 top right, 2 bottom left, 3 bottom right.

// Even and odd lanes of a pair of vectors (VPERMI2PS indices), and each of
// the first or last 8 lanes twice (VPERMPS indices).
DATA poolIdx<>+0(SB)/4, $0
DATA poolIdx<>+4(SB)/4, $2
DATA poolIdx<>+8(SB)/4, $4
DATA poolIdx<>+12(SB)/4, $6
DATA poolIdx<>+16(SB)/4, $8
DATA poolIdx<>+20(SB)/4, $10
DATA poolIdx<>+24(SB)/4, $12
DATA poolIdx<>+28(SB)/4, $14
DATA poolIdx<>+32(SB)/4, $16
DATA poolIdx<>+36(SB)/4, $18
DATA poolIdx<>+40(SB)/4, $20
DATA poolIdx<>+44(SB)/4, $22
DATA poolIdx<>+48(SB)/4, $24
DATA poolIdx<>+52(SB)/4, $26
DATA poolIdx<>+56(SB)/4, $28
DATA poolIdx<>+60(SB)/4, $30
DATA poolIdx<>+64(SB)/4, $1
DATA poolIdx<>+68(SB)/4, $3
DATA poolIdx<>+72(SB)/4, $5
DATA poolIdx<>+76(SB)/4, $7
DATA poolIdx<>+80(SB)/4, $9
DATA poolIdx<>+84(SB)/4, $11
DATA poolIdx<>+88(SB)/4, $13
DATA poolIdx<>+92(SB)/4, $15
DATA poolIdx<>+96(SB)/4, $17
DATA poolIdx<>+100(SB)/4, $19
DATA poolIdx<>+104(SB)/4, $21
DATA poolIdx<>+108(SB)/4, $23
DATA poolIdx<>+112(SB)/4, $25
DATA poolIdx<>+116(SB)/4, $27
DATA poolIdx<>+120(SB)/4, $29
DATA poolIdx<>+124(SB)/4, $31
DATA poolIdx<>+128(SB)/4, $0
DATA poolIdx<>+132(SB)/4, $0
DATA poolIdx<>+136(SB)/4, $1
DATA poolIdx<>+140(SB)/4, $1
DATA poolIdx<>+144(SB)/4, $2
DATA poolIdx<>+148(SB)/4, $2
DATA poolIdx<>+152(SB)/4, $3
DATA poolIdx<>+156(SB)/4, $3
DATA poolIdx<>+160(SB)/4, $4
DATA poolIdx<>+164(SB)/4, $4
DATA poolIdx<>+168(SB)/4, $5
DATA poolIdx<>+172(SB)/4, $5
DATA poolIdx<>+176(SB)/4, $6
DATA poolIdx<>+180(SB)/4, $6
DATA poolIdx<>+184(SB)/4, $7
DATA poolIdx<>+188(SB)/4, $7
DATA poolIdx<>+192(SB)/4, $8
DATA poolIdx<>+196(SB)/4, $8
DATA poolIdx<>+200(SB)/4, $9
DATA poolIdx<>+204(SB)/4, $9
DATA poolIdx<>+208(SB)/4, $10
DATA poolIdx<>+212(SB)/4, $10
DATA poolIdx<>+216(SB)/4, $11
DATA poolIdx<>+220(SB)/4, $11
DATA poolIdx<>+224(SB)/4, $12
DATA poolIdx<>+228(SB)/4, $12
DATA poolIdx<>+232(SB)/4, $13
DATA poolIdx<>+236(SB)/4, $13
DATA poolIdx<>+240(SB)/4, $14
DATA poolIdx<>+244(SB)/4, $14
DATA poolIdx<>+248(SB)/4, $15
DATA poolIdx<>+252(SB)/4, $15
GLOBL poolIdx<>(SB), RODATA|NOPTR, $256

DATA poolQuarter<>+0(SB)/4, $0.25
GLOBL poolQuarter<>(SB), RODATA|NOPTR, $4

// NANMAX sets dst to the lane-wise maximum of a and b, NaN where either
// is NaN (VMAXPS alone would return one operand). Clobbers K7.
#define NANMAX(a, b, dst) \
	VMAXPS  a, b, dst; \
	VCMPPS  $3, a, b, K7; \
	VADDPS  a, b, K7, dst

// BLOCKMASKS sets, for the step's t = min(CX, 16) windows, K5 and K6 to
// the lanes of the first and second 16 input columns and K4 to the lanes
// of t outputs. R14 holds 0 and R15 16. Clobbers AX, BX, DX.
#define BLOCKMASKS \
	MOVL    $0xffff, DX; \
	MOVQ    CX, AX; \
	CMPQ    AX, R15; \
	CMOVQGT R15, AX; \
	BZHIL   AX, DX, BX; \
	KMOVW   BX, K4; \
	SHLQ    $1, AX; \
	MOVQ    AX, BX; \
	CMPQ    AX, R15; \
	CMOVQGT R15, AX; \
	BZHIL   AX, DX, AX; \
	KMOVW   AX, K5; \
	SUBQ    R15, BX; \
	CMPQ    BX, R14; \
	CMOVQLT R14, BX; \
	BZHIL   BX, DX, BX; \
	KMOVW   BX, K6

// WINDOWMAX loads the step's row pair at R11 (row stride R10 bytes) into
// Z0, Z1 (top) and Z2, Z3 (bottom) and sets Z8 to the 16 window maxima.
#define WINDOWMAX \
	VMOVUPS.Z (R11), K5, Z0; \
	VMOVUPS.Z 64(R11), K6, Z1; \
	VMOVUPS.Z (R11)(R10*1), K5, Z2; \
	VMOVUPS.Z 64(R11)(R10*1), K6, Z3; \
	NANMAX(Z2, Z0, Z4); \
	NANMAX(Z3, Z1, Z5); \
	VMOVUPS Z30, Z6; \
	VPERMI2PS Z5, Z4, Z6; \
	VMOVUPS Z31, Z7; \
	VPERMI2PS Z5, Z4, Z7; \
	NANMAX(Z7, Z6, Z8)

// func maxPool2x2AVX512(y, x []float32, w, rows, ow int)
TEXT ·maxPool2x2AVX512(SB), NOSPLIT, $0-72
	MOVQ    y_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    w+48(FP), R10
	MOVQ    rows+56(FP), R8
	MOVQ    ow+64(FP), R9
	SHLQ    $2, R10
	XORQ    R14, R14
	MOVQ    $16, R15
	VMOVUPS poolIdx<>+0(SB), Z30
	VMOVUPS poolIdx<>+64(SB), Z31

fwdRow:
	MOVQ SI, R11
	MOVQ R9, CX

fwdStep:
	BLOCKMASKS
	WINDOWMAX
	VMOVUPS Z8, K4, (DI)
	ADDQ    $128, R11
	ADDQ    $64, DI
	SUBQ    $16, CX
	JGT     fwdStep
	// DI ran past the row by the last step's missing outputs (CX ≤ 0).
	LEAQ    (DI)(CX*4), DI
	LEAQ    (SI)(R10*2), SI
	DECQ    R8
	JNZ     fwdRow
	VZEROUPPER
	RET

// func maxPool2x2ArgmaxAVX512(y []float32, idx []uint8, x []float32, w, rows, ow int)
//
// The four positions of the windows are taken apart first (even and odd
// columns of each row), so that the code of a window is three masked
// moves: 3, then 2, 1, 0 where that position holds the maximum.
TEXT ·maxPool2x2ArgmaxAVX512(SB), NOSPLIT, $0-96
	MOVQ    y_base+0(FP), DI
	MOVQ    idx_base+24(FP), R12
	MOVQ    x_base+48(FP), SI
	MOVQ    w+72(FP), R10
	MOVQ    rows+80(FP), R8
	MOVQ    ow+88(FP), R9
	SHLQ    $2, R10
	XORQ    R14, R14
	MOVQ    $16, R15
	VMOVUPS poolIdx<>+0(SB), Z30
	VMOVUPS poolIdx<>+64(SB), Z31
	VPXORD  Z24, Z24, Z24
	MOVL    $1, AX
	VPBROADCASTD AX, Z25
	MOVL    $2, AX
	VPBROADCASTD AX, Z26
	MOVL    $3, AX
	VPBROADCASTD AX, Z27

argRow:
	MOVQ SI, R11
	MOVQ R9, CX

argStep:
	BLOCKMASKS
	VMOVUPS.Z (R11), K5, Z0
	VMOVUPS.Z 64(R11), K6, Z1
	VMOVUPS.Z (R11)(R10*1), K5, Z2
	VMOVUPS.Z 64(R11)(R10*1), K6, Z3
	VMOVUPS   Z30, Z4
	VPERMI2PS Z1, Z0, Z4 // top left of the 16 windows
	VMOVUPS   Z31, Z5
	VPERMI2PS Z1, Z0, Z5 // top right
	VMOVUPS   Z30, Z6
	VPERMI2PS Z3, Z2, Z6 // bottom left
	VMOVUPS   Z31, Z7
	VPERMI2PS Z3, Z2, Z7 // bottom right
	NANMAX(Z5, Z4, Z8)
	NANMAX(Z7, Z6, Z9)
	NANMAX(Z9, Z8, Z10)
	VMOVUPS   Z10, K4, (DI)
	// A position holds the maximum when equal to it or NaN (then the
	// maximum is NaN and equals nothing); the first such one wins.
	VMOVDQA32 Z27, Z20
	VCMPPS    $0, Z10, Z6, K1
	VCMPPS    $3, Z6, Z6, K2
	KORW      K2, K1, K1
	VMOVDQA32 Z26, K1, Z20
	VCMPPS    $0, Z10, Z5, K1
	VCMPPS    $3, Z5, Z5, K2
	KORW      K2, K1, K1
	VMOVDQA32 Z25, K1, Z20
	VCMPPS    $0, Z10, Z4, K1
	VCMPPS    $3, Z4, Z4, K2
	KORW      K2, K1, K1
	VMOVDQA32 Z24, K1, Z20
	VPMOVDB   Z20, K4, (R12)
	ADDQ      $128, R11
	ADDQ      $64, DI
	ADDQ      $16, R12
	SUBQ      $16, CX
	JGT       argStep
	LEAQ      (DI)(CX*4), DI
	ADDQ      CX, R12
	LEAQ      (SI)(R10*2), SI
	DECQ      R8
	JNZ       argRow
	VZEROUPPER
	RET

// func maxPool2x2ScatterAVX512(gx, gy []float32, idx []uint8, w, rows, ow int)
TEXT ·maxPool2x2ScatterAVX512(SB), NOSPLIT, $0-96
	MOVQ    gx_base+0(FP), DI
	MOVQ    gy_base+24(FP), R13
	MOVQ    idx_base+48(FP), SI
	MOVQ    w+72(FP), R10
	MOVQ    rows+80(FP), R8
	MOVQ    ow+88(FP), R9
	SHLQ    $2, R10
	XORQ    R14, R14
	MOVQ    $16, R15
	VMOVUPS poolIdx<>+128(SB), Z28
	VMOVUPS poolIdx<>+192(SB), Z29
	MOVL    $1, AX
	VPBROADCASTD AX, Z25
	MOVL    $2, AX
	VPBROADCASTD AX, Z26
	MOVL    $3, AX
	VPBROADCASTD AX, Z27

scatRow:
	MOVQ DI, R12
	MOVQ R9, CX

scatStep:
	BLOCKMASKS
	VMOVUPS.Z   (R13), K4, Z9
	VPMOVZXBD.Z (SI), K4, Z1
	VPERMPS     Z9, Z28, Z12
	VPERMPS     Z9, Z29, Z13
	// Window codes as masks, spread to bit 2c (left) or 2c+1 (right) of
	// the window's row: AX top, BX bottom.
	VPTESTNMD   Z1, Z1, K1
	VPCMPEQD    Z25, Z1, K2
	VPCMPEQD    Z26, Z1, K3
	VPCMPEQD    Z27, Z1, K7
	MOVL        $0x55555555, R14
	MOVL        $0xaaaaaaaa, R15
	KMOVW       K1, AX
	PDEPL       R14, AX, AX
	KMOVW       K2, DX
	PDEPL       R15, DX, DX
	ORL         DX, AX
	KMOVW       K3, BX
	PDEPL       R14, BX, BX
	KMOVW       K7, DX
	PDEPL       R15, DX, DX
	ORL         DX, BX
	XORQ        R14, R14
	MOVQ        $16, R15
	KMOVW       AX, K1
	SHRL        $16, AX
	KMOVW       AX, K2
	KMOVW       BX, K3
	SHRL        $16, BX
	KMOVW       BX, K7
	VMOVUPS.Z   Z12, K1, Z14
	VMOVUPS.Z   Z13, K2, Z15
	VMOVUPS.Z   Z12, K3, Z16
	VMOVUPS.Z   Z13, K7, Z17
	VMOVUPS     Z14, K5, (R12)
	VMOVUPS     Z15, K6, 64(R12)
	VMOVUPS     Z16, K5, (R12)(R10*1)
	VMOVUPS     Z17, K6, 64(R12)(R10*1)
	ADDQ        $128, R12
	ADDQ        $64, R13
	ADDQ        $16, SI
	SUBQ        $16, CX
	JGT         scatStep
	LEAQ        (R13)(CX*4), R13
	ADDQ        CX, SI
	LEAQ        (DI)(R10*2), DI
	DECQ        R8
	JNZ         scatRow
	VZEROUPPER
	RET

// func avgPool2x2AVX512(y, x []float32, w, rows, ow int)
TEXT ·avgPool2x2AVX512(SB), NOSPLIT, $0-72
	MOVQ    y_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    w+48(FP), R10
	MOVQ    rows+56(FP), R8
	MOVQ    ow+64(FP), R9
	SHLQ    $2, R10
	XORQ    R14, R14
	MOVQ    $16, R15
	VMOVUPS poolIdx<>+0(SB), Z30
	VMOVUPS poolIdx<>+64(SB), Z31
	VBROADCASTSS poolQuarter<>(SB), Z29

avgRow:
	MOVQ SI, R11
	MOVQ R9, CX

avgStep:
	BLOCKMASKS
	VMOVUPS.Z (R11), K5, Z0
	VMOVUPS.Z 64(R11), K6, Z1
	VMOVUPS.Z (R11)(R10*1), K5, Z2
	VMOVUPS.Z 64(R11)(R10*1), K6, Z3
	VADDPS    Z2, Z0, Z4
	VADDPS    Z3, Z1, Z5
	VMOVUPS   Z30, Z6
	VPERMI2PS Z5, Z4, Z6
	VMOVUPS   Z31, Z7
	VPERMI2PS Z5, Z4, Z7
	VADDPS    Z7, Z6, Z8
	VMULPS    Z29, Z8, Z8
	VMOVUPS   Z8, K4, (DI)
	ADDQ      $128, R11
	ADDQ      $64, DI
	SUBQ      $16, CX
	JGT       avgStep
	LEAQ      (DI)(CX*4), DI
	LEAQ      (SI)(R10*2), SI
	DECQ      R8
	JNZ       avgRow
	VZEROUPPER
	RET

// func avgPool2x2BackwardAVX512(gx, gy []float32, w, rows, ow int)
TEXT ·avgPool2x2BackwardAVX512(SB), NOSPLIT, $0-72
	MOVQ    gx_base+0(FP), DI
	MOVQ    gy_base+24(FP), R13
	MOVQ    w+48(FP), R10
	MOVQ    rows+56(FP), R8
	MOVQ    ow+64(FP), R9
	SHLQ    $2, R10
	XORQ    R14, R14
	MOVQ    $16, R15
	VMOVUPS poolIdx<>+128(SB), Z28
	VMOVUPS poolIdx<>+192(SB), Z30
	VBROADCASTSS poolQuarter<>(SB), Z29

avgBackRow:
	MOVQ DI, R12
	MOVQ R9, CX

avgBackStep:
	BLOCKMASKS
	VMOVUPS.Z (R13), K4, Z9
	VMULPS    Z29, Z9, Z9
	VPERMPS   Z9, Z28, Z12
	VPERMPS   Z9, Z30, Z13
	VMOVUPS   Z12, K5, (R12)
	VMOVUPS   Z13, K6, 64(R12)
	VMOVUPS   Z12, K5, (R12)(R10*1)
	VMOVUPS   Z13, K6, 64(R12)(R10*1)
	ADDQ      $128, R12
	ADDQ      $64, R13
	SUBQ      $16, CX
	JGT       avgBackStep
	LEAQ      (R13)(CX*4), R13
	LEAQ      (DI)(R10*2), DI
	DECQ      R8
	JNZ       avgBackRow
	VZEROUPPER
	RET
