package nn

import (
	"math"

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

// Forward normalises x. The statistics, the normalisation and the
// backward run channel by channel (or, for [N C], row by row) on all
// threads; x̂, which only the backward needs, is kept only when a graph is
// recorded.
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
	l := bnLayout{n: n, c: c, inner: inner, x: x.RawData()}
	useBatch := m.Training || m.RunningMean == nil
	mean, invstd := make([]float32, c), make([]float32, c)
	if useBatch {
		if count <= 1 {
			dl.Panicf(op, "expected more than 1 value per channel when training, got input %v", xs)
		}
		mu, ss := l.stats()
		for ch := range c {
			variance := ss[ch] / float64(count)
			mean[ch], invstd[ch] = float32(mu[ch]), float32(1/math.Sqrt(variance+m.Eps))
		}
		if m.Training && m.RunningMean != nil {
			rm, rv := m.RunningMean.RawData(), m.RunningVar.RawData()
			mo := m.Momentum
			for ch := range c {
				rm[ch] = float32((1-mo)*float64(rm[ch]) + mo*mu[ch])
				rv[ch] = float32((1-mo)*float64(rv[ch]) + mo*ss[ch]/float64(count-1))
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
	scale, shift := make([]float32, c), make([]float32, c) // of the affine map after x̂
	for ch := range c {
		scale[ch] = 1
		if m.Weight != nil {
			scale[ch], shift[ch] = m.Weight.RawData()[ch], m.Bias.RawData()[ch]
		}
	}
	y := dl.Empty(xs...)
	var xhat []float32
	if dl.NeedsGrad(x, m.Weight, m.Bias) {
		xhat = getScratch(len(l.x))
	}
	l.normalize(y.RawData(), xhat, mean, invstd, scale, shift)
	if xhat == nil {
		return hooked(m, x, y)
	}
	y = dl.Record(op, y, []*dl.Tensor{x, m.Weight, m.Bias}, func(gy *dl.Tensor) []*dl.Tensor {
		g := gy.Contiguous().RawData()
		sg, sgx := l.gradSums(g, xhat) // Σg, Σg·x̂ per channel
		var gx, gw, gb *dl.Tensor
		if m.Weight != nil && (m.Weight.TracksGrad() || m.Bias.TracksGrad()) {
			gw, gb = dl.Empty(c), dl.Empty(c)
			for ch := range c {
				gw.RawData()[ch], gb.RawData()[ch] = float32(sgx[ch]), float32(sg[ch])
			}
		}
		if x.TracksGrad() {
			// dx = γ·σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)) with batch
			// statistics; γ·σ⁻¹·g with running ones.
			f, mg, mgx := make([]float32, c), make([]float32, c), make([]float32, c)
			for ch := range c {
				f[ch] = scale[ch] * invstd[ch]
				if useBatch {
					mg[ch], mgx[ch] = float32(sg[ch]/float64(count)), float32(sgx[ch]/float64(count))
				}
			}
			gx = dl.Empty(xs...)
			l.inputGrad(gx.RawData(), g, xhat, f, mg, mgx)
		}
		// Not deferred: a backward stopped half-way (an interrupt) may be
		// run again, and must find x̂ still there.
		putScratch(xhat)
		return []*dl.Tensor{gx, gw, gb}
	})
	return hooked(m, x, y)
}
