package nn

import "github.com/godl-dev/godl/dl/internal/kernels"

// The loops of BatchNorm and LayerNorm, vectorised and spread over threads.
// Sums run in float64; a sum over many rows is split into fixed chunks
// whose partial sums are added in order, so results do not depend on the
// number of threads.

// grainStream is the elements per parallel chunk for memory-bound loops
// (about 10 µs of work), as in dl's backend.
const grainStream = 1 << 15

// rowsGrain is grainStream in rows of n elements.
func rowsGrain(n int) int { return max(1, grainStream/max(n, 1)) }

// columnSums returns Σ_k row(k) over k < rows, each row c values long
// (row may compute them into tmp, c long and its own to write).
func columnSums(rows, c int, row func(k int, tmp []float32) []float32) []float64 {
	chunk := rowsGrain(c)
	nc := kernels.NumChunks(rows, chunk)
	parts := make([]float64, nc*c)
	kernels.ForChunks(rows, chunk, func(ci, lo, hi int) {
		acc := parts[ci*c : (ci+1)*c]
		tmp := make([]float32, c)
		for k := lo; k < hi; k++ {
			kernels.AccF64(acc, row(k, tmp))
		}
	})
	out := make([]float64, c)
	for ci := range nc {
		for i, v := range parts[ci*c : (ci+1)*c] {
			out[i] += v
		}
	}
	return out
}

// bnLayout is BatchNorm's input as [n c inner]: channel ch of example b is
// x[(b·c+ch)·inner:][:inner]. With inner = 1 ([N C]) a channel is a
// column, and the loops go row by row with per-channel vectors instead.
type bnLayout struct {
	n, c, inner int
	x           []float32
}

func (l bnLayout) block(s []float32, b, ch int) []float32 {
	lo := (b*l.c + ch) * l.inner
	return s[lo : lo+l.inner]
}

func (l bnLayout) row(s []float32, b int) []float32 { return s[b*l.c : (b+1)*l.c] }

// stats returns each channel's mean and sum of squared deviations.
func (l bnLayout) stats() (mu, ss []float64) {
	count := float64(l.n * l.inner)
	if l.inner == 1 {
		mu = columnSums(l.n, l.c, func(b int, _ []float32) []float32 { return l.row(l.x, b) })
		mu32 := make([]float32, l.c)
		for ch := range mu {
			mu[ch] /= count
			mu32[ch] = float32(mu[ch])
		}
		ss = columnSums(l.n, l.c, func(b int, tmp []float32) []float32 {
			kernels.Sub(tmp, l.row(l.x, b), mu32)
			kernels.Mul(tmp, tmp, tmp)
			return tmp
		})
		return mu, ss
	}
	mu, ss = make([]float64, l.c), make([]float64, l.c)
	kernels.For(l.c, rowsGrain(2*l.n*l.inner), func(c0, c1 int) {
		for ch := c0; ch < c1; ch++ {
			var s, q float64
			for b := range l.n {
				s += kernels.SumF64(l.block(l.x, b, ch))
			}
			m := s / count
			for b := range l.n {
				q += kernels.SumSqDiffF64(l.block(l.x, b, ch), m)
			}
			mu[ch], ss[ch] = m, q
		}
	})
	return mu, ss
}

// normalize sets y = x̂·scale + shift per channel, x̂ = (x − mean)·invstd,
// keeping x̂ when xhat is not nil.
func (l bnLayout) normalize(y, xhat []float32, mean, invstd, scale, shift []float32) {
	if l.inner == 1 {
		a, b := make([]float32, l.c), make([]float32, l.c) // y = x·a + b
		for ch := range a {
			a[ch] = invstd[ch] * scale[ch]
			b[ch] = shift[ch] - mean[ch]*a[ch]
		}
		kernels.For(l.n, rowsGrain(l.c), func(r0, r1 int) {
			for r := r0; r < r1; r++ {
				x, yr := l.row(l.x, r), l.row(y, r)
				if xhat != nil {
					h := l.row(xhat, r)
					kernels.Sub(h, x, mean)
					kernels.Mul(h, h, invstd)
					kernels.Mul(yr, h, scale)
					kernels.Add(yr, yr, shift)
					continue
				}
				kernels.Mul(yr, x, a)
				kernels.Add(yr, yr, b)
			}
		})
		return
	}
	kernels.For(l.n*l.c, rowsGrain(l.inner), func(k0, k1 int) {
		for k := k0; k < k1; k++ {
			b, ch := k/l.c, k%l.c
			x, yb := l.block(l.x, b, ch), l.block(y, b, ch)
			is := invstd[ch]
			if xhat != nil {
				h := l.block(xhat, b, ch)
				kernels.ScaleShift(h, x, is, -mean[ch]*is)
				kernels.ScaleShift(yb, h, scale[ch], shift[ch])
				continue
			}
			a := is * scale[ch]
			kernels.ScaleShift(yb, x, a, shift[ch]-mean[ch]*a)
		}
	})
}

// gradSums returns Σg and Σg·x̂ per channel.
func (l bnLayout) gradSums(g, xhat []float32) (sg, sgx []float64) {
	if l.inner == 1 {
		sg = columnSums(l.n, l.c, func(b int, _ []float32) []float32 { return l.row(g, b) })
		sgx = columnSums(l.n, l.c, func(b int, tmp []float32) []float32 {
			kernels.Mul(tmp, l.row(g, b), l.row(xhat, b))
			return tmp
		})
		return sg, sgx
	}
	sg, sgx = make([]float64, l.c), make([]float64, l.c)
	kernels.For(l.c, rowsGrain(2*l.n*l.inner), func(c0, c1 int) {
		for ch := c0; ch < c1; ch++ {
			for b := range l.n {
				gb := l.block(g, b, ch)
				sg[ch] += kernels.SumF64(gb)
				sgx[ch] += kernels.DotF64(gb, l.block(xhat, b, ch))
			}
		}
	})
	return sg, sgx
}

// inputGrad sets gx = f·(g − mg − x̂·mgx) per channel.
func (l bnLayout) inputGrad(gx, g, xhat, f, mg, mgx []float32) {
	if l.inner == 1 {
		kernels.For(l.n, rowsGrain(l.c), func(r0, r1 int) {
			for r := r0; r < r1; r++ {
				d := l.row(gx, r)
				kernels.Mul(d, l.row(xhat, r), mgx)
				kernels.Sub(d, l.row(g, r), d)
				kernels.Sub(d, d, mg)
				kernels.Mul(d, d, f)
			}
		})
		return
	}
	kernels.For(l.n*l.c, rowsGrain(l.inner), func(k0, k1 int) {
		for k := k0; k < k1; k++ {
			b, ch := k/l.c, k%l.c
			d := l.block(gx, b, ch)
			kernels.ScaleShift(d, l.block(g, b, ch), f[ch], -f[ch]*mg[ch])
			if mgx[ch] != 0 {
				kernels.Saxpy(-f[ch]*mgx[ch], l.block(xhat, b, ch), d)
			}
		}
	})
}
