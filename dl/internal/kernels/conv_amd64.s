//go:build !noasm

#include "textflag.h"

// Row copies for Im2col and Col2im (conv.go), 16 floats per step. A band
// row is cut into 16-lane chunks; for each chunk the lanes that hold
// pixels (load mask) and the lanes inside the row (store mask) are computed
// once, then applied to every row of the band.

// CLAMP16 clamps the signed value in r to [0, 16]; R14 holds 0, R15 16.
#define CLAMP16(r) \
	CMPQ r, R14; \
	CMOVQLT R14, r; \
	CMPQ r, R15; \
	CMOVQGT R15, r

// LANES sets dst to the 16-bit mask of lanes [lo-k0, hi-k0) of the chunk
// starting at k0 (CX): lo in R11, hi in R12. Clobbers AX, BX, DX.
#define LANES(dst) \
	MOVL $0xffff, DX; \
	MOVQ R11, AX; \
	SUBQ CX, AX; \
	CLAMP16(AX); \
	MOVQ R12, BX; \
	SUBQ CX, BX; \
	CLAMP16(BX); \
	BZHIL AX, DX, AX; \
	BZHIL BX, DX, BX; \
	ANDNL BX, AX, AX; \
	KMOVW AX, dst

// func im2colRowsAVX512(dst, src []float32, rows, n, ss, lo, hi int)
TEXT ·im2colRowsAVX512(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ rows+48(FP), R8
	MOVQ n+56(FP), R9
	MOVQ ss+64(FP), R10
	MOVQ lo+72(FP), R11
	MOVQ hi+80(FP), R12
	XORQ R14, R14
	MOVQ $16, R15
	// Element (y, k) of the band is at SI + 4·(y·ss + k); lanes below lo
	// are masked off, so the address before src is never read.
	LEAQ (R11*4), AX
	SUBQ AX, SI
	SHLQ $2, R10
	LEAQ (R9*4), R13
	XORQ CX, CX

im2colChunk:
	CMPQ CX, R9
	JGE  im2colDone
	LANES(K2)
	// Store mask: the lanes below n - k0.
	MOVQ R9, AX
	SUBQ CX, AX
	CLAMP16(AX)
	BZHIL AX, DX, AX
	KMOVW AX, K1
	LEAQ (DI)(CX*4), AX
	LEAQ (SI)(CX*4), BX
	MOVQ R8, DX

im2colRow:
	VMOVUPS.Z (BX), K2, Z0
	VMOVUPS   Z0, K1, (AX)
	ADDQ      R13, AX
	ADDQ      R10, BX
	DECQ      DX
	JNZ       im2colRow
	ADDQ      $16, CX
	JMP       im2colChunk

im2colDone:
	VZEROUPPER
	RET

// func col2imTapsAVX512(img, col []float32, rows, n, ss, w, ow, kw, dw, pw int)
//
// Each 16-pixel chunk of an image row gathers the contributions of all kw
// taps in a register and is read and written once: adding tap by tap to
// memory would load what the previous tap has just stored one lane over,
// which store forwarding cannot serve (measured 3× slower than Go).
TEXT ·col2imTapsAVX512(SB), NOSPLIT, $0-112
	MOVQ img_base+0(FP), DI
	MOVQ col_base+24(FP), SI
	MOVQ rows+48(FP), R8
	XORQ R12, R12
	MOVQ $16, R13

col2imRow:
	XORQ CX, CX // ix0: first pixel of the chunk

col2imChunk:
	CMPQ   CX, w+72(FP)
	JGE    col2imNextRow
	VXORPS Z0, Z0, Z0
	// Tap j reads col[j·n + ox] for pixel ix = ox - pw + j·dw: lane 0 of
	// the chunk is ox0 = ix0 + pw - j·dw.
	MOVQ   CX, R9
	ADDQ   pw+104(FP), R9
	MOVQ   SI, R10
	MOVQ   kw+88(FP), R11

col2imTap:
	// Lanes [-ox0, ow-ox0) hold output positions.
	MOVL    $0xffff, DX
	MOVQ    R9, AX
	NEGQ    AX
	CMPQ    AX, R12
	CMOVQLT R12, AX
	CMPQ    AX, R13
	CMOVQGT R13, AX
	MOVQ    ow+80(FP), BX
	SUBQ    R9, BX
	CMPQ    BX, R12
	CMOVQLT R12, BX
	CMPQ    BX, R13
	CMOVQGT R13, BX
	BZHIL   AX, DX, AX
	BZHIL   BX, DX, BX
	ANDNL   BX, AX, AX
	KMOVW   AX, K1
	VADDPS  (R10)(R9*4), Z0, K1, Z0
	SUBQ    dw+96(FP), R9
	MOVQ    n+56(FP), AX
	LEAQ    (R10)(AX*4), R10
	DECQ    R11
	JNZ     col2imTap

	// Add the sums to the pixels of the chunk that are in the row.
	MOVL    $0xffff, DX
	MOVQ    w+72(FP), AX
	SUBQ    CX, AX
	CMPQ    AX, R13
	CMOVQGT R13, AX
	BZHIL   AX, DX, AX
	KMOVW   AX, K2
	VMOVUPS.Z (DI)(CX*4), K2, Z1
	VADDPS  Z0, Z1, Z1
	VMOVUPS Z1, K2, (DI)(CX*4)
	ADDQ    $16, CX
	JMP     col2imChunk

col2imNextRow:
	MOVQ ss+64(FP), AX
	LEAQ (DI)(AX*4), DI
	MOVQ ow+80(FP), AX
	LEAQ (SI)(AX*4), SI
	DECQ R8
	JNZ  col2imRow
	VZEROUPPER
	RET
