//go:build !noasm

#include "textflag.h"

#include "act_amd64.h"

// The LSTM and GRU cells' pointwise steps (rnncell.go), 16 hidden units at
// a time. A
// mask in K1 covers the units left (all 16 but on the last pass), so a
// row of any width runs through the same body.

// SETMASK sets K1 to the lanes of the next 16 units of CX left.
#define SETMASK \
	MOVL $0xffff, AX; \
	CMPQ CX, $16; \
	JGE 4(PC); \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K1

// func lstmCellAVX512(g, cp, cn, tc, h []float32)
//
// SI: g (gate i; f, g and o are R8, 2·R8 and R12 bytes on), DI: cp,
// R9: cn, R10: tc, R11: h; CX: units left.
TEXT ·lstmCellAVX512(SB), NOSPLIT, $0-120
	MOVQ g_base+0(FP), SI
	MOVQ cp_base+24(FP), DI
	MOVQ cp_len+32(FP), CX
	MOVQ cn_base+48(FP), R9
	MOVQ tc_base+72(FP), R10
	MOVQ h_base+96(FP), R11
	MOVQ CX, R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R12
	LOADCONSTS

loop:
	SETMASK
	VMOVUPS.Z (SI), K1, Z0
	SIGMOID(Z0, Z5, Z6, Z7)
	VMOVUPS Z0, K1, (SI)
	VMOVUPS.Z (SI)(R8*1), K1, Z1
	SIGMOID(Z1, Z5, Z6, Z7)
	VMOVUPS Z1, K1, (SI)(R8*1)
	VMOVUPS.Z (SI)(R8*2), K1, Z2
	TANH(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	VMOVUPS Z2, K1, (SI)(R8*2)
	VMOVUPS.Z (DI), K1, Z3
	VMULPS Z3, Z1, Z3         // c = f·cp
	VFMADD231PS Z2, Z0, Z3    // c += i·g
	VMOVUPS Z3, K1, (R9)
	TANH(Z3, Z0, Z1, Z2, Z4, Z5, Z6, Z7)
	VMOVUPS Z3, K1, (R10)
	VMOVUPS.Z (SI)(R12*1), K1, Z8
	SIGMOID(Z8, Z5, Z6, Z7)
	VMOVUPS Z8, K1, (SI)(R12*1)
	VMULPS Z3, Z8, Z8         // h = o·tanh(c)
	VMOVUPS Z8, K1, (R11)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $64, R11
	SUBQ $16, CX
	JGT loop

	VZEROUPPER
	RET

// func lstmCellBackwardAVX512(a, cp, tc, gh, dh, dc, d []float32)
//
// SI: a (i; f, g and o are R8, 2·R8 and R12 bytes on), DI: cp, R9: tc,
// R10: gh, R11: dh, R13: dc, R14: d (laid out as a); CX: units left.
// Z31 holds 1.
TEXT ·lstmCellBackwardAVX512(SB), NOSPLIT, $0-168
	MOVQ a_base+0(FP), SI
	MOVQ cp_base+24(FP), DI
	MOVQ cp_len+32(FP), CX
	MOVQ tc_base+48(FP), R9
	MOVQ gh_base+72(FP), R10
	MOVQ dh_base+96(FP), R11
	MOVQ dc_base+120(FP), R13
	MOVQ d_base+144(FP), R14
	MOVQ CX, R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R12
	VBROADCASTSS one<>(SB), Z31

loop:
	SETMASK
	VMOVUPS.Z (SI), K1, Z0         // i
	VMOVUPS.Z (SI)(R8*1), K1, Z1   // f
	VMOVUPS.Z (SI)(R8*2), K1, Z2   // g
	VMOVUPS.Z (SI)(R12*1), K1, Z3  // o
	VMOVUPS.Z (R9), K1, Z4         // tanh(c)
	VMOVUPS.Z (R10), K1, Z5
	VADDPS.Z (R11), Z5, K1, Z5     // dht = gh + dh
	VMOVUPS.Z (R13), K1, Z6
	VMOVAPS Z31, Z7
	VFNMADD231PS Z4, Z4, Z7        // 1 - tc²
	VMULPS Z3, Z5, Z8              // dht·o
	VFMADD231PS Z7, Z8, Z6         // dct = dc + dht·o·(1 - tc²)

	VMULPS Z2, Z6, Z7              // d_i = dct·g·i·(1 - i)
	VMULPS Z0, Z7, Z7
	VSUBPS Z0, Z31, Z8
	VMULPS Z8, Z7, Z7
	VMOVUPS Z7, K1, (R14)

	VMOVUPS.Z (DI), K1, Z7         // d_f = dct·cp·f·(1 - f)
	VMULPS Z7, Z6, Z7
	VMULPS Z1, Z7, Z7
	VSUBPS Z1, Z31, Z8
	VMULPS Z8, Z7, Z7
	VMOVUPS Z7, K1, (R14)(R8*1)

	VMULPS Z0, Z6, Z7              // d_g = dct·i·(1 - g²)
	VMOVAPS Z31, Z8
	VFNMADD231PS Z2, Z2, Z8
	VMULPS Z8, Z7, Z7
	VMOVUPS Z7, K1, (R14)(R8*2)

	VMULPS Z4, Z5, Z7              // d_o = dht·tc·o·(1 - o)
	VMULPS Z3, Z7, Z7
	VSUBPS Z3, Z31, Z8
	VMULPS Z8, Z7, Z7
	VMOVUPS Z7, K1, (R14)(R12*1)

	VMULPS Z1, Z6, Z6              // dc = dct·f
	VMOVUPS Z6, K1, (R13)

	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R13
	ADDQ $64, R14
	SUBQ $16, CX
	JGT loop

	VZEROUPPER
	RET

DATA one<>+0(SB)/4, $1.0
GLOBL one<>(SB), RODATA|NOPTR, $4

// func gruCellBackwardAVX512(a, un, hp, gh, dh, d, du []float32)
//
// SI: a (r; z and n are R8 and 2·R8 bytes on), DI: un, R9: hp, R10: gh,
// R11: dh, R13: d, R14: du (both laid out as a); CX: units left. Z31
// holds 1.
TEXT ·gruCellBackwardAVX512(SB), NOSPLIT, $0-168
	MOVQ a_base+0(FP), SI
	MOVQ un_base+24(FP), DI
	MOVQ hp_base+48(FP), R9
	MOVQ hp_len+56(FP), CX
	MOVQ gh_base+72(FP), R10
	MOVQ dh_base+96(FP), R11
	MOVQ d_base+120(FP), R13
	MOVQ du_base+144(FP), R14
	MOVQ CX, R8
	SHLQ $2, R8
	VBROADCASTSS one<>(SB), Z31

gloop:
	SETMASK
	VMOVUPS.Z (SI), K1, Z0         // r
	VMOVUPS.Z (SI)(R8*1), K1, Z1   // z
	VMOVUPS.Z (SI)(R8*2), K1, Z2   // n
	VMOVUPS.Z (R10), K1, Z3
	VADDPS.Z (R11), Z3, K1, Z3     // dht = gh + dh

	VSUBPS Z1, Z31, Z4             // dnp = dht·(1 - z)·(1 - n²)
	VMULPS Z4, Z3, Z4
	VMOVAPS Z31, Z5
	VFNMADD231PS Z2, Z2, Z5
	VMULPS Z5, Z4, Z4

	VMOVUPS.Z (DI), K1, Z5         // dr = dnp·un·r·(1 - r)
	VMULPS Z5, Z4, Z5
	VMULPS Z0, Z5, Z5
	VSUBPS Z0, Z31, Z6
	VMULPS Z6, Z5, Z5

	VMOVUPS.Z (R9), K1, Z6         // dz = dht·(hp - n)·z·(1 - z)
	VSUBPS Z2, Z6, Z6
	VMULPS Z6, Z3, Z6
	VMULPS Z1, Z6, Z6
	VSUBPS Z1, Z31, Z7
	VMULPS Z7, Z6, Z6

	VMOVUPS Z5, K1, (R13)
	VMOVUPS Z6, K1, (R13)(R8*1)
	VMOVUPS Z4, K1, (R13)(R8*2)
	VMOVUPS Z5, K1, (R14)
	VMOVUPS Z6, K1, (R14)(R8*1)
	VMULPS Z0, Z4, Z7              // dnp·r
	VMOVUPS Z7, K1, (R14)(R8*2)
	VMULPS Z1, Z3, Z3              // dh = dht·z
	VMOVUPS Z3, K1, (R11)

	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R13
	ADDQ $64, R14
	SUBQ $16, CX
	JGT gloop

	VZEROUPPER
	RET
