//go:build !amd64 || noasm

package kernels

func lstmCellAVX512(g, cp, cn, tc, h []float32) { lstmCellGo(g, cp, cn, tc, h) }

func lstmCellBackwardAVX512(a, cp, tc, gh, dh, dc, d []float32) {
	lstmCellBackwardGo(a, cp, tc, gh, dh, dc, d)
}

func gruCellBackwardAVX512(a, un, hp, gh, dh, d, du []float32) {
	gruCellBackwardGo(a, un, hp, gh, dh, d, du)
}

func lstmCellAVX2(g, cp, cn, tc, h []float32) { lstmCellGo(g, cp, cn, tc, h) }

func lstmCellBackwardAVX2(a, cp, tc, gh, dh, dc, d []float32) {
	lstmCellBackwardGo(a, cp, tc, gh, dh, dc, d)
}

func gruCellBackwardAVX2(a, un, hp, gh, dh, d, du []float32) {
	gruCellBackwardGo(a, un, hp, gh, dh, d, du)
}
