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
