//go:build !noasm

#include "textflag.h"

// The AVX2 2×2 pooling kernels (pool.go), 8 windows (16 input columns of
// a row pair) per step, for CPUs without AVX-512. Each follows its
// AVX-512 sibling in pool_amd64.s operation for operation (the same
// maximum tree and operand order), so the results are the same bits.
//
// The two rows of a step's windows are taken apart into even and odd
// columns with VSHUFPS, which leaves the windows in the order 0 1 4 5 2 3
// 6 7; work goes on in that order and one VPERMPD puts the results back.
//
// Masked stores (VMASKMOVPS) are slow on AMD cores, so they are kept to
// where nothing else will do. A row of ow ≥ 8 windows runs in whole steps,
// the last one moved back to end at the row's end (it writes some outputs
// again, the same values), so nothing is masked. A narrower row (ow < 8)
// runs one step with masked loads; its outputs are stored whole, the
// lanes past the row landing on the next row's outputs, which are stored
// after them, but for the last 8 outputs; a row of gx gradients is
// stored as its first 8 and its last 8 columns when ow ≥ 4, and through
// masks when ow < 4. The steps are macros over LD and ST, plain moves or
// masked ones (the mask argument is then used), defined before each use.

// poolLanes holds 16 ones and 16 zeros (as 32-bit lanes):
// poolLanes+4·(16-k) is the mask of lanes < k, for k in [-8, 16].
DATA poolLanes<>+0(SB)/8, $-1
DATA poolLanes<>+8(SB)/8, $-1
DATA poolLanes<>+16(SB)/8, $-1
DATA poolLanes<>+24(SB)/8, $-1
DATA poolLanes<>+32(SB)/8, $-1
DATA poolLanes<>+40(SB)/8, $-1
DATA poolLanes<>+48(SB)/8, $-1
DATA poolLanes<>+56(SB)/8, $-1
DATA poolLanes<>+64(SB)/8, $0
DATA poolLanes<>+72(SB)/8, $0
DATA poolLanes<>+80(SB)/8, $0
DATA poolLanes<>+88(SB)/8, $0
DATA poolLanes<>+96(SB)/8, $0
DATA poolLanes<>+104(SB)/8, $0
DATA poolLanes<>+112(SB)/8, $0
DATA poolLanes<>+120(SB)/8, $0
GLOBL poolLanes<>(SB), RODATA|NOPTR, $128

// Lane indices that repeat each of the first or last 4 lanes twice
// (VPERMPS), the position codes of a row pair's even and odd columns, and
// the codes 1 and 3 in every lane.
DATA poolPair<>+0(SB)/8, $0x0000000000000000
DATA poolPair<>+8(SB)/8, $0x0000000100000001
DATA poolPair<>+16(SB)/8, $0x0000000200000002
DATA poolPair<>+24(SB)/8, $0x0000000300000003
DATA poolPair<>+32(SB)/8, $0x0000000400000004
DATA poolPair<>+40(SB)/8, $0x0000000500000005
DATA poolPair<>+48(SB)/8, $0x0000000600000006
DATA poolPair<>+56(SB)/8, $0x0000000700000007
DATA poolPair<>+64(SB)/8, $0x0000000100000000
DATA poolPair<>+72(SB)/8, $0x0000000100000000
DATA poolPair<>+80(SB)/8, $0x0000000100000000
DATA poolPair<>+88(SB)/8, $0x0000000100000000
DATA poolPair<>+96(SB)/8, $0x0000000300000002
DATA poolPair<>+104(SB)/8, $0x0000000300000002
DATA poolPair<>+112(SB)/8, $0x0000000300000002
DATA poolPair<>+120(SB)/8, $0x0000000300000002
DATA poolPair<>+128(SB)/8, $0x0000000100000001
DATA poolPair<>+136(SB)/8, $0x0000000100000001
DATA poolPair<>+144(SB)/8, $0x0000000100000001
DATA poolPair<>+152(SB)/8, $0x0000000100000001
DATA poolPair<>+160(SB)/8, $0x0000000300000003
DATA poolPair<>+168(SB)/8, $0x0000000300000003
DATA poolPair<>+176(SB)/8, $0x0000000300000003
DATA poolPair<>+184(SB)/8, $0x0000000300000003
GLOBL poolPair<>(SB), RODATA|NOPTR, $192

DATA poolQuarter2<>+0(SB)/4, $0.25
GLOBL poolQuarter2<>(SB), RODATA|NOPTR, $4

// NARROWMASKS sets, for a row of t = ow < 8 windows (in R9), Y11 and Y12
// to the lanes of the first and second 8 input columns (2t of them) and
// Y13 to the lanes of the t outputs, and R14 to the number of outputs,
// rows·t (R8·R9). Clobbers AX, DX.
#define NARROWMASKS \
	LEAQ    poolLanes<>(SB), DX; \
	MOVQ    R9, AX; \
	NEGQ    AX; \
	VMOVUPS 64(DX)(AX*4), Y13; \
	SHLQ    $1, AX; \
	VMOVUPS 64(DX)(AX*4), Y11; \
	VMOVUPS 96(DX)(AX*4), Y12; \
	MOVQ    R8, R14; \
	IMULQ   R9, R14

// STOREY stores the step's outputs in r at DI, in a narrow row: whole
// while 8 or more outputs are left (R14), else through the mask Y13.
#define STOREY(r, last, next) \
	CMPQ       R14, $8; \
	JLT        last; \
	VMOVUPS    r, (DI); \
	JMP        next; \
last: \
	VMASKMOVPS r, Y13, (DI); \
next:

// GXHALVES prepares a narrow row's gx stores for SCATSTEP and AVGBACKSTEP:
// when ow ≥ 4, the second 8 columns stored are the row's last 8
// (R11 = 8·(ow-4) bytes on), holding windows ow-4 … ow-1 (Y5 = Y4 +
// ow-4), every store plain; when ow < 4 it jumps to masked, R11 = 32, for
// masked stores. Clobbers AX.
#define GXHALVES(masked) \
	MOVQ         $32, R11; \
	CMPQ         R9, $4; \
	JLT          masked; \
	LEAQ         -4(R9), AX; \
	LEAQ         (AX*8), R11; \
	VMOVQ        AX, X5; \
	VPBROADCASTD X5, Y5; \
	VPADDD       Y4, Y5, Y5

// BACKUP moves the step pointers back so that a last step of CX < 8
// windows ends at the row's end, and sets CX to 8: the pointers to the
// row pair and to the outputs move back by 8 and 4 bytes a window. It
// leaves minus the windows moved back in AX (for the position codes).
#define BACKUP(pair, out) \
	MOVQ CX, AX; \
	SUBQ $8, AX; \
	LEAQ (pair)(AX*8), pair; \
	LEAQ (out)(AX*4), out; \
	MOVQ $8, CX

// NANMAX2 sets dst to the lane-wise maximum of a and b, NaN where either
// is NaN, as pool_amd64.s's NANMAX (the sum of the two where unordered).
// Clobbers Y14, Y15.
#define NANMAX2(a, b, dst) \
	VMAXPS    a, b, dst; \
	VCMPPS    $3, a, b, Y14; \
	VADDPS    a, b, Y15; \
	VBLENDVPS Y14, Y15, dst, dst

// LOADPAIR loads the step's row pair at R11 (row stride R10 bytes) into
// Y0, Y1 (top) and Y2, Y3 (bottom).
#define LOADPAIR \
	LD((R11), Y11, Y0); \
	LD(32(R11), Y12, Y1); \
	LD((R11)(R10*1), Y11, Y2); \
	LD(32(R11)(R10*1), Y12, Y3)

// MAXSTEP sets Y8 to the maxima of the step's windows: the maximum of
// the two rows, then of the even and odd columns, as maxPool2x2AVX512.
#define MAXSTEP \
	LOADPAIR; \
	NANMAX2(Y2, Y0, Y4); \
	NANMAX2(Y3, Y1, Y5); \
	VSHUFPS $0x88, Y5, Y4, Y6; \
	VSHUFPS $0xDD, Y5, Y4, Y7; \
	NANMAX2(Y7, Y6, Y8); \
	VPERMPD $0xD8, Y8, Y8

// ARGSTEP sets Y14 to the maxima as maxPool2x2ArgmaxAVX512 computes them
// (the two columns, then the two rows) and the low 8 bytes of X7 to the
// windows' position codes: 3, then 2, 1, 0 where that position equals the
// maximum or is NaN.
#define ARGSTEP \
	LOADPAIR; \
	VSHUFPS      $0x88, Y1, Y0, Y4; \
	VSHUFPS      $0xDD, Y1, Y0, Y5; \
	VSHUFPS      $0x88, Y3, Y2, Y6; \
	VSHUFPS      $0xDD, Y3, Y2, Y7; \
	NANMAX2(Y5, Y4, Y8); \
	NANMAX2(Y7, Y6, Y9); \
	NANMAX2(Y9, Y8, Y10); \
	VPERMPD      $0xD8, Y10, Y14; \
	VCMPPS       $0, Y10, Y6, Y7; \
	VCMPPS       $3, Y6, Y6, Y8; \
	VORPS        Y8, Y7, Y7; \
	VPADDD       poolPair<>+160(SB), Y7, Y7; \
	VCMPPS       $0, Y10, Y5, Y8; \
	VCMPPS       $3, Y5, Y5, Y9; \
	VORPS        Y9, Y8, Y8; \
	VBLENDVPS    Y8, poolPair<>+128(SB), Y7, Y7; \
	VCMPPS       $0, Y10, Y4, Y8; \
	VCMPPS       $3, Y4, Y4, Y9; \
	VORPS        Y9, Y8, Y8; \
	VPANDN       Y7, Y8, Y7; \
	VPERMQ       $0xD8, Y7, Y7; \
	VEXTRACTI128 $1, Y7, X8; \
	VPACKSSDW    X8, X7, X7; \
	VPACKUSWB    X7, X7, X7

// SCATSTEP writes the step's windows of gx at R12 (the second 8 columns
// R11 bytes on) from the gradients at R13 and the codes in Y1 (one a
// lane): the gradient where the code names the position, 0 elsewhere.
// Y4, Y5 hold the lane-pair indices of the two 8 columns, Y6, Y7 the
// codes of the top and bottom rows' positions. Clobbers BX.
#define SCATSTEP \
	LD((R13), Y13, Y9); \
	VPERMPS  Y9, Y4, Y0; \
	VPERMPS  Y9, Y5, Y8; \
	VPERMD   Y1, Y4, Y2; \
	VPERMD   Y1, Y5, Y3; \
	LEAQ     (R12)(R10*1), BX; \
	VPCMPEQD Y6, Y2, Y10; \
	VANDPS   Y0, Y10, Y10; \
	ST(Y10, Y11, (R12)); \
	VPCMPEQD Y6, Y3, Y10; \
	VANDPS   Y8, Y10, Y10; \
	ST(Y10, Y12, (R12)(R11*1)); \
	VPCMPEQD Y7, Y2, Y10; \
	VANDPS   Y0, Y10, Y10; \
	ST(Y10, Y11, (BX)); \
	VPCMPEQD Y7, Y3, Y10; \
	VANDPS   Y8, Y10, Y10; \
	ST(Y10, Y12, (BX)(R11*1))

// AVGSTEP sets Y8 to the means of the step's windows: the two rows'
// sums, then the columns', times the quarter in Y9.
#define AVGSTEP \
	LOADPAIR; \
	VADDPS  Y2, Y0, Y4; \
	VADDPS  Y3, Y1, Y5; \
	VSHUFPS $0x88, Y5, Y4, Y6; \
	VSHUFPS $0xDD, Y5, Y4, Y7; \
	VADDPS  Y7, Y6, Y8; \
	VMULPS  Y9, Y8, Y8; \
	VPERMPD $0xD8, Y8, Y8

// AVGBACKSTEP writes the step's windows of gx at R12 (the second 8
// columns R11 bytes on, as SCATSTEP): a quarter (Y10) of the gradient at
// R13 everywhere in the window. Clobbers BX.
#define AVGBACKSTEP \
	LD((R13), Y13, Y9); \
	VMULPS  Y10, Y9, Y9; \
	VPERMPS Y9, Y4, Y0; \
	VPERMPS Y9, Y5, Y1; \
	LEAQ    (R12)(R10*1), BX; \
	ST(Y0, Y11, (R12)); \
	ST(Y1, Y12, (R12)(R11*1)); \
	ST(Y0, Y11, (BX)); \
	ST(Y1, Y12, (BX)(R11*1))

// LOADCODES sets Y1 to the position codes of a narrow row's windows at
// SI, one a lane: 8 bytes read at once while 8 or more are left (R14),
// else a byte at a time, the last one first. Clobbers AX, BX, DX.
#define LOADCODES(bytewise, loop, done) \
	CMPQ      R14, $8; \
	JLT       bytewise; \
	VPMOVZXBD (SI), Y1; \
	JMP       done; \
bytewise: \
	XORQ      AX, AX; \
	MOVQ      R9, BX; \
loop: \
	SHLQ      $8, AX; \
	MOVBQZX   -1(SI)(BX*1), DX; \
	ORQ       DX, AX; \
	DECQ      BX; \
	JNZ       loop; \
	VMOVQ     AX, X1; \
	VPMOVZXBD X1, Y1; \
done:

#define LD(a, m, r) VMOVUPS a, r
#define ST(r, m, a) VMOVUPS r, a

// func maxPool2x2AVX2(y, x []float32, w, rows, ow int)
TEXT ·maxPool2x2AVX2(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ w+48(FP), R10
	MOVQ rows+56(FP), R8
	MOVQ ow+64(FP), R9
	SHLQ $2, R10
	CMPQ R9, $8
	JLT  fwdNarrow

fwdRow:
	MOVQ SI, R11
	MOVQ R9, CX

fwdStep:
	MAXSTEP
	VMOVUPS Y8, (DI)
	ADDQ    $64, R11
	ADDQ    $32, DI
	SUBQ    $8, CX
	JZ      fwdNext
	CMPQ    CX, $8
	JGE     fwdStep
	BACKUP(R11, DI)
	JMP     fwdStep

fwdNext:
	LEAQ (SI)(R10*2), SI
	DECQ R8
	JNZ  fwdRow
	VZEROUPPER
	RET

#undef LD
#define LD(a, m, r) VMASKMOVPS a, m, r

fwdNarrow:
	NARROWMASKS

fwdNarrowRow:
	MOVQ SI, R11
	MAXSTEP
	STOREY(Y8, fwdLast, fwdStored)
	LEAQ (DI)(R9*4), DI
	SUBQ R9, R14
	LEAQ (SI)(R10*2), SI
	DECQ R8
	JNZ  fwdNarrowRow
	VZEROUPPER
	RET

#undef LD
#define LD(a, m, r) VMOVUPS a, r

// func maxPool2x2ArgmaxAVX2(y []float32, idx []uint8, x []float32, w, rows, ow int)
TEXT ·maxPool2x2ArgmaxAVX2(SB), NOSPLIT, $0-96
	MOVQ y_base+0(FP), DI
	MOVQ idx_base+24(FP), R12
	MOVQ x_base+48(FP), SI
	MOVQ w+72(FP), R10
	MOVQ rows+80(FP), R8
	MOVQ ow+88(FP), R9
	SHLQ $2, R10
	CMPQ R9, $8
	JLT  argNarrow

argRow:
	MOVQ SI, R11
	MOVQ R9, CX

argStep:
	ARGSTEP
	VMOVUPS Y14, (DI)
	VMOVQ   X7, (R12)
	ADDQ    $64, R11
	ADDQ    $32, DI
	ADDQ    $8, R12
	SUBQ    $8, CX
	JZ      argNext
	CMPQ    CX, $8
	JGE     argStep
	BACKUP(R11, DI)
	ADDQ    AX, R12
	JMP     argStep

argNext:
	LEAQ (SI)(R10*2), SI
	DECQ R8
	JNZ  argRow
	VZEROUPPER
	RET

#undef LD
#define LD(a, m, r) VMASKMOVPS a, m, r

argNarrow:
	NARROWMASKS

argNarrowRow:
	MOVQ    SI, R11
	ARGSTEP
	CMPQ    R14, $8
	JLT     argLast
	VMOVUPS Y14, (DI)
	VMOVQ   X7, (R12)
	ADDQ    R9, R12
	JMP     argNarrowNext

argLast:
	VMASKMOVPS Y14, Y13, (DI)
	// The t codes, a byte at a time.
	VMOVQ X7, AX
	MOVQ  R9, BX

argCode:
	MOVB AL, (R12)
	SHRQ $8, AX
	INCQ R12
	DECQ BX
	JNZ  argCode

argNarrowNext:
	LEAQ (DI)(R9*4), DI
	SUBQ R9, R14
	LEAQ (SI)(R10*2), SI
	DECQ R8
	JNZ  argNarrowRow
	VZEROUPPER
	RET

#undef LD
#define LD(a, m, r) VMOVUPS a, r

// func maxPool2x2ScatterAVX2(gx, gy []float32, idx []uint8, w, rows, ow int)
TEXT ·maxPool2x2ScatterAVX2(SB), NOSPLIT, $0-96
	MOVQ    gx_base+0(FP), DI
	MOVQ    gy_base+24(FP), R13
	MOVQ    idx_base+48(FP), SI
	MOVQ    w+72(FP), R10
	MOVQ    rows+80(FP), R8
	MOVQ    ow+88(FP), R9
	SHLQ    $2, R10
	MOVQ    $32, R11
	VMOVUPS poolPair<>+0(SB), Y4
	VMOVUPS poolPair<>+32(SB), Y5
	VMOVUPS poolPair<>+64(SB), Y6
	VMOVUPS poolPair<>+96(SB), Y7
	CMPQ    R9, $8
	JLT     scatNarrow

scatRow:
	MOVQ DI, R12
	MOVQ R9, CX

scatStep:
	VPMOVZXBD (SI), Y1
	SCATSTEP
	ADDQ      $64, R12
	ADDQ      $32, R13
	ADDQ      $8, SI
	SUBQ      $8, CX
	JZ        scatNext
	CMPQ      CX, $8
	JGE       scatStep
	BACKUP(R12, R13)
	ADDQ      AX, SI
	JMP       scatStep

scatNext:
	LEAQ (DI)(R10*2), DI
	DECQ R8
	JNZ  scatRow
	VZEROUPPER
	RET

#undef LD
#define LD(a, m, r) VMASKMOVPS a, m, r

scatNarrow:
	NARROWMASKS
	GXHALVES(scatMasked)

scatHalvesRow:
	LOADCODES(scatBytes, scatByte, scatCodes)
	MOVQ DI, R12
	SCATSTEP
	LEAQ (R13)(R9*4), R13
	ADDQ R9, SI
	SUBQ R9, R14
	LEAQ (DI)(R10*2), DI
	DECQ R8
	JNZ  scatHalvesRow
	VZEROUPPER
	RET

#undef ST
#define ST(r, m, a) VMASKMOVPS r, m, a

scatMasked:
	LOADCODES(scatMaskedBytes, scatMaskedByte, scatMaskedCodes)
	MOVQ DI, R12
	SCATSTEP
	LEAQ (R13)(R9*4), R13
	ADDQ R9, SI
	SUBQ R9, R14
	LEAQ (DI)(R10*2), DI
	DECQ R8
	JNZ  scatMasked
	VZEROUPPER
	RET

#undef LD
#undef ST
#define LD(a, m, r) VMOVUPS a, r
#define ST(r, m, a) VMOVUPS r, a

// func avgPool2x2AVX2(y, x []float32, w, rows, ow int)
TEXT ·avgPool2x2AVX2(SB), NOSPLIT, $0-72
	MOVQ         y_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         w+48(FP), R10
	MOVQ         rows+56(FP), R8
	MOVQ         ow+64(FP), R9
	SHLQ         $2, R10
	VBROADCASTSS poolQuarter2<>(SB), Y9
	CMPQ         R9, $8
	JLT          avgNarrow

avgRow:
	MOVQ SI, R11
	MOVQ R9, CX

avgStep:
	AVGSTEP
	VMOVUPS Y8, (DI)
	ADDQ    $64, R11
	ADDQ    $32, DI
	SUBQ    $8, CX
	JZ      avgNext
	CMPQ    CX, $8
	JGE     avgStep
	BACKUP(R11, DI)
	JMP     avgStep

avgNext:
	LEAQ (SI)(R10*2), SI
	DECQ R8
	JNZ  avgRow
	VZEROUPPER
	RET

#undef LD
#define LD(a, m, r) VMASKMOVPS a, m, r

avgNarrow:
	NARROWMASKS

avgNarrowRow:
	MOVQ SI, R11
	AVGSTEP
	STOREY(Y8, avgLast, avgStored)
	LEAQ (DI)(R9*4), DI
	SUBQ R9, R14
	LEAQ (SI)(R10*2), SI
	DECQ R8
	JNZ  avgNarrowRow
	VZEROUPPER
	RET

#undef LD
#define LD(a, m, r) VMOVUPS a, r

// func avgPool2x2BackwardAVX2(gx, gy []float32, w, rows, ow int)
TEXT ·avgPool2x2BackwardAVX2(SB), NOSPLIT, $0-72
	MOVQ         gx_base+0(FP), DI
	MOVQ         gy_base+24(FP), R13
	MOVQ         w+48(FP), R10
	MOVQ         rows+56(FP), R8
	MOVQ         ow+64(FP), R9
	SHLQ         $2, R10
	MOVQ         $32, R11
	VMOVUPS      poolPair<>+0(SB), Y4
	VMOVUPS      poolPair<>+32(SB), Y5
	VBROADCASTSS poolQuarter2<>(SB), Y10
	CMPQ         R9, $8
	JLT          avgBackNarrow

avgBackRow:
	MOVQ DI, R12
	MOVQ R9, CX

avgBackStep:
	AVGBACKSTEP
	ADDQ $64, R12
	ADDQ $32, R13
	SUBQ $8, CX
	JZ   avgBackNext
	CMPQ CX, $8
	JGE  avgBackStep
	BACKUP(R12, R13)
	JMP  avgBackStep

avgBackNext:
	LEAQ (DI)(R10*2), DI
	DECQ R8
	JNZ  avgBackRow
	VZEROUPPER
	RET

#undef LD
#define LD(a, m, r) VMASKMOVPS a, m, r

avgBackNarrow:
	NARROWMASKS
	GXHALVES(avgBackMasked)

avgBackHalvesRow:
	MOVQ DI, R12
	AVGBACKSTEP
	LEAQ (R13)(R9*4), R13
	LEAQ (DI)(R10*2), DI
	DECQ R8
	JNZ  avgBackHalvesRow
	VZEROUPPER
	RET

#undef ST
#define ST(r, m, a) VMASKMOVPS r, m, a

avgBackMasked:
	MOVQ DI, R12
	AVGBACKSTEP
	LEAQ (R13)(R9*4), R13
	LEAQ (DI)(R10*2), DI
	DECQ R8
	JNZ  avgBackMasked
	VZEROUPPER
	RET

#undef LD
#undef ST
