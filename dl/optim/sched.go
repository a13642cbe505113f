package optim

import (
	"math"
	"slices"

	"github.com/godl-dev/godl/dl"
)

// Scheduler changes an optimizer's learning rate once per epoch (or step):
// call Step after the optimizer's Step. LastLR is the rate it set last.
//
// Each scheduler computes the next rate from the current one with the same
// formulas as torch.optim.lr_scheduler, so the rates agree with PyTorch's to
// the last bit of a float64 as long as nothing else changes the rate.
type Scheduler interface {
	Step()
	LastLR() float64
}

// sched holds what the epoch-based schedulers share.
type sched struct {
	opt    Optimizer
	baseLR float64 // the optimizer's rate when the scheduler was made
	epoch  int     // PyTorch's last_epoch
	next   func(s *sched) float64
	last   float64
}

func newSched(op string, opt Optimizer, next func(s *sched) float64) *sched {
	if opt == nil {
		dl.Panicf(op, "optimizer is nil")
	}
	s := &sched{opt: opt, baseLR: opt.LR(), next: next}
	// PyTorch's constructors take the first step (epoch 0) themselves.
	s.last = s.next(s)
	s.opt.SetLR(s.last)
	return s
}

// Step advances one epoch and sets the optimizer's learning rate.
func (s *sched) Step() {
	s.epoch++
	s.last = s.next(s)
	s.opt.SetLR(s.last)
}

// LastLR returns the learning rate set by the last Step.
func (s *sched) LastLR() float64 { return s.last }

// Epoch returns the number of Steps taken.
func (s *sched) Epoch() int { return s.epoch }

// StepLR multiplies the rate by Gamma every StepSize epochs.
type StepLR struct{ *sched }

// NewStepLR returns a StepLR scheduler.
func NewStepLR(opt Optimizer, stepSize int, gamma float64) *StepLR {
	if stepSize <= 0 {
		dl.Panicf("StepLR", "step size must be positive, got %d", stepSize)
	}
	return &StepLR{newSched("StepLR", opt, func(s *sched) float64 {
		lr := s.opt.LR()
		if s.epoch == 0 || s.epoch%stepSize != 0 {
			return lr
		}
		return lr * gamma
	})}
}

// MultiStepLR multiplies the rate by gamma at each milestone epoch.
type MultiStepLR struct{ *sched }

// NewMultiStepLR returns a MultiStepLR scheduler; a milestone listed twice
// applies gamma twice, as in PyTorch.
func NewMultiStepLR(opt Optimizer, milestones []int, gamma float64) *MultiStepLR {
	ms := slices.Clone(milestones)
	return &MultiStepLR{newSched("MultiStepLR", opt, func(s *sched) float64 {
		lr := s.opt.LR()
		n := 0
		for _, m := range ms {
			if m == s.epoch {
				n++
			}
		}
		if n == 0 {
			return lr
		}
		return lr * math.Pow(gamma, float64(n))
	})}
}

// ExponentialLR multiplies the rate by gamma every epoch.
type ExponentialLR struct{ *sched }

// NewExponentialLR returns an ExponentialLR scheduler.
func NewExponentialLR(opt Optimizer, gamma float64) *ExponentialLR {
	return &ExponentialLR{newSched("ExponentialLR", opt, func(s *sched) float64 {
		if s.epoch == 0 {
			return s.opt.LR()
		}
		return s.opt.LR() * gamma
	})}
}

// SchedOption sets an optional parameter of a scheduler.
type SchedOption func(*schedConfig)

type schedConfig struct {
	etaMin                        float64
	mode, thresholdMode           string
	factor, threshold, minLR, eps float64
	patience, cooldown            int
}

// EtaMin sets CosineAnnealingLR's lowest rate (default 0).
func EtaMin(v float64) SchedOption { return func(c *schedConfig) { c.etaMin = v } }

// CosineAnnealingLR follows half a cosine from the initial rate down to
// EtaMin over TMax epochs (and back up after, as PyTorch's does).
type CosineAnnealingLR struct{ *sched }

// NewCosineAnnealingLR returns a CosineAnnealingLR scheduler.
func NewCosineAnnealingLR(opt Optimizer, tMax int, opts ...SchedOption) *CosineAnnealingLR {
	if tMax <= 0 {
		dl.Panicf("CosineAnnealingLR", "TMax must be positive, got %d", tMax)
	}
	var c schedConfig
	for _, o := range opts {
		o(&c)
	}
	eta, T := c.etaMin, float64(tMax)
	return &CosineAnnealingLR{newSched("CosineAnnealingLR", opt, func(s *sched) float64 {
		lr, e := s.opt.LR(), s.epoch
		switch {
		case e == 0:
			return lr
		case pyMod(e-1-tMax, 2*tMax) == 0:
			return lr + (s.baseLR-eta)*(1-math.Cos(math.Pi/T))/2
		}
		return (1+math.Cos(math.Pi*float64(e)/T))/(1+math.Cos(math.Pi*float64(e-1)/T))*(lr-eta) + eta
	})}
}

// pyMod is Python's %, whose result takes the sign of the divisor.
func pyMod(a, b int) int {
	m := a % b
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// LinearLR scales the rate by a factor that moves linearly from start to end
// over totalIters epochs: a warm-up when start < end.
type LinearLR struct{ *sched }

// NewLinearLR returns a LinearLR scheduler (PyTorch's defaults are 1/3, 1, 5).
func NewLinearLR(opt Optimizer, start, end float64, totalIters int) *LinearLR {
	if start <= 0 || start > 1 || end < 0 || end > 1 {
		dl.Panicf("LinearLR", "factors must be in (0, 1] and [0, 1], got %v and %v", start, end)
	}
	return &LinearLR{newSched("LinearLR", opt, func(s *sched) float64 {
		lr, e := s.opt.LR(), s.epoch
		switch {
		case e == 0:
			return lr * start
		case e > totalIters:
			return lr
		}
		return lr * (1 + (end-start)/(float64(totalIters)*start+float64(e-1)*(end-start)))
	})}
}
