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

// CLAMP8 clamps the signed value in r to [R14, R15]: [0, 8] but in
// col2imTapsAVX2's tail chunks.
#define CLAMP8(r) \
	CMPQ r, R14; \
	CMOVQLT R14, r; \
	CMPQ r, R15; \
	CMOVQGT R15, r

// TAPSUM sets Y0 to the chunk's sums of the kw taps: tap j reads
// col[j·n + ox] for pixel ix = ox - pw + j·dw, so lane 0 of the chunk is
// ox0 = ix0 + pw - j·dw, and lanes [-ox0, ow-ox0) (no lower than R14)
// hold output positions.
#define TAPSUM(tap, masked, next) \
	VXORPS Y0, Y0, Y0; \
	MOVQ   CX, R9; \
	ADDQ   pw+104(FP), R9; \
	MOVQ   SI, R10; \
	MOVQ   kw+88(FP), R11; \
tap: \
	MOVQ   R9, AX; \
	NEGQ   AX; \
	CLAMP8(AX); \
	NEGQ   AX; \
	ADDQ   $8, AX; /* 8 - a */ \
	MOVQ   ow+80(FP), BX; \
	SUBQ   R9, BX; \
	CLAMP8(BX); \
	NEGQ   BX; \
	ADDQ   $16, BX; /* 16 - b */ \
	CMPQ   AX, $8; \
	JNE    masked; \
	CMPQ   BX, $8; \
	JNE    masked; \
	VADDPS (R10)(R9*4), Y0, Y0; \
	JMP    next; \
masked: \
	VMOVUPS    (R12)(AX*4), Y2; \
	VANDPS     (R12)(BX*4), Y2, Y2; \
	VMASKMOVPS (R10)(R9*4), Y2, Y1; \
	VADDPS     Y1, Y0, Y0; \
next: \
	SUBQ   dw+96(FP), R9; \
	MOVQ   n+56(FP), AX; \
	LEAQ   (R10)(AX*4), R10; \
	DECQ   R11; \
	JNZ    tap

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
// tap's column row, R11: taps left, R12: the mask table, R14: the chunk's
// first lane of its own (0 but in a tail chunk).

TEXT ·col2imTapsAVX2(SB), NOSPLIT, $0-112
	MOVQ img_base+0(FP), DI
	MOVQ col_base+24(FP), SI
	MOVQ rows+48(FP), R8
	LEAQ convLanes<>(SB), R12
	XORQ R14, R14
	MOVQ $8, R15
	MOVQ w+72(FP), AX
	CMPQ AX, $8
	JLT  narrow2

row:
	MOVQ w+72(FP), CX
	MOVQ CX, AX
	ANDQ $7, AX
	JZ   chunks
	// The tail: pixels [w - w mod 8, w) are lanes 8 - w mod 8 on of the
	// chunk at w - 8.
	MOVQ $8, R14
	SUBQ AX, R14
	SUBQ $8, CX
	TAPSUM(tailTap, tailMasked, tailNext)
	ADDCHUNK
	XORQ R14, R14

chunks:
	XORQ CX, CX

chunk2:
	LEAQ 8(CX), AX
	CMPQ AX, w+72(FP)
	JGT  nextRow
	TAPSUM(tap, tapMasked, tapNext)
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
	// through the mask of lanes < w (Y3).
	NEGQ    AX
	VMOVUPS 64(R12)(AX*4), Y3

narrowRow2:
	XORQ       CX, CX
	TAPSUM(nTap, nTapMasked, nTapNext)
	VMASKMOVPS (DI), Y3, Y1
	VADDPS     Y0, Y1, Y1
	VMASKMOVPS Y1, Y3, (DI)
	MOVQ       ss+64(FP), AX
	LEAQ       (DI)(AX*4), DI
	MOVQ       ow+80(FP), AX
	LEAQ       (SI)(AX*4), SI
	DECQ       R8
	JNZ        narrowRow2
	VZEROUPPER
	RET
