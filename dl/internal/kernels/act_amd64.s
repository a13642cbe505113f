//go:build !noasm

#include "textflag.h"

#include "act_amd64.h"

// func sigmoidAVX512(x []float32)
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS

loop32:
	CMPQ CX, $32
	JLT loop16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	SIGMOID(Z0, Z2, Z3, Z4)
	SIGMOID(Z1, Z5, Z6, Z7)
	VMOVUPS Z0, (SI)
	VMOVUPS Z1, 64(SI)
	ADDQ $128, SI
	SUBQ $32, CX
	JMP loop32

loop16:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	SIGMOID(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, (SI)
	ADDQ $64, SI
	SUBQ $16, CX

tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	SIGMOID(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, K1, (SI)

done:
	VZEROUPPER
	RET

// func tanhAVX512(x []float32)
TEXT ·tanhAVX512(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS

loop16:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	TANH(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	VMOVUPS Z0, (SI)
	ADDQ $64, SI
	SUBQ $16, CX
	JMP loop16

tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	TANH(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	VMOVUPS Z0, K1, (SI)

done:
	VZEROUPPER
	RET

// The AVX2 versions: 8 lanes, constants broadcast from expConsts as they
// are needed (16 registers are too few to keep them all). Without
// VSCALEFPS, 2^n is built in the exponent bits, so the argument is clamped
// to where that stays a normal float; sigmoid and tanh saturate well inside
// those bounds.

DATA avx2Consts<>+0(SB)/4, $88.3
DATA avx2Consts<>+4(SB)/4, $-87.3
DATA avx2Consts<>+8(SB)/4, $127
GLOBL avx2Consts<>(SB), RODATA|NOPTR, $12

#define LOADCONSTS2 \
	VBROADCASTSS expConsts<>+0(SB), Y15; \
	VBROADCASTSS expConsts<>+4(SB), Y14; \
	VBROADCASTSS expConsts<>+8(SB), Y13; \
	VBROADCASTSS expConsts<>+36(SB), Y12; \
	VBROADCASTSS avx2Consts<>+0(SB), Y11; \
	VBROADCASTSS avx2Consts<>+4(SB), Y10; \
	VPBROADCASTD avx2Consts<>+8(SB), Y9; \
	VBROADCASTSS expConsts<>+12(SB), Y8

// EXP2 sets X = e^X using N, P, T as scratch.
#define EXP2(X, N, P, T) \
	VMINPS X, Y11, X; \
	VMAXPS X, Y10, X; \
	VMULPS Y15, X, N; \
	VROUNDPS $0, N, N; \
	VFNMADD231PS Y14, N, X; \
	VFNMADD231PS Y13, N, X; \
	VMOVAPS Y8, P; \
	VBROADCASTSS expConsts<>+16(SB), T; \
	VFMADD213PS T, X, P; \
	VBROADCASTSS expConsts<>+20(SB), T; \
	VFMADD213PS T, X, P; \
	VBROADCASTSS expConsts<>+24(SB), T; \
	VFMADD213PS T, X, P; \
	VBROADCASTSS expConsts<>+28(SB), T; \
	VFMADD213PS T, X, P; \
	VBROADCASTSS expConsts<>+32(SB), T; \
	VFMADD213PS T, X, P; \
	VMULPS X, X, T; \
	VFMADD213PS X, T, P; \
	VADDPS Y12, P, P; \
	VCVTPS2DQ N, N; \
	VPADDD Y9, N, N; \
	VPSLLD $23, N, N; \
	VMULPS N, P, X

// func sigmoidAVX2(x []float32)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS2
	VBROADCASTSS expConsts<>+56(SB), Y7

loop8:
	CMPQ CX, $8
	JLT done
	VMOVUPS (SI), Y0
	VXORPS Y7, Y0, Y0
	EXP2(Y0, Y1, Y2, Y3)
	VADDPS Y12, Y0, Y0
	VDIVPS Y0, Y12, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JMP loop8

done:
	VZEROUPPER
	RET

// func tanhAVX2(x []float32)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS2

loop8:
	CMPQ CX, $8
	JLT done
	VMOVUPS (SI), Y0
	VBROADCASTSS expConsts<>+52(SB), Y6
	VANDPS Y6, Y0, Y1                   // |x|
	VANDNPS Y0, Y6, Y2                  // sign of x
	VBROADCASTSS expConsts<>+48(SB), Y6
	VCMPPS $1, Y6, Y1, Y3               // |x| < 0.625
	VMULPS Y0, Y0, Y4                   // the polynomial in x², into Y5
	VBROADCASTSS expConsts<>+64(SB), Y5
	VBROADCASTSS expConsts<>+68(SB), Y6
	VFMADD213PS Y6, Y4, Y5
	VBROADCASTSS expConsts<>+72(SB), Y6
	VFMADD213PS Y6, Y4, Y5
	VBROADCASTSS expConsts<>+76(SB), Y6
	VFMADD213PS Y6, Y4, Y5
	VBROADCASTSS expConsts<>+80(SB), Y6
	VFMADD213PS Y6, Y4, Y5
	VMULPS Y4, Y0, Y4
	VFMADD213PS Y0, Y4, Y5
	VADDPS Y1, Y1, Y1                   // 1 - 2/(e^2|x| + 1), into Y1
	EXP2(Y1, Y6, Y7, Y4)
	VADDPS Y12, Y1, Y1
	VBROADCASTSS expConsts<>+60(SB), Y6
	VDIVPS Y1, Y6, Y1
	VSUBPS Y1, Y12, Y1
	VORPS Y2, Y1, Y1
	VBLENDVPS Y3, Y5, Y1, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JMP loop8

done:
	VZEROUPPER
	RET

// func expAVX512(x []float32)
TEXT ·expAVX512(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS

loop32:
	CMPQ CX, $32
	JLT loop16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	EXP(Z0, Z2, Z3, Z4)
	EXP(Z1, Z5, Z6, Z7)
	VMOVUPS Z0, (SI)
	VMOVUPS Z1, 64(SI)
	ADDQ $128, SI
	SUBQ $32, CX
	JMP loop32

loop16:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	EXP(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, (SI)
	ADDQ $64, SI
	SUBQ $16, CX

tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	EXP(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, K1, (SI)

done:
	VZEROUPPER
	RET

