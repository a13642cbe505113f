package nn

import (
	"math"
	"slices"

	"github.com/godl-dev/godl/dl"
)

// BatchNorm normalises each channel over the batch (and spatial positions):
// BatchNorm1d takes [N C] or [N C L], BatchNorm2d [N C H W]. In training it
// uses the batch's statistics and updates the running ones (momentum 0.1,
// unbiased variance, as PyTorch); in eval mode it uses the running ones.
type BatchNorm struct {
	Weight            *dl.Tensor `nn:"weight"` // [C] scale, nil with NoAffine
	Bias              *dl.Tensor `nn:"bias"`   // [C] shift
	RunningMean       *dl.Tensor `nn:"running_mean,buffer"`
	RunningVar        *dl.Tensor `nn:"running_var,buffer"`
	NumBatchesTracked *dl.Tensor `nn:"num_batches_tracked,buffer"`
	Eps, Momentum     float64
	Training          bool
	dims              int // 2 for 1d ([N C] or [N C L]), 4 for 2d
	features          int // C, kept for layers with neither affine nor running stats
}

// BatchNorm1d is BatchNorm over [N C] or [N C L].
type BatchNorm1d = BatchNorm

// BatchNorm2d is BatchNorm over [N C H W].
type BatchNorm2d = BatchNorm

var bnOptions = []string{"Eps", "Momentum", "NoAffine", "NoTrackStats"}

func newBatchNorm(op string, c, dims int, opts []Option) *BatchNorm {
	if c <= 0 {
		dl.Panicf(op, "number of features must be positive, got %d", c)
	}
	cfg := configure(op, config{eps: 1e-5, momentum: 0.1}, bnOptions, opts)
	m := &BatchNorm{Eps: cfg.eps, Momentum: cfg.momentum, Training: true, dims: dims, features: c}
	if !cfg.noAffine {
		m.Weight, m.Bias = dl.Ones(c).RequiresGrad(), dl.Zeros(c).RequiresGrad()
	}
	if !cfg.noTrackStats {
		m.RunningMean, m.RunningVar, m.NumBatchesTracked = dl.Zeros(c), dl.Ones(c), dl.Scalar(0)
	}
	return m
}

// NewBatchNorm1d returns a BatchNorm over c features: input [N c] or [N c L].
// Options: Eps, Momentum, NoAffine, NoTrackStats.
func NewBatchNorm1d(c int, opts ...Option) *BatchNorm {
	return newBatchNorm("BatchNorm1d", c, 2, opts)
}

// NewBatchNorm2d returns a BatchNorm over c channels: input [N c H W].
func NewBatchNorm2d(c int, opts ...Option) *BatchNorm {
	return newBatchNorm("BatchNorm2d", c, 4, opts)
}

// SetTraining switches between batch and running statistics.
func (m *BatchNorm) SetTraining(on bool) { m.Training = on }

// IsTraining reports whether the layer is in training mode.
func (m *BatchNorm) IsTraining() bool { return m.Training }

func (m *BatchNorm) name() string {
	if m.dims == 4 {
		return "BatchNorm2d"
	}
	return "BatchNorm1d"
}

func (m *BatchNorm) channels() int {
	for _, t := range []*dl.Tensor{m.Weight, m.RunningMean} {
		if t != nil {
			return t.Size(0)
		}
	}
	return -1
}

// Forward normalises x.
func (m *BatchNorm) Forward(x *dl.Tensor) *dl.Tensor {
	op := m.name()
	xs := x.Shape()
	c := m.channels()
	ok := len(xs) == m.dims || (m.dims == 2 && len(xs) == 3)
	if !ok || xs[1] != c {
		want := "[N C H W]"
		if m.dims == 2 {
			want = "[N C] or [N C L]"
		}
		dl.Panicf(op, "input %v does not fit %d features: want %s", xs, c, want)
	}
	n, inner := xs[0], 1
	for _, d := range xs[2:] {
		inner *= d
	}
	count := n * inner
	x = x.Contiguous()
	xd := x.RawData()
	mean, invstd := make([]float32, c), make([]float32, c)
	useBatch := m.Training || m.RunningMean == nil
	if useBatch {
		if count <= 1 {
			dl.Panicf(op, "expected more than 1 value per channel when training, got input %v", xs)
		}
		for ch := range c {
			var s, ss float64
			for b := range n {
				for _, v := range xd[(b*c+ch)*inner : (b*c+ch+1)*inner] {
					s += float64(v)
				}
			}
			mu := s / float64(count)
			for b := range n {
				for _, v := range xd[(b*c+ch)*inner : (b*c+ch+1)*inner] {
					d := float64(v) - mu
					ss += d * d
				}
			}
			variance := ss / float64(count)
			mean[ch], invstd[ch] = float32(mu), float32(1/math.Sqrt(variance+m.Eps))
			if m.Training && m.RunningMean != nil {
				rm, rv := m.RunningMean.RawData(), m.RunningVar.RawData()
				mo := m.Momentum
				rm[ch] = float32((1-mo)*float64(rm[ch]) + mo*mu)
				rv[ch] = float32((1-mo)*float64(rv[ch]) + mo*ss/float64(count-1))
			}
		}
		if m.Training && m.NumBatchesTracked != nil {
			m.NumBatchesTracked.RawData()[0]++
		}
	} else {
		rm, rv := m.RunningMean.RawData(), m.RunningVar.RawData()
		for ch := range c {
			mean[ch], invstd[ch] = rm[ch], float32(1/math.Sqrt(float64(rv[ch])+m.Eps))
		}
	}
	var wd, bd []float32
	if m.Weight != nil {
		wd, bd = m.Weight.RawData(), m.Bias.RawData()
	}
	y := dl.Zeros(xs...)
	yd := y.RawData()
	xhat := make([]float32, len(xd))
	for b := range n {
		for ch := range c {
			lo, hi := (b*c+ch)*inner, (b*c+ch+1)*inner
			mu, is := mean[ch], invstd[ch]
			sc, sh := float32(1), float32(0)
			if wd != nil {
				sc, sh = wd[ch], bd[ch]
			}
			for k := lo; k < hi; k++ {
				h := (xd[k] - mu) * is
				xhat[k] = h
				yd[k] = h*sc + sh
			}
		}
	}
	y = dl.Record(op, y, []*dl.Tensor{x, m.Weight, m.Bias}, func(gy *dl.Tensor) []*dl.Tensor {
		g := gy.Contiguous().RawData()
		sg, sgx := make([]float64, c), make([]float64, c) // Σg, Σg·x̂ per channel
		for b := range n {
			for ch := range c {
				for k := (b*c + ch) * inner; k < (b*c+ch+1)*inner; k++ {
					sg[ch] += float64(g[k])
					sgx[ch] += float64(g[k]) * float64(xhat[k])
				}
			}
		}
		var gx, gw, gb *dl.Tensor
		if wd != nil {
			gw, gb = dl.Zeros(c), dl.Zeros(c)
			for ch := range c {
				gw.RawData()[ch], gb.RawData()[ch] = float32(sgx[ch]), float32(sg[ch])
			}
		}
		if x.TracksGrad() {
			gx = dl.Zeros(xs...)
			gxd := gx.RawData()
			for b := range n {
				for ch := range c {
					sc := float32(1)
					if wd != nil {
						sc = wd[ch]
					}
					k0, k1 := (b*c+ch)*inner, (b*c+ch+1)*inner
					if !useBatch {
						for k := k0; k < k1; k++ {
							gxd[k] = g[k] * sc * invstd[ch]
						}
						continue
					}
					// dx = γ·σ⁻¹·(g − mean(g) − x̂·mean(g·x̂))
					mg, mgx := float32(sg[ch]/float64(count)), float32(sgx[ch]/float64(count))
					f := sc * invstd[ch]
					for k := k0; k < k1; k++ {
						gxd[k] = f * (g[k] - mg - xhat[k]*mgx)
					}
				}
			}
		}
		return []*dl.Tensor{gx, gw, gb}
	})
	return hooked(m, x, y)
}

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

// Forward normalises x.
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
	y := dl.Zeros(xs...)
	yd := y.RawData()
	xhat, invstd := make([]float32, len(xd)), make([]float32, rows)
	for r := range rows {
		row := xd[r*d : (r+1)*d]
		var s, ss float64
		for _, v := range row {
			s += float64(v)
		}
		mu := s / float64(d)
		for _, v := range row {
			ss += (float64(v) - mu) * (float64(v) - mu)
		}
		is := float32(1 / math.Sqrt(ss/float64(d)+m.Eps))
		invstd[r] = is
		for j, v := range row {
			h := (v - float32(mu)) * is
			xhat[r*d+j] = h
			if wd != nil {
				yd[r*d+j] = h*wd[j] + bd[j]
			} else {
				yd[r*d+j] = h
			}
		}
	}
	y = dl.Record(op, y, []*dl.Tensor{x, m.Weight, m.Bias}, func(gy *dl.Tensor) []*dl.Tensor {
		g := gy.Contiguous().RawData()
		var gx, gw, gb *dl.Tensor
		if wd != nil {
			gw, gb = dl.Zeros(m.NormalizedShape...), dl.Zeros(m.NormalizedShape...)
			gwd, gbd := gw.RawData(), gb.RawData()
			for r := range rows {
				for j := range d {
					gwd[j] += g[r*d+j] * xhat[r*d+j]
					gbd[j] += g[r*d+j]
				}
			}
		}
		if x.TracksGrad() {
			gx = dl.Zeros(xs...)
			gxd := gx.RawData()
			gh := make([]float32, d)
			for r := range rows {
				var s, sx float64
				for j := range d {
					gh[j] = g[r*d+j]
					if wd != nil {
						gh[j] *= wd[j]
					}
					s += float64(gh[j])
					sx += float64(gh[j]) * float64(xhat[r*d+j])
				}
				ms, msx := float32(s/float64(d)), float32(sx/float64(d))
				for j := range d {
					gxd[r*d+j] = invstd[r] * (gh[j] - ms - xhat[r*d+j]*msx)
				}
			}
		}
		return []*dl.Tensor{gx, gw, gb}
	})
	return hooked(m, x, y)
}
