package dl

import (
	"math"

	"github.com/godl-dev/godl/dl/internal/kernels"
	"github.com/godl-dev/godl/dl/internal/mathf"
)

// Reductions and softmax on the CPU. Work is split over output elements
// (each computed whole by one thread, in a fixed order) or, for one long
// sum, over fixed chunks whose partial sums are added in chunk order: the
// result is the same bits on any number of threads.

// sumChunk is the length of one partial sum of a long row.
const sumChunk = 1 << 14

// innerBlock is how many columns one task sums when inner > 1.
const innerBlock = 512

func (cpu) sum(dst, src []float32, outer, r, inner int) {
	if inner == 1 {
		if outer == 1 {
			dst[0] = float32(sumLong(src[:r]))
			return
		}
		if serial(outer*r, grainStream) {
			sumRows(dst, src, r, 0, outer)
			return
		}
		kernels.For(outer, rowsGrain(grainStream, r), func(lo, hi int) { sumRows(dst, src, r, lo, hi) })
		return
	}
	// [outer r inner]: each task sums a block of columns of one outer
	// slice down its r rows, in float64.
	blocks := (inner + innerBlock - 1) / innerBlock
	if outer*blocks < 4 && r*min(inner, innerBlock) >= 2*sumChunk {
		// Too few tasks to keep the threads busy (a bias gradient: the
		// batch summed away): split the rows as well, in fixed chunks.
		for task := range outer * blocks {
			o, c0 := task/blocks, task%blocks*innerBlock
			sumColumnsChunked(dst[o*inner+c0:o*inner+min(c0+innerBlock, inner)], src[o*r*inner+c0:], r, inner)
		}
		return
	}
	if serial(outer*r*inner, grainStream) {
		sumColumnBlocks(dst, src, r, inner, 0, outer*blocks)
		return
	}
	kernels.For(outer*blocks, rowsGrain(grainStream, r*min(inner, innerBlock)), func(lo, hi int) {
		sumColumnBlocks(dst, src, r, inner, lo, hi)
	})
}

// sumRows sets dst[o] to the sum of row o of src, for o in [lo, hi).
func sumRows(dst, src []float32, r, lo, hi int) {
	for o := lo; o < hi; o++ {
		dst[o] = float32(kernels.SumF64(src[o*r : (o+1)*r]))
	}
}

// sumColumnBlocks does tasks [lo, hi) of a sum over r of [outer r inner]:
// task t sums block t%blocks of innerBlock columns of outer slice
// t/blocks.
func sumColumnBlocks(dst, src []float32, r, inner, lo, hi int) {
	blocks := (inner + innerBlock - 1) / innerBlock
	acc := make([]float64, min(inner, innerBlock))
	for task := lo; task < hi; task++ {
		o, c0 := task/blocks, task%blocks*innerBlock
		c1 := min(c0+innerBlock, inner)
		a := acc[:c1-c0]
		clear(a)
		for k := range r {
			base := (o*r+k)*inner + c0
			kernels.AccF64(a, src[base:base+c1-c0])
		}
		out := dst[o*inner+c0 : o*inner+c1]
		for i, v := range a {
			out[i] = float32(v)
		}
	}
}

// sumColumnsChunked sets dst[i] = Σ_k src[k·stride+i] for i < len(dst),
// k < r: partial sums of fixed chunks of rows, in parallel, added in
// chunk order.
func sumColumnsChunked(dst, src []float32, r, stride int) {
	cols := len(dst)
	rowChunk := max(1, sumChunk/cols)
	parts := make([]float64, kernels.NumChunks(r, rowChunk)*cols)
	kernels.ForChunks(r, rowChunk, func(c, lo, hi int) {
		acc := parts[c*cols : (c+1)*cols]
		for k := lo; k < hi; k++ {
			kernels.AccF64(acc, src[k*stride:k*stride+cols])
		}
	})
	for i := range dst {
		var s float64
		for c := 0; c < len(parts); c += cols {
			s += parts[c+i]
		}
		dst[i] = float32(s)
	}
}

// sumLong sums a long row in fixed chunks, in parallel, adding the partial
// sums in chunk order.
func sumLong(x []float32) float64 {
	if len(x) <= sumChunk {
		return kernels.SumF64(x)
	}
	parts := make([]float64, kernels.NumChunks(len(x), sumChunk))
	kernels.ForChunks(len(x), sumChunk, func(c, lo, hi int) { parts[c] = kernels.SumF64(x[lo:hi]) })
	var s float64
	for _, p := range parts {
		s += p
	}
	return s
}

func (cpu) maxArg(vals []float32, idx []int, src []float32, outer, r, inner int) {
	if outer == 1 && inner == 1 && r >= 2*sumChunk {
		vals[0], idx[0] = maxLong(src[:r])
		return
	}
	if inner == 1 {
		if serial(outer*r, grainStream) {
			maxRows(vals, idx, src, r, 0, outer)
			return
		}
		kernels.For(outer, rowsGrain(grainStream, r), func(lo, hi int) { maxRows(vals, idx, src, r, lo, hi) })
		return
	}
	kernels.For(outer*inner, rowsGrain(grainStream, r), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			o, in := j/inner, j%inner
			base := o*r*inner + in
			best, bk := src[base], 0
			for k := 1; k < r && best == best; k++ {
				if v := src[base+k*inner]; !(v <= best) { // larger, or NaN
					best, bk = v, k
				}
			}
			vals[j], idx[j] = best, bk
		}
	})
}

// maxLong is maxRow of a long row: the maxima of fixed chunks, in
// parallel, then the first largest of them (a NaN first of all).
func maxLong(x []float32) (float32, int) {
	n := kernels.NumChunks(len(x), sumChunk)
	vals, idx := make([]float32, n), make([]int, n)
	kernels.ForChunks(len(x), sumChunk, func(c, lo, hi int) {
		v, k := maxRow(x[lo:hi])
		vals[c], idx[c] = v, lo+k
	})
	v, k := maxRow(vals)
	return v, idx[k]
}

// maxRows does maxRow for rows [lo, hi) of src.
func maxRows(vals []float32, idx []int, src []float32, r, lo, hi int) {
	for o := lo; o < hi; o++ {
		vals[o], idx[o] = maxRow(src[o*r : (o+1)*r])
	}
}

// maxRow returns the maximum of a row and its first position; the first
// NaN wins, as in PyTorch.
func maxRow(row []float32) (float32, int) {
	best, bk := row[0], 0
	if best != best {
		return best, 0
	}
	for k, v := range row {
		if !(v <= best) { // larger, or NaN
			best, bk = v, k
			if v != v {
				break
			}
		}
	}
	return best, bk
}

func (cpu) softmax(dst, src []float32, outer, r, inner int, logOut bool) {
	if inner == 1 {
		if serial(outer*r, grainVector) {
			softmaxRows(dst, src, r, logOut, 0, outer)
			return
		}
		kernels.For(outer, rowsGrain(grainVector, r), func(lo, hi int) { softmaxRows(dst, src, r, logOut, lo, hi) })
		return
	}
	kernels.For(outer*inner, rowsGrain(grainScalar, r), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			softmaxStrided(dst, src, (j/inner)*r*inner+j%inner, r, inner, logOut)
		}
	})
}

// softmaxRows does softmaxRow for rows [lo, hi).
func softmaxRows(y, x []float32, r int, logOut bool, lo, hi int) {
	for o := lo; o < hi; o++ {
		softmaxRow(y[o*r:(o+1)*r], x[o*r:(o+1)*r], logOut)
	}
}

// softmaxRow is softmax (log-softmax) of one contiguous row, shifted by
// its maximum so that large inputs do not overflow; the sum is in float64.
func softmaxRow(y, x []float32, logOut bool) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	kernels.AddScalar(y, x, -m)
	kernels.Exps(y)
	s := kernels.SumF64(y)
	if logOut {
		kernels.AddScalar(y, x, -(float32(math.Log(s)) + m))
		return
	}
	kernels.MulScalar(y, y, float32(1/s))
}

// softmaxStrided is softmaxRow for a row of r elements inner apart.
func softmaxStrided(y, x []float32, base, r, inner int, logOut bool) {
	m := float32(math.Inf(-1))
	for k := range r {
		if v := x[base+k*inner]; v > m {
			m = v
		}
	}
	var s float64
	for k := range r {
		e := mathf.Exp(x[base+k*inner] - m)
		if !logOut {
			y[base+k*inner] = e
		}
		s += float64(e)
	}
	if logOut {
		ls := float32(math.Log(s)) + m
		for k := range r {
			y[base+k*inner] = x[base+k*inner] - ls
		}
		return
	}
	inv := float32(1 / s)
	for k := range r {
		y[base+k*inner] *= inv
	}
}

func (cpu) softmaxGrad(dst, g, y []float32, outer, r, inner int, logOut bool) {
	if inner == 1 {
		if serial(outer*r, grainVector) {
			softmaxGradRows(dst, g, y, r, logOut, 0, outer)
			return
		}
		kernels.For(outer, rowsGrain(grainVector, r), func(lo, hi int) { softmaxGradRows(dst, g, y, r, logOut, lo, hi) })
		return
	}
	kernels.For(outer*inner, rowsGrain(grainScalar, r), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			softmaxGradStrided(dst, g, y, (j/inner)*r*inner+j%inner, r, inner, logOut)
		}
	})
}

// softmaxGradRows does softmaxGradRow for rows [lo, hi).
func softmaxGradRows(dx, g, y []float32, r int, logOut bool, lo, hi int) {
	for o := lo; o < hi; o++ {
		softmaxGradRow(dx[o*r:(o+1)*r], g[o*r:(o+1)*r], y[o*r:(o+1)*r], logOut)
	}
}

// softmaxGradRow: for log-softmax dx = g − softmax·Σg, for softmax
// dx = y·(g − Σ g·y).
func softmaxGradRow(dx, g, y []float32, logOut bool) {
	if logOut {
		s := float32(kernels.SumF64(g))
		copy(dx, y)
		kernels.Exps(dx)
		kernels.MulScalar(dx, dx, s)
		kernels.Sub(dx, g, dx)
		return
	}
	kernels.Mul(dx, g, y)
	s := float32(kernels.SumF64(dx))
	kernels.AddScalar(dx, g, -s)
	kernels.Mul(dx, dx, y)
}

func softmaxGradStrided(dx, g, y []float32, base, r, inner int, logOut bool) {
	var s float64
	if logOut {
		for k := range r {
			s += float64(g[base+k*inner])
		}
		for k := range r {
			p := mathf.Exp(y[base+k*inner])
			dx[base+k*inner] = g[base+k*inner] - p*float32(s)
		}
		return
	}
	for k := range r {
		s += float64(g[base+k*inner]) * float64(y[base+k*inner])
	}
	for k := range r {
		dx[base+k*inner] = y[base+k*inner] * (g[base+k*inner] - float32(s))
	}
}
