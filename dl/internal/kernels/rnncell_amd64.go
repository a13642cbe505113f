//go:build !noasm

package kernels

// lstmCellAVX512 is lstmCellGo (rnncell.go) 16 units at a time, with the
// vector sigmoid and tanh and a fused multiply-add for the cell state.
// H = len(cp) must be positive.
//
//go:noescape
func lstmCellAVX512(g, cp, cn, tc, h []float32)

// lstmCellBackwardAVX512 is lstmCellBackwardGo (rnncell.go) 16 units at a
// time, with fused multiply-adds for 1 - tc², 1 - g² and the cell
// gradient. H = len(cp) must be positive.
//
//go:noescape
func lstmCellBackwardAVX512(a, cp, tc, gh, dh, dc, d []float32)

// gruCellBackwardAVX512 is gruCellBackwardGo (rnncell.go) 16 units at a
// time, with a fused multiply-add for 1 - n². H = len(hp) must be
// positive.
//
//go:noescape
func gruCellBackwardAVX512(a, un, hp, gh, dh, d, du []float32)

// lstmCellAVX2 is lstmCellAVX512 8 units at a time, with the AVX2 sigmoid
// and tanh (act_amd64.h), for CPUs without AVX-512. H = len(cp) must be
// positive.
//
//go:noescape
func lstmCellAVX2(g, cp, cn, tc, h []float32)

// lstmCellBackwardAVX2 is lstmCellBackwardAVX512 8 units at a time, the
// same operations in the same order: the same bits. H = len(cp) must be
// positive.
//
//go:noescape
func lstmCellBackwardAVX2(a, cp, tc, gh, dh, dc, d []float32)

// gruCellBackwardAVX2 is gruCellBackwardAVX512 8 units at a time, the
// same operations in the same order: the same bits. H = len(hp) must be
// positive.
//
//go:noescape
func gruCellBackwardAVX2(a, un, hp, gh, dh, d, du []float32)
