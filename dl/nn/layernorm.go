package nn

import (
	"math"
	"slices"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// LayerNorm normalises over the last dimensions (NormalizedShape) of each
// example, with a learnable per-element scale and shift.
type LayerNorm struct {
	Weight          *dl.Tensor `nn:"weight"`
	Bias            *dl.Tensor `nn:"bias"`
	NormalizedShape []int
	Eps             float64
}

// NewLayerNorm returns a LayerNorm over the trailing dimensions shape
// (often one: the feature size). Options: Eps, NoAffine.
func NewLayerNorm(shape ...int) *LayerNorm { return NewLayerNormOpts(shape) }

// NewLayerNormOpts is NewLayerNorm with options.
func NewLayerNormOpts(shape []int, opts ...Option) *LayerNorm {
	if len(shape) == 0 {
		dl.Panicf("LayerNorm", "normalized shape must not be empty")
	}
	cfg := configure("LayerNorm", config{eps: 1e-5}, []string{"Eps", "NoAffine"}, opts)
	m := &LayerNorm{NormalizedShape: append([]int(nil), shape...), Eps: cfg.eps}
	if !cfg.noAffine {
		m.Weight, m.Bias = dl.Ones(shape...).RequiresGrad(), dl.Zeros(shape...).RequiresGrad()
	}
	return m
}

// Forward normalises x, row by row on all threads; x̂, which only the
// backward needs, is kept only when a graph is recorded.
func (m *LayerNorm) Forward(x *dl.Tensor) *dl.Tensor {
	const op = "LayerNorm"
	xs := x.Shape()
	k := len(m.NormalizedShape)
	if len(xs) < k || !slices.Equal(xs[len(xs)-k:], m.NormalizedShape) {
		dl.Panicf(op, "input %v does not end in the normalized shape %v", xs, m.NormalizedShape)
	}
	d := 1
	for _, v := range m.NormalizedShape {
		d *= v
	}
	rows := x.Numel() / max(d, 1)
	x = x.Contiguous()
	xd := x.RawData()
	var wd, bd []float32
	if m.Weight != nil {
		wd, bd = m.Weight.RawData(), m.Bias.RawData()
	}
	y := dl.Empty(xs...)
	yd := y.RawData()
	var xhat []float32
	if dl.NeedsGrad(x, m.Weight, m.Bias) {
		xhat = getScratch(len(xd))
	}
	invstd := make([]float32, rows)
	kernels.For(rows, rowsGrain(2*d), func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			row, yr := xd[r*d:(r+1)*d], yd[r*d:(r+1)*d]
			mu := kernels.SumF64(row) / float64(d)
			is := float32(1 / math.Sqrt(kernels.SumSqDiffF64(row, mu)/float64(d)+m.Eps))
			invstd[r] = is
			h := yr
			if xhat != nil {
				h = xhat[r*d : (r+1)*d]
			}
			kernels.ScaleShift(h, row, is, -float32(mu)*is)
			if wd != nil {
				kernels.Mul(yr, h, wd)
				kernels.Add(yr, yr, bd)
			} else if xhat != nil {
				copy(yr, h)
			}
		}
	})
	if xhat == nil {
		return hooked(m, x, y)
	}
	y = dl.Record(op, y, []*dl.Tensor{x, m.Weight, m.Bias}, func(gy *dl.Tensor) []*dl.Tensor {
		g := gy.Contiguous().RawData()
		var gx, gw, gb *dl.Tensor
		if wd != nil && (m.Weight.TracksGrad() || m.Bias.TracksGrad()) {
			sw := columnSums(rows, d, func(r int, tmp []float32) []float32 {
				kernels.Mul(tmp, g[r*d:(r+1)*d], xhat[r*d:(r+1)*d])
				return tmp
			})
			sb := columnSums(rows, d, func(r int, _ []float32) []float32 { return g[r*d : (r+1)*d] })
			gw, gb = dl.Empty(m.NormalizedShape...), dl.Empty(m.NormalizedShape...)
			gwd, gbd := gw.RawData(), gb.RawData()
			for j := range d {
				gwd[j], gbd[j] = float32(sw[j]), float32(sb[j])
			}
		}
		if x.TracksGrad() {
			gx = dl.Empty(xs...)
			gxd := gx.RawData()
			// dx = σ⁻¹·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·γ
			kernels.For(rows, rowsGrain(3*d), func(r0, r1 int) {
				for r := r0; r < r1; r++ {
					gh, h := gxd[r*d:(r+1)*d], xhat[r*d:(r+1)*d]
					if wd != nil {
						kernels.Mul(gh, g[r*d:(r+1)*d], wd)
					} else {
						copy(gh, g[r*d:(r+1)*d])
					}
					ms := float32(kernels.SumF64(gh) / float64(d))
					msx := float32(kernels.DotF64(gh, h) / float64(d))
					is := invstd[r]
					kernels.ScaleShift(gh, gh, is, -is*ms)
					kernels.Saxpy(-is*msx, h, gh)
				}
			})
		}
		// Not deferred: a backward stopped half-way (an interrupt) may be
		// run again, and must find x̂ still there.
		putScratch(xhat)
		return []*dl.Tensor{gx, gw, gb}
	})
	return hooked(m, x, y)
}
