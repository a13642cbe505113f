//go:build !noasm

#include "textflag.h"

#include "act_amd64.h"

// The LSTM and GRU cells' pointwise steps (rnncell.go) for CPUs without
// AVX-512, 8 hidden units at a time: rnncell_amd64.s with the AVX2
// activations. The backward kernels do that file's operations in its
// order, so they give its bits. Whole vectors of units run with plain
// moves; the last H mod 8 units, if any, run the same step once more with
// masked moves (mask in Y8 forward, Y14 backward). The steps are macros
// over LD and ST, defined before each use.

// rnnLanes holds 8 ones and 8 zeros (as 32-bit lanes): rnnLanes+4·(8-k)
// is the mask of lanes < k.
DATA rnnLanes<>+0(SB)/8, $-1
DATA rnnLanes<>+8(SB)/8, $-1
DATA rnnLanes<>+16(SB)/8, $-1
DATA rnnLanes<>+24(SB)/8, $-1
DATA rnnLanes<>+32(SB)/8, $0
DATA rnnLanes<>+40(SB)/8, $0
DATA rnnLanes<>+48(SB)/8, $0
DATA rnnLanes<>+56(SB)/8, $0
GLOBL rnnLanes<>(SB), RODATA|NOPTR, $64

DATA rnnOne<>+0(SB)/4, $1.0
GLOBL rnnOne<>(SB), RODATA|NOPTR, $4

// TAILMASK sets m to the lanes of the CX < 8 units left. Clobbers AX.
#define TAILMASK(m) \
	LEAQ    rnnLanes<>(SB), AX; \
	NEGQ    CX; \
	VMOVUPS 32(AX)(CX*4), m

// LSTMSTEP is one vector of lstmCellAVX512's loop: the g gate first, so
// that i and f can stay in registers beside it (TANH2 needs eight).
#define LSTMSTEP \
	LD((SI)(R8*2), Y0); \
	TANH2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7); \
	ST(Y0, (SI)(R8*2)); \
	LD((SI), Y1); \
	SIGMOID2(Y1, Y4, Y5, Y6); \
	ST(Y1, (SI)); \
	LD((SI)(R8*1), Y2); \
	SIGMOID2(Y2, Y4, Y5, Y6); \
	ST(Y2, (SI)(R8*1)); \
	LD((DI), Y3); \
	VMULPS      Y3, Y2, Y3; \
	VFMADD231PS Y0, Y1, Y3; \
	ST(Y3, (R9)); \
	TANH2(Y3, Y0, Y1, Y2, Y4, Y5, Y6, Y7); \
	ST(Y3, (R10)); \
	LD((SI)(R12*1), Y0); \
	SIGMOID2(Y0, Y1, Y2, Y4); \
	ST(Y0, (SI)(R12*1)); \
	VMULPS Y3, Y0, Y0; \
	ST(Y0, (R11))

#define LD(a, r) VMOVUPS a, r
#define ST(r, a) VMOVUPS r, a

// func lstmCellAVX2(g, cp, cn, tc, h []float32)
//
// SI: g (gate i; f, g and o are R8, 2·R8 and R12 bytes on), DI: cp,
// R9: cn, R10: tc, R11: h; CX: units left.
TEXT ·lstmCellAVX2(SB), NOSPLIT, $0-120
	MOVQ g_base+0(FP), SI
	MOVQ cp_base+24(FP), DI
	MOVQ cp_len+32(FP), CX
	MOVQ cn_base+48(FP), R9
	MOVQ tc_base+72(FP), R10
	MOVQ h_base+96(FP), R11
	MOVQ CX, R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R12
	LOADCONSTS2
	CMPQ CX, $8
	JLT  tail

loop:
	LSTMSTEP
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	SUBQ $8, CX
	CMPQ CX, $8
	JGE  loop

#undef LD
#undef ST
#define LD(a, r) VMASKMOVPS a, Y8, r
#define ST(r, a) VMASKMOVPS r, Y8, a

tail:
	TESTQ CX, CX
	JZ    done
	TAILMASK(Y8)
	LSTMSTEP

done:
	VZEROUPPER
	RET

#undef LD
#undef ST

// LSTMBACKSTEP is one vector of lstmCellBackwardAVX512's loop, Y15
// holding 1. Every gate is loaded before any gradient is stored, so d may
// be a.
#define LSTMBACKSTEP \
	LD((SI), Y0); \
	LD((SI)(R8*1), Y1); \
	LD((SI)(R8*2), Y2); \
	LD((SI)(R12*1), Y3); \
	LD((R9), Y4); \
	LD((R10), Y5); \
	LD((R11), Y6); \
	VADDPS       Y6, Y5, Y5; /* dht = gh + dh */ \
	LD((R13), Y6); \
	VMOVAPS      Y15, Y7; \
	VFNMADD231PS Y4, Y4, Y7; /* 1 - tc² */ \
	VMULPS       Y3, Y5, Y8; \
	VFMADD231PS  Y7, Y8, Y6; /* dct = dc + dht·o·(1 - tc²) */ \
	VMULPS       Y2, Y6, Y7; /* d_i = dct·g·i·(1 - i) */ \
	VMULPS       Y0, Y7, Y7; \
	VSUBPS       Y0, Y15, Y8; \
	VMULPS       Y8, Y7, Y7; \
	ST(Y7, (R14)); \
	LD((DI), Y7); /* d_f = dct·cp·f·(1 - f) */ \
	VMULPS       Y7, Y6, Y7; \
	VMULPS       Y1, Y7, Y7; \
	VSUBPS       Y1, Y15, Y8; \
	VMULPS       Y8, Y7, Y7; \
	ST(Y7, (R14)(R8*1)); \
	VMULPS       Y0, Y6, Y7; /* d_g = dct·i·(1 - g²) */ \
	VMOVAPS      Y15, Y8; \
	VFNMADD231PS Y2, Y2, Y8; \
	VMULPS       Y8, Y7, Y7; \
	ST(Y7, (R14)(R8*2)); \
	VMULPS       Y4, Y5, Y7; /* d_o = dht·tc·o·(1 - o) */ \
	VMULPS       Y3, Y7, Y7; \
	VSUBPS       Y3, Y15, Y8; \
	VMULPS       Y8, Y7, Y7; \
	ST(Y7, (R14)(R12*1)); \
	VMULPS       Y1, Y6, Y6; /* dc = dct·f */ \
	ST(Y6, (R13))

#define LD(a, r) VMOVUPS a, r
#define ST(r, a) VMOVUPS r, a

// func lstmCellBackwardAVX2(a, cp, tc, gh, dh, dc, d []float32)
//
// SI: a (i; f, g and o are R8, 2·R8 and R12 bytes on), DI: cp, R9: tc,
// R10: gh, R11: dh, R13: dc, R14: d (laid out as a); CX: units left.
TEXT ·lstmCellBackwardAVX2(SB), NOSPLIT, $0-168
	MOVQ         a_base+0(FP), SI
	MOVQ         cp_base+24(FP), DI
	MOVQ         cp_len+32(FP), CX
	MOVQ         tc_base+48(FP), R9
	MOVQ         gh_base+72(FP), R10
	MOVQ         dh_base+96(FP), R11
	MOVQ         dc_base+120(FP), R13
	MOVQ         d_base+144(FP), R14
	MOVQ         CX, R8
	SHLQ         $2, R8
	LEAQ         (R8)(R8*2), R12
	VBROADCASTSS rnnOne<>(SB), Y15
	CMPQ         CX, $8
	JLT          backTail

backLoop:
	LSTMBACKSTEP
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R13
	ADDQ $32, R14
	SUBQ $8, CX
	CMPQ CX, $8
	JGE  backLoop

#undef LD
#undef ST
#define LD(a, r) VMASKMOVPS a, Y14, r
#define ST(r, a) VMASKMOVPS r, Y14, a

backTail:
	TESTQ CX, CX
	JZ    backDone
	TAILMASK(Y14)
	LSTMBACKSTEP

backDone:
	VZEROUPPER
	RET

#undef LD
#undef ST

// GRUBACKSTEP is one vector of gruCellBackwardAVX512's loop, Y15 holding
// 1. Every gate is loaded before any gradient is stored, so d may be a.
#define GRUBACKSTEP \
	LD((SI), Y0); \
	LD((SI)(R8*1), Y1); \
	LD((SI)(R8*2), Y2); \
	LD((R10), Y3); \
	LD((R11), Y4); \
	VADDPS       Y4, Y3, Y3; /* dht = gh + dh */ \
	VSUBPS       Y1, Y15, Y4; /* dnp = dht·(1 - z)·(1 - n²) */ \
	VMULPS       Y4, Y3, Y4; \
	VMOVAPS      Y15, Y5; \
	VFNMADD231PS Y2, Y2, Y5; \
	VMULPS       Y5, Y4, Y4; \
	LD((DI), Y5); /* dr = dnp·un·r·(1 - r) */ \
	VMULPS       Y5, Y4, Y5; \
	VMULPS       Y0, Y5, Y5; \
	VSUBPS       Y0, Y15, Y6; \
	VMULPS       Y6, Y5, Y5; \
	LD((R9), Y6); /* dz = dht·(hp - n)·z·(1 - z) */ \
	VSUBPS       Y2, Y6, Y6; \
	VMULPS       Y6, Y3, Y6; \
	VMULPS       Y1, Y6, Y6; \
	VSUBPS       Y1, Y15, Y7; \
	VMULPS       Y7, Y6, Y6; \
	ST(Y5, (R13)); \
	ST(Y6, (R13)(R8*1)); \
	ST(Y4, (R13)(R8*2)); \
	ST(Y5, (R14)); \
	ST(Y6, (R14)(R8*1)); \
	VMULPS       Y0, Y4, Y7; /* dnp·r */ \
	ST(Y7, (R14)(R8*2)); \
	VMULPS       Y1, Y3, Y3; /* dh = dht·z */ \
	ST(Y3, (R11))

#define LD(a, r) VMOVUPS a, r
#define ST(r, a) VMOVUPS r, a

// func gruCellBackwardAVX2(a, un, hp, gh, dh, d, du []float32)
//
// SI: a (r; z and n are R8 and 2·R8 bytes on), DI: un, R9: hp, R10: gh,
// R11: dh, R13: d, R14: du (both laid out as a); CX: units left.
TEXT ·gruCellBackwardAVX2(SB), NOSPLIT, $0-168
	MOVQ         a_base+0(FP), SI
	MOVQ         un_base+24(FP), DI
	MOVQ         hp_base+48(FP), R9
	MOVQ         hp_len+56(FP), CX
	MOVQ         gh_base+72(FP), R10
	MOVQ         dh_base+96(FP), R11
	MOVQ         d_base+120(FP), R13
	MOVQ         du_base+144(FP), R14
	MOVQ         CX, R8
	SHLQ         $2, R8
	VBROADCASTSS rnnOne<>(SB), Y15
	CMPQ         CX, $8
	JLT          gruTail

gruLoop:
	GRUBACKSTEP
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R13
	ADDQ $32, R14
	SUBQ $8, CX
	CMPQ CX, $8
	JGE  gruLoop

#undef LD
#undef ST
#define LD(a, r) VMASKMOVPS a, Y14, r
#define ST(r, a) VMASKMOVPS r, Y14, a

gruTail:
	TESTQ CX, CX
	JZ    gruDone
	TAILMASK(Y14)
	GRUBACKSTEP

gruDone:
	VZEROUPPER
	RET

#undef LD
#undef ST
