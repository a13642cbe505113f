//go:build !noasm

#include "textflag.h"

// 2×2 max pooling, 16 windows (32 input columns of a row pair) per step.
// Every step uses masked loads and stores, full masks but for the last one
// of a row, so one loop serves any width.

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

// func maxPool2x2BackwardAVX512(gx, x, gy []float32, w, rows, ow int)
TEXT ·maxPool2x2BackwardAVX512(SB), NOSPLIT, $0-96
	MOVQ    gx_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    gy_base+48(FP), R13
	MOVQ    w+72(FP), R10
	MOVQ    rows+80(FP), R8
	MOVQ    ow+88(FP), R9
	SHLQ    $2, R10
	XORQ    R14, R14
	MOVQ    $16, R15
	VMOVUPS poolIdx<>+0(SB), Z30
	VMOVUPS poolIdx<>+64(SB), Z31
	VMOVUPS poolIdx<>+128(SB), Z28
	VMOVUPS poolIdx<>+192(SB), Z29

bwdRow:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R9, CX

bwdStep:
	BLOCKMASKS
	VMOVUPS.Z (R13), K4, Z9
	WINDOWMAX
	// Each window's maximum and gradient, on both lanes of its columns.
	VPERMPS Z8, Z28, Z10
	VPERMPS Z8, Z29, Z11
	VPERMPS Z9, Z28, Z12
	VPERMPS Z9, Z29, Z13
	// Lanes holding the maximum: equal to it, or NaN (then the maximum is
	// NaN and equals nothing).
	VCMPPS  $0, Z10, Z0, K1
	VCMPPS  $3, Z0, Z0, K7
	KORW    K7, K1, K1
	VCMPPS  $0, Z11, Z1, K2
	VCMPPS  $3, Z1, Z1, K7
	KORW    K7, K2, K2
	VCMPPS  $0, Z10, Z2, K3
	VCMPPS  $3, Z2, Z2, K7
	KORW    K7, K3, K3
	VCMPPS  $0, Z11, Z3, K4
	VCMPPS  $3, Z3, Z3, K7
	KORW    K7, K4, K4
	// As 32-bit masks, bit 2c and 2c+1 for window c: AX top row, BX bottom.
	KMOVW   K1, AX
	KMOVW   K2, DX
	SHLL    $16, DX
	ORL     DX, AX
	KMOVW   K3, BX
	KMOVW   K4, DX
	SHLL    $16, DX
	ORL     DX, BX
	// Keep the first candidate of each window in row-major order.
	MOVL    $0x55555555, R15
	MOVL    AX, DX
	ANDL    R15, DX             // top left
	MOVL    DX, R14
	SHLL    $1, R14
	ORL     R15, R14
	ANDNL   AX, R14, AX         // top right, when top left is not
	ORL     DX, AX              // top winners
	MOVL    AX, DX
	SHRL    $1, DX
	ORL     AX, DX
	ANDL    R15, DX
	MOVL    DX, R14
	SHLL    $1, R14
	ORL     R14, DX             // both bits of windows won on top
	ANDNL   BX, DX, BX          // bottom candidates left
	MOVL    BX, DX
	ANDL    R15, DX             // bottom left
	MOVL    DX, R14
	SHLL    $1, R14
	ORL     R15, R14
	ANDNL   BX, R14, BX         // bottom right, when bottom left is not
	ORL     DX, BX              // bottom winners
	XORQ    R14, R14
	MOVQ    $16, R15
	KMOVW   AX, K1
	SHRL    $16, AX
	KMOVW   AX, K2
	KMOVW   BX, K3
	SHRL    $16, BX
	KMOVW   BX, K4
	VMOVUPS.Z Z12, K1, Z14
	VMOVUPS.Z Z13, K2, Z15
	VMOVUPS.Z Z12, K3, Z16
	VMOVUPS.Z Z13, K4, Z17
	VMOVUPS Z14, K5, (R12)
	VMOVUPS Z15, K6, 64(R12)
	VMOVUPS Z16, K5, (R12)(R10*1)
	VMOVUPS Z17, K6, 64(R12)(R10*1)
	ADDQ    $128, R11
	ADDQ    $128, R12
	ADDQ    $64, R13
	SUBQ    $16, CX
	JGT     bwdStep
	LEAQ    (R13)(CX*4), R13
	LEAQ    (SI)(R10*2), SI
	LEAQ    (DI)(R10*2), DI
	DECQ    R8
	JNZ     bwdRow
	VZEROUPPER
	RET
