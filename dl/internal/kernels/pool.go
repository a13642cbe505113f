package kernels

// 2×2 pooling with stride 2, the pooling of nearly every CNN. Rows of
// planes whose height and width are even run on as one tall plane, so a
// caller may pass any number of whole row pairs.

// usePoolAVX512 and usePoolAVX2 pick the assembly kernels; tests switch
// them off.
var (
	usePoolAVX512 = haveAVX512
	usePoolAVX2   = haveAVX2
)

// poolAVX512 says whether rows of ow windows go to the AVX-512 kernels.
// Rows narrower than 16 windows (the 14 and 7 of a 28×28 CNN's two
// pooling layers) fill part of a 16-lane vector; there the AVX2 kernels,
// 8 lanes at a time, took 0.36-0.59 of the AVX-512 ones' time at 7
// windows and 0.74-1.16 at 14 (Zen 4, go test -bench Pool2x2), with the
// same bits.
func poolAVX512(ow int) bool { return usePoolAVX512 && (ow >= 16 || !usePoolAVX2) }

// MaxPool2x2 sets y[r][c] to the maximum of x's block rows 2r, 2r+1 and
// columns 2c, 2c+1, for r < rows and c < ow; x has rows of w ≥ 2·ow floats
// and y rows of ow. A NaN in a block gives NaN, as PyTorch.
func MaxPool2x2(y, x []float32, w, rows, ow int) {
	if rows == 0 || ow == 0 {
		return
	}
	_ = y[rows*ow-1]
	_ = x[(2*rows-1)*w+2*ow-1]
	if poolAVX512(ow) {
		maxPool2x2AVX512(y, x, w, rows, ow)
		return
	}
	if usePoolAVX2 {
		maxPool2x2AVX2(y, x, w, rows, ow)
		return
	}
	maxPool2x2Go(y, x, w, rows, ow)
}

// MaxPool2x2Argmax is MaxPool2x2 that also records where each window's
// maximum is, for the backward pass: idx (one byte per output, laid out as
// y) gets 0 for the top left position, 1 top right, 2 bottom left, 3
// bottom right — the first of them in that order that holds the maximum,
// a NaN counting as the maximum, as PyTorch.
func MaxPool2x2Argmax(y []float32, idx []uint8, x []float32, w, rows, ow int) {
	if rows == 0 || ow == 0 {
		return
	}
	_ = y[rows*ow-1]
	_ = idx[rows*ow-1]
	_ = x[(2*rows-1)*w+2*ow-1]
	if poolAVX512(ow) {
		maxPool2x2ArgmaxAVX512(y, idx, x, w, rows, ow)
		return
	}
	if usePoolAVX2 {
		maxPool2x2ArgmaxAVX2(y, idx, x, w, rows, ow)
		return
	}
	maxPool2x2ArgmaxGo(y, idx, x, w, rows, ow)
}

// MaxPool2x2Scatter is MaxPool2x2's gradient from the positions recorded
// by MaxPool2x2Argmax: it writes every position of every window of gx
// (rows of w), gy[r][c] where idx says and 0 at the other three. Columns
// from 2·ow on are left alone.
func MaxPool2x2Scatter(gx, gy []float32, idx []uint8, w, rows, ow int) {
	if rows == 0 || ow == 0 {
		return
	}
	_ = gy[rows*ow-1]
	_ = idx[rows*ow-1]
	_ = gx[(2*rows-1)*w+2*ow-1]
	if poolAVX512(ow) {
		maxPool2x2ScatterAVX512(gx, gy, idx, w, rows, ow)
		return
	}
	if usePoolAVX2 {
		maxPool2x2ScatterAVX2(gx, gy, idx, w, rows, ow)
		return
	}
	maxPool2x2ScatterGo(gx, gy, idx, w, rows, ow)
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

func maxPool2x2ArgmaxGo(y []float32, idx []uint8, x []float32, w, rows, ow int) {
	for r := range rows {
		r0 := x[2*r*w : 2*r*w+2*ow]
		r1 := x[(2*r+1)*w : (2*r+1)*w+2*ow]
		for c := range ow {
			win := [4]float32{r0[2*c], r0[2*c+1], r1[2*c], r1[2*c+1]}
			m := max(max(win[0], win[1]), max(win[2], win[3]))
			k := 3
			for p := 2; p >= 0; p-- {
				if win[p] == m || win[p] != win[p] {
					k = p
				}
			}
			y[r*ow+c], idx[r*ow+c] = m, uint8(k)
		}
	}
}

func maxPool2x2ScatterGo(gx, gy []float32, idx []uint8, w, rows, ow int) {
	for r := range rows {
		g0 := gx[2*r*w : 2*r*w+2*ow]
		g1 := gx[(2*r+1)*w : (2*r+1)*w+2*ow]
		for c, g := range gy[r*ow : (r+1)*ow] {
			var v [4]float32
			v[idx[r*ow+c]&3] = g
			g0[2*c], g0[2*c+1], g1[2*c], g1[2*c+1] = v[0], v[1], v[2], v[3]
		}
	}
}

// AvgPool2x2 sets y[r][c] to the mean of x's block rows 2r, 2r+1 and
// columns 2c, 2c+1 (summed by columns, then across), as MaxPool2x2.
func AvgPool2x2(y, x []float32, w, rows, ow int) {
	if rows == 0 || ow == 0 {
		return
	}
	_ = y[rows*ow-1]
	_ = x[(2*rows-1)*w+2*ow-1]
	if poolAVX512(ow) {
		avgPool2x2AVX512(y, x, w, rows, ow)
		return
	}
	if usePoolAVX2 {
		avgPool2x2AVX2(y, x, w, rows, ow)
		return
	}
	avgPool2x2Go(y, x, w, rows, ow)
}

// AvgPool2x2Backward writes every position of every window of gx (rows of
// w): a quarter of the window's gradient. Columns from 2·ow on are left
// alone.
func AvgPool2x2Backward(gx, gy []float32, w, rows, ow int) {
	if rows == 0 || ow == 0 {
		return
	}
	_ = gy[rows*ow-1]
	_ = gx[(2*rows-1)*w+2*ow-1]
	if poolAVX512(ow) {
		avgPool2x2BackwardAVX512(gx, gy, w, rows, ow)
		return
	}
	if usePoolAVX2 {
		avgPool2x2BackwardAVX2(gx, gy, w, rows, ow)
		return
	}
	avgPool2x2BackwardGo(gx, gy, w, rows, ow)
}

func avgPool2x2Go(y, x []float32, w, rows, ow int) {
	for r := range rows {
		r0 := x[2*r*w : 2*r*w+2*ow]
		r1 := x[(2*r+1)*w : (2*r+1)*w+2*ow]
		for c := range ow {
			y[r*ow+c] = ((r0[2*c] + r1[2*c]) + (r0[2*c+1] + r1[2*c+1])) * 0.25
		}
	}
}

func avgPool2x2BackwardGo(gx, gy []float32, w, rows, ow int) {
	for r := range rows {
		g0 := gx[2*r*w : 2*r*w+2*ow]
		g1 := gx[(2*r+1)*w : (2*r+1)*w+2*ow]
		for c, g := range gy[r*ow : (r+1)*ow] {
			g *= 0.25
			g0[2*c], g0[2*c+1], g1[2*c], g1[2*c+1] = g, g, g, g
		}
	}
}
