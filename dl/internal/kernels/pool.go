package kernels

// 2×2 max pooling with stride 2, the pooling of nearly every CNN. Rows of
// planes whose height and width are even run on as one tall plane, so a
// caller may pass any number of whole row pairs.

// usePoolAVX512 picks the assembly kernels; tests switch it off.
var usePoolAVX512 = haveAVX512

// MaxPool2x2 sets y[r][c] to the maximum of x's block rows 2r, 2r+1 and
// columns 2c, 2c+1, for r < rows and c < ow; x has rows of w ≥ 2·ow floats
// and y rows of ow. A NaN in a block gives NaN, as PyTorch.
func MaxPool2x2(y, x []float32, w, rows, ow int) {
	if rows == 0 || ow == 0 {
		return
	}
	_ = y[rows*ow-1]
	_ = x[(2*rows-1)*w+2*ow-1]
	if usePoolAVX512 {
		maxPool2x2AVX512(y, x, w, rows, ow)
		return
	}
	maxPool2x2Go(y, x, w, rows, ow)
}

// MaxPool2x2Backward is MaxPool2x2's gradient: it writes gx (rows of w) at
// every position of every block, gy[r][c] at the block's first maximum in
// row-major order (a NaN counts as the maximum, as PyTorch) and 0 at the
// other three. Columns from 2·ow on are left alone.
func MaxPool2x2Backward(gx, x, gy []float32, w, rows, ow int) {
	if rows == 0 || ow == 0 {
		return
	}
	_ = gy[rows*ow-1]
	_ = x[(2*rows-1)*w+2*ow-1]
	_ = gx[(2*rows-1)*w+2*ow-1]
	if usePoolAVX512 {
		maxPool2x2BackwardAVX512(gx, x, gy, w, rows, ow)
		return
	}
	maxPool2x2BackwardGo(gx, x, gy, w, rows, ow)
}

func maxPool2x2Go(y, x []float32, w, rows, ow int) {
	for r := range rows {
		r0 := x[2*r*w : 2*r*w+2*ow]
		r1 := x[(2*r+1)*w : (2*r+1)*w+2*ow]
		yr := y[r*ow : (r+1)*ow]
		for c := range yr {
			yr[c] = max(max(r0[2*c], r0[2*c+1]), max(r1[2*c], r1[2*c+1]))
		}
	}
}

func maxPool2x2BackwardGo(gx, x, gy []float32, w, rows, ow int) {
	for r := range rows {
		r0 := x[2*r*w : 2*r*w+2*ow]
		r1 := x[(2*r+1)*w : (2*r+1)*w+2*ow]
		g0 := gx[2*r*w : 2*r*w+2*ow]
		g1 := gx[(2*r+1)*w : (2*r+1)*w+2*ow]
		for c, g := range gy[r*ow : (r+1)*ow] {
			a, b, cc, d := r0[2*c], r0[2*c+1], r1[2*c], r1[2*c+1]
			m := max(max(a, b), max(cc, d))
			var ga, gb, gc, gd float32
			switch {
			case a == m || a != a:
				ga = g
			case b == m || b != b:
				gb = g
			case cc == m || cc != cc:
				gc = g
			default:
				gd = g
			}
			g0[2*c], g0[2*c+1], g1[2*c], g1[2*c+1] = ga, gb, gc, gd
		}
	}
}
