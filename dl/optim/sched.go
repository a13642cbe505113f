package optim

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/option"
)

// Scheduler changes an optimizer's learning rate once per epoch (or step):
// call Step after the optimizer's Step. LastLR is the rate it set last.
//
// Each scheduler computes the next rate of every parameter group from the
// group's current one with the same formulas as torch.optim.lr_scheduler,
// so the rates agree with PyTorch's to the last bit of a float64 as long as
// nothing else changes them. Like PyTorch's, the first scheduler attached
// to an optimizer records each group's rate as its initial rate, which
// schedulers that count from a base rate (CosineAnnealingLR) use.
type Scheduler interface {
	Step()
	LastLR() float64
}

// sched holds what the epoch-based schedulers share.
type sched struct {
	name    string
	opt     Optimizer
	baseLRs []float64 // PyTorch's base_lrs: each group's initial_lr
	epoch   int       // PyTorch's last_epoch
	lastLRs []float64
	// rule is the next rate of one group from its current rate lr and its
	// base rate, at epoch.
	rule   func(epoch int, lr, base float64) float64
	fields []schedField // the hyper-parameters, for String, Save and Load
}

// A schedField is one hyper-parameter of a scheduler under PyTorch's name:
// ptr is a *int, *float64, *string or *[]int field of the scheduler.
type schedField struct {
	name string
	ptr  any
}

func newSched(name string, opt Optimizer, rule func(epoch int, lr, base float64) float64, fields []schedField) *sched {
	if opt == nil {
		dl.Panicf(name, "optimizer is nil")
	}
	s := &sched{name: name, opt: opt, rule: rule, fields: fields}
	if groups, ok := groupsOf(opt); ok {
		for _, g := range groups {
			if !g.hasInitialLR {
				g.initialLR, g.hasInitialLR = g.LR, true
			}
			s.baseLRs = append(s.baseLRs, g.initialLR)
		}
	} else {
		s.baseLRs = []float64{opt.LR()}
	}
	// PyTorch's constructors take the first step (epoch 0) themselves.
	s.apply()
	return s
}

// Step advances one epoch and sets the optimizer's learning rates.
func (s *sched) Step() {
	s.epoch++
	s.apply()
}

func (s *sched) apply() {
	lrs := currentLRs(s.opt)
	for i, lr := range lrs {
		base := lr // a group added after the scheduler counts from its rate then
		if i < len(s.baseLRs) {
			base = s.baseLRs[i]
		}
		lrs[i] = s.rule(s.epoch, lr, base)
	}
	setLRs(s.opt, lrs)
	s.lastLRs = lrs
}

// currentLRs returns the rate of every group of opt (its one rate if it
// has no groups).
func currentLRs(opt Optimizer) []float64 {
	groups, ok := groupsOf(opt)
	if !ok {
		return []float64{opt.LR()}
	}
	lrs := make([]float64, len(groups))
	for i, g := range groups {
		lrs[i] = g.LR
	}
	return lrs
}

func setLRs(opt Optimizer, lrs []float64) {
	groups, ok := groupsOf(opt)
	if !ok {
		opt.SetLR(lrs[0])
		return
	}
	for i, g := range groups {
		g.LR = lrs[i]
	}
}

// LastLR returns the learning rate of the first parameter group set by the
// last Step.
func (s *sched) LastLR() float64 { return s.lastLRs[0] }

// LastLRs returns the learning rate of every parameter group set by the
// last Step: PyTorch's get_last_lr().
func (s *sched) LastLRs() []float64 { return slices.Clone(s.lastLRs) }

// Epoch returns the number of Steps taken.
func (s *sched) Epoch() int { return s.epoch }

// String describes the scheduler: its hyper-parameters, epoch and rates.
func (s *sched) String() string {
	return schedString(s.name, s.fields, fmt.Sprintf("last_epoch=%d", s.epoch), "last_lr="+pyFloats(s.lastLRs))
}

func schedString(name string, fields []schedField, extra ...string) string {
	var parts []string
	for _, f := range fields {
		var v string
		switch p := f.ptr.(type) {
		case *int:
			v = fmt.Sprint(*p)
		case *float64:
			v = pyFloat(*p)
		case *string:
			v = "'" + *p + "'"
		case *[]int:
			v = strings.ReplaceAll(fmt.Sprint(*p), " ", ", ")
		}
		parts = append(parts, f.name+"="+v)
	}
	return name + "(" + strings.Join(append(parts, extra...), ", ") + ")"
}

// StepLR multiplies the rate by Gamma every StepSize epochs.
type StepLR struct {
	*sched
	StepSize int
	Gamma    float64
}

// NewStepLR returns a StepLR scheduler.
func NewStepLR(opt Optimizer, stepSize int, gamma float64) *StepLR {
	if stepSize <= 0 {
		dl.Panicf("StepLR", "step size must be positive, got %d", stepSize)
	}
	s := &StepLR{StepSize: stepSize, Gamma: gamma}
	s.sched = newSched("StepLR", opt, func(e int, lr, _ float64) float64 {
		if e == 0 || e%s.StepSize != 0 {
			return lr
		}
		return lr * s.Gamma
	}, []schedField{{"step_size", &s.StepSize}, {"gamma", &s.Gamma}})
	return s
}

// MultiStepLR multiplies the rate by Gamma at each milestone epoch.
type MultiStepLR struct {
	*sched
	Milestones []int
	Gamma      float64
}

// NewMultiStepLR returns a MultiStepLR scheduler; a milestone listed twice
// applies gamma twice, as in PyTorch.
func NewMultiStepLR(opt Optimizer, milestones []int, gamma float64) *MultiStepLR {
	s := &MultiStepLR{Milestones: slices.Sorted(slices.Values(milestones)), Gamma: gamma}
	s.sched = newSched("MultiStepLR", opt, func(e int, lr, _ float64) float64 {
		n := 0
		for _, m := range s.Milestones {
			if m == e {
				n++
			}
		}
		if n == 0 {
			return lr
		}
		return lr * math.Pow(s.Gamma, float64(n))
	}, []schedField{{"milestones", &s.Milestones}, {"gamma", &s.Gamma}})
	return s
}

// ExponentialLR multiplies the rate by Gamma every epoch.
type ExponentialLR struct {
	*sched
	Gamma float64
}

// NewExponentialLR returns an ExponentialLR scheduler.
func NewExponentialLR(opt Optimizer, gamma float64) *ExponentialLR {
	s := &ExponentialLR{Gamma: gamma}
	s.sched = newSched("ExponentialLR", opt, func(e int, lr, _ float64) float64 {
		if e == 0 {
			return lr
		}
		return lr * s.Gamma
	}, []schedField{{"gamma", &s.Gamma}})
	return s
}

// SchedOption sets an optional parameter of a scheduler. A scheduler
// refuses the options it does not take, naming them.
type SchedOption = option.Option[schedConfig]

type schedConfig struct {
	etaMin                        float64
	mode, thresholdMode           string
	factor, threshold, minLR, eps float64
	patience, cooldown            int
}

// schedConfigure applies opts over the defaults c for the scheduler op,
// which takes the options named in allowed.
func schedConfigure(op string, c schedConfig, allowed []string, opts []SchedOption) schedConfig {
	if err := option.Apply(op, &c, allowed, opts); err != nil {
		dl.Panicf(op, "%v", err)
	}
	return c
}

// EtaMin sets CosineAnnealingLR's lowest rate (default 0).
func EtaMin(v float64) SchedOption {
	return option.New("EtaMin", func(c *schedConfig) { c.etaMin = v })
}

// CosineAnnealingLR follows half a cosine from each group's initial rate
// down to EtaMin over TMax epochs (and back up after, as PyTorch's does).
type CosineAnnealingLR struct {
	*sched
	TMax   int
	EtaMin float64
}

// NewCosineAnnealingLR returns a CosineAnnealingLR scheduler.
func NewCosineAnnealingLR(opt Optimizer, tMax int, opts ...SchedOption) *CosineAnnealingLR {
	if tMax <= 0 {
		dl.Panicf("CosineAnnealingLR", "TMax must be positive, got %d", tMax)
	}
	c := schedConfigure("CosineAnnealingLR", schedConfig{}, []string{"EtaMin"}, opts)
	s := &CosineAnnealingLR{TMax: tMax, EtaMin: c.etaMin}
	s.sched = newSched("CosineAnnealingLR", opt, func(e int, lr, base float64) float64 {
		eta, T := s.EtaMin, float64(s.TMax)
		switch {
		case e == 0:
			return lr
		case pyMod(e-1-s.TMax, 2*s.TMax) == 0:
			return lr + (base-eta)*(1-math.Cos(math.Pi/T))/2
		}
		return (1+math.Cos(math.Pi*float64(e)/T))/(1+math.Cos(math.Pi*float64(e-1)/T))*(lr-eta) + eta
	}, []schedField{{"T_max", &s.TMax}, {"eta_min", &s.EtaMin}})
	return s
}

// pyMod is Python's %, whose result takes the sign of the divisor.
func pyMod(a, b int) int {
	m := a % b
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// LinearLR scales the rate by a factor that moves linearly from Start to
// End over TotalIters epochs: a warm-up when Start < End.
type LinearLR struct {
	*sched
	Start, End float64
	TotalIters int
}

// NewLinearLR returns a LinearLR scheduler (PyTorch's defaults are 1/3, 1, 5).
func NewLinearLR(opt Optimizer, start, end float64, totalIters int) *LinearLR {
	if start <= 0 || start > 1 || end < 0 || end > 1 {
		dl.Panicf("LinearLR", "factors must be in (0, 1] and [0, 1], got %v and %v", start, end)
	}
	s := &LinearLR{Start: start, End: end, TotalIters: totalIters}
	s.sched = newSched("LinearLR", opt, func(e int, lr, _ float64) float64 {
		start, end := s.Start, s.End
		switch {
		case e == 0:
			return lr * start
		case e > s.TotalIters:
			return lr
		}
		return lr * (1 + (end-start)/(float64(s.TotalIters)*start+float64(e-1)*(end-start)))
	}, []schedField{{"start_factor", &s.Start}, {"end_factor", &s.End}, {"total_iters", &s.TotalIters}})
	return s
}
