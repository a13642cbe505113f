//go:build !noasm

#include "textflag.h"

// The AVX2 row copies for Im2col and Col2im (conv.go), 8 floats per step,
// for CPUs without AVX-512: conv_amd64.s with VMASKMOVPS lane masks in
// place of the mask registers. Masked stores (VMASKMOVPS) are slow on AMD
// cores, so only rows narrower than 8 store through masks: elsewhere a
// row's last, partial chunk is done as the whole chunk that ends at the
// row's end (im2colRowsAVX2 stores some values twice, col2imTapsAVX2
// adds +0 to some pixels; see each).

// convLanes holds 8 zeros, 8 ones and 8 zeros (as 32-bit lanes):
// convLanes+4·(8-a) is the mask of lanes ≥ a and convLanes+4·(16-b) that
// of lanes < b, for a, b in [0, 8].
DATA convLanes<>+0(SB)/8, $0
DATA convLanes<>+8(SB)/8, $0
DATA convLanes<>+16(SB)/8, $0
DATA convLanes<>+24(SB)/8, $0
DATA convLanes<>+32(SB)/8, $-1
DATA convLanes<>+40(SB)/8, $-1
DATA convLanes<>+48(SB)/8, $-1
DATA convLanes<>+56(SB)/8, $-1
DATA convLanes<>+64(SB)/8, $0
DATA convLanes<>+72(SB)/8, $0
DATA convLanes<>+80(SB)/8, $0
DATA convLanes<>+88(SB)/8, $0
GLOBL convLanes<>(SB), RODATA|NOPTR, $96

DATA col2imIota<>+0(SB)/8, $0x0000000100000000
DATA col2imIota<>+8(SB)/8, $0x0000000300000002
DATA col2imIota<>+16(SB)/8, $0x0000000500000004
DATA col2imIota<>+24(SB)/8, $0x0000000700000006
GLOBL col2imIota<>(SB), RODATA|NOPTR, $32

// CLAMP8 clamps the signed value in r to [0, 8]; R14 holds 0, R15 8.
#define CLAMP8(r) \
	CMPQ r, R14; \
	CMOVQLT R14, r; \
	CMPQ r, R15; \
	CMOVQGT R15, r

// TAPSUM sets Y0 to the chunk's sums of the kw taps: tap j reads
// col[j·n + ox] for pixel ix = ox - pw + j·dw, so lane l of the chunk is
// output column ox0 + l = ix0 + l + pw - j·dw (kept in Y3), and the lanes
// where that is in [0, ow) (Y12 holds ow, Y11 -1) and the chunk's own
// (Y14) are loaded. Y10 holds 0 … 7, Y13 dw; DX dw, BX n·4.
#define TAPSUM(tap) \
	VXORPS       Y0, Y0, Y0; \
	MOVQ         CX, R9; \
	ADDQ         pw+104(FP), R9; \
	VMOVQ        R9, X3; \
	VPBROADCASTD X3, Y3; \
	VPADDD       Y10, Y3, Y3; \
	MOVQ         SI, R10; \
	MOVQ         kw+88(FP), R11; \
tap: \
	VPCMPGTD     Y11, Y3, Y2; \
	VPCMPGTD     Y3, Y12, Y1; \
	VPAND        Y1, Y2, Y2; \
	VPAND        Y14, Y2, Y2; \
	VMASKMOVPS   (R10)(R9*4), Y2, Y1; \
	VADDPS       Y1, Y0, Y0; \
	VPSUBD       Y13, Y3, Y3; \
	SUBQ         DX, R9; \
	ADDQ         BX, R10; \
	DECQ         R11; \
	JNZ          tap

// ADDCHUNK adds the sums in Y0 to the 8 pixels at ix0.
#define ADDCHUNK \
	VMOVUPS (DI)(CX*4), Y1; \
	VADDPS  Y0, Y1, Y1; \
	VMOVUPS Y1, (DI)(CX*4)

// LOADMASK sets Y2 to the lanes [a, b) (a in AX, b in BX) and DX to the
// mask table.
#define LOADMASK \
	LEAQ    convLanes<>(SB), DX; \
	NEGQ    AX; \
	VMOVUPS 32(DX)(AX*4), Y2; \
	NEGQ    BX; \
	VANDPS  64(DX)(BX*4), Y2, Y2

// ROWPTRS points BX at the chunk's first store and DX at its first load
// and sets AX to the row count.
#define ROWPTRS \
	LEAQ (DI)(CX*4), BX; \
	LEAQ (SI)(CX*4), DX; \
	MOVQ R8, AX

// func im2colRowsAVX2(dst, src []float32, rows, n, ss, lo, hi int)
//
// DI: dst, SI: src less lo floats (element (y, k) of the band is at
// SI + 4·(y·ss + k)), R8: rows, R9: n, R10: ss in bytes, R11: lo, R12: hi,
// R13: n in bytes, CX: the chunk's first column k0; in a chunk's row loop
// BX stores, DX loads and AX counts. Y1 holds zeros, Y2 the load mask and
// Y3 the store mask.
TEXT ·im2colRowsAVX2(SB), NOSPLIT, $0-88
	MOVQ   dst_base+0(FP), DI
	MOVQ   src_base+24(FP), SI
	MOVQ   rows+48(FP), R8
	MOVQ   n+56(FP), R9
	MOVQ   ss+64(FP), R10
	MOVQ   lo+72(FP), R11
	MOVQ   hi+80(FP), R12
	XORQ   R14, R14
	MOVQ   $8, R15
	LEAQ   (R11*4), AX
	SUBQ   AX, SI
	SHLQ   $2, R10
	LEAQ   (R9*4), R13
	XORQ   CX, CX
	VXORPS Y1, Y1, Y1

chunk:
	CMPQ CX, R9
	JGE  done
	// A last chunk past the row's end starts 8 before the end instead,
	// when the row is that long.
	LEAQ 8(CX), AX
	CMPQ AX, R9
	JLE  lanes
	CMPQ R9, $8
	JLT  lanes
	LEAQ -8(R9), CX

lanes:
	// Lanes [a, b) = [lo-k0, hi-k0) of the chunk hold pixels.
	MOVQ R11, AX
	SUBQ CX, AX
	CLAMP8(AX)
	MOVQ R12, BX
	SUBQ CX, BX
	CLAMP8(BX)
	CMPQ R9, $8
	JLT  narrow
	CMPQ AX, BX
	JGE  zeros
	CMPQ AX, $0
	JNE  partial
	CMPQ BX, $8
	JNE  partial
	ROWPTRS

full:
	VMOVUPS (DX), Y0
	VMOVUPS Y0, (BX)
	ADDQ    R13, BX
	ADDQ    R10, DX
	DECQ    AX
	JNZ     full
	JMP     next

zeros:
	ROWPTRS

zeroRow:
	VMOVUPS Y1, (BX)
	ADDQ    R13, BX
	DECQ    AX
	JNZ     zeroRow
	JMP     next

partial:
	// Masked-off lanes are read as 0 and never touched in memory.
	LOADMASK
	ROWPTRS

partialRow:
	VMASKMOVPS (DX), Y2, Y0
	VMOVUPS    Y0, (BX)
	ADDQ       R13, BX
	ADDQ       R10, DX
	DECQ       AX
	JNZ        partialRow
	JMP        next

narrow:
	// A row narrower than 8: one chunk, stored through a mask too.
	LOADMASK
	MOVQ    R9, BX
	NEGQ    BX
	VMOVUPS 64(DX)(BX*4), Y3
	ROWPTRS

narrowRow:
	VMASKMOVPS (DX), Y2, Y0
	VMASKMOVPS Y0, Y3, (BX)
	ADDQ       R13, BX
	ADDQ       R10, DX
	DECQ       AX
	JNZ        narrowRow

next:
	ADDQ $8, CX
	JMP  chunk

done:
	VZEROUPPER
	RET

// func col2imTapsAVX2(img, col []float32, rows, n, ss, w, ow, kw, dw, pw int)
//
// As col2imTapsAVX512: each 8-pixel chunk of an image row sums the
// contributions of all kw taps in Y0, from +0 (lanes outside a tap's
// output row add the +0 a masked load gives, which changes no sum: a sum
// that starts at +0 is never -0), then adds them to the pixels, so the
// results are the AVX-512 kernel's bit for bit. A row whose width is not
// a multiple of 8 does its last pixels first, as the chunk that ends at
// the row's end, its taps masked off the lanes of pixels a later chunk
// owns: those get +0, which changes no pixel the later chunk's sum then
// goes to (a sum is never -0). So no store is masked but in rows
// narrower than 8; the tail's store is long done when the chunk before it
// reloads the pixels it shares.
//
// DI: image row, SI: the taps' row y, R8: rows left, CX: the chunk's
// first pixel ix0, R9: output column of lane 0 for the tap, R10: the
// tap's column row, R11: taps left, R12: the mask table; Y14: the chunk's
// own lanes (all but in a tail chunk), Y15: a tail chunk's own lanes, or
// in rows narrower than 8 the lanes of the row.

TEXT ·col2imTapsAVX2(SB), NOSPLIT, $0-112
	MOVQ         img_base+0(FP), DI
	MOVQ         col_base+24(FP), SI
	MOVQ         rows+48(FP), R8
	LEAQ         convLanes<>(SB), R12
	VMOVUPS      col2imIota<>(SB), Y10
	VPCMPEQD     Y11, Y11, Y11
	MOVQ         ow+80(FP), AX
	VMOVQ        AX, X12
	VPBROADCASTD X12, Y12
	MOVQ         dw+96(FP), DX
	VMOVQ        DX, X13
	VPBROADCASTD X13, Y13
	MOVQ         n+56(FP), BX
	SHLQ         $2, BX
	MOVQ         w+72(FP), AX
	CMPQ         AX, $8
	JLT          narrow2
	// A tail chunk's own lanes, 8 - w mod 8 on, in Y15.
	ANDQ         $7, AX
	VMOVUPS      (R12)(AX*4), Y15

row:
	MOVQ    w+72(FP), CX
	TESTQ   $7, CX
	JZ      chunks
	// The tail: pixels [w - w mod 8, w) are the own lanes of the chunk
	// at w - 8.
	SUBQ    $8, CX
	VMOVUPS Y15, Y14
	TAPSUM(tailTap)
	ADDCHUNK

chunks:
	VMOVUPS Y11, Y14
	XORQ    CX, CX

chunk2:
	LEAQ 8(CX), AX
	CMPQ AX, w+72(FP)
	JGT  nextRow
	TAPSUM(tap)
	ADDCHUNK
	ADDQ $8, CX
	JMP  chunk2

nextRow:
	MOVQ ss+64(FP), AX
	LEAQ (DI)(AX*4), DI
	MOVQ ow+80(FP), AX
	LEAQ (SI)(AX*4), SI
	DECQ R8
	JNZ  row
	VZEROUPPER
	RET

narrow2:
	// Rows narrower than 8: one chunk, the pixels loaded and stored
	// through the mask of lanes < w (Y15).
	NEGQ    AX
	VMOVUPS 64(R12)(AX*4), Y15
	VMOVUPS Y11, Y14

narrowRow2:
	XORQ       CX, CX
	TAPSUM(nTap)
	VMASKMOVPS (DI), Y15, Y1
	VADDPS     Y0, Y1, Y1
	VMASKMOVPS Y1, Y15, (DI)
	MOVQ       ss+64(FP), AX
	LEAQ       (DI)(AX*4), DI
	MOVQ       ow+80(FP), AX
	LEAQ       (SI)(AX*4), SI
	DECQ       R8
	JNZ        narrowRow2
	VZEROUPPER
	RET
