package optim

import (
	"fmt"
	"math"
	"slices"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/option"
)

// Mode says whether ReduceLROnPlateau wants its metric to go down ("min",
// the default, for a loss) or up ("max", for an accuracy).
func Mode(m string) SchedOption {
	return option.New("Mode", func(c *schedConfig) { c.mode = m })
}

// Factor is what the rate is multiplied by on a plateau (default 0.1).
func Factor(f float64) SchedOption {
	return option.New("Factor", func(c *schedConfig) { c.factor = f })
}

// Patience is how many epochs without improvement are tolerated (default 10).
func Patience(n int) SchedOption {
	return option.New("Patience", func(c *schedConfig) { c.patience = n })
}

// Threshold is the least change that counts as improvement (default 1e-4).
func Threshold(t float64) SchedOption {
	return option.New("Threshold", func(c *schedConfig) { c.threshold = t })
}

// ThresholdMode is "rel" (default: relative to the best) or "abs".
func ThresholdMode(m string) SchedOption {
	return option.New("ThresholdMode", func(c *schedConfig) { c.thresholdMode = m })
}

// Cooldown is how many epochs to wait after a reduction before counting bad
// epochs again (default 0).
func Cooldown(n int) SchedOption {
	return option.New("Cooldown", func(c *schedConfig) { c.cooldown = n })
}

// MinLR is the lowest rate a reduction goes to (default 0).
func MinLR(v float64) SchedOption {
	return option.New("MinLR", func(c *schedConfig) { c.minLR = v })
}

// MinDelta is the least change of rate worth making (PyTorch's eps, 1e-8).
func MinDelta(v float64) SchedOption {
	return option.New("MinDelta", func(c *schedConfig) { c.eps = v })
}

// ReduceLROnPlateau lowers the rate of every parameter group when a metric
// has stopped improving. Call StepMetric with the epoch's metric instead of
// Step.
type ReduceLROnPlateau struct {
	opt                           Optimizer
	Mode, ThresholdMode           string
	Factor, Threshold, MinLR, Eps float64
	Patience, Cooldown            int
	best                          float64
	bad, cooldownLeft, epoch      int
	lastLRs                       []float64
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau scheduler.
func NewReduceLROnPlateau(opt Optimizer, opts ...SchedOption) *ReduceLROnPlateau {
	const op = "ReduceLROnPlateau"
	if opt == nil {
		dl.Panicf(op, "optimizer is nil")
	}
	c := schedConfigure(op, schedConfig{mode: "min", thresholdMode: "rel", factor: 0.1, patience: 10, threshold: 1e-4, eps: 1e-8},
		[]string{"Mode", "Factor", "Patience", "Threshold", "ThresholdMode", "Cooldown", "MinLR", "MinDelta"}, opts)
	if c.factor >= 1 {
		dl.Panicf(op, "factor must be below 1, got %v", c.factor)
	}
	if c.mode != "min" && c.mode != "max" {
		dl.Panicf(op, "mode %q is unknown: use \"min\" or \"max\"", c.mode)
	}
	if c.thresholdMode != "rel" && c.thresholdMode != "abs" {
		dl.Panicf(op, "threshold mode %q is unknown: use \"rel\" or \"abs\"", c.thresholdMode)
	}
	r := &ReduceLROnPlateau{opt: opt, Mode: c.mode, ThresholdMode: c.thresholdMode, Factor: c.factor,
		Threshold: c.threshold, MinLR: c.minLR, Eps: c.eps, Patience: c.patience, Cooldown: c.cooldown,
		lastLRs: currentLRs(opt)}
	r.best = r.worst()
	return r
}

// worst is the metric every first value improves on (PyTorch's mode_worse).
func (r *ReduceLROnPlateau) worst() float64 {
	if r.Mode == "max" {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

func (r *ReduceLROnPlateau) better(a float64) bool {
	switch {
	case r.Mode == "min" && r.ThresholdMode == "rel":
		return a < r.best*(1-r.Threshold)
	case r.Mode == "min":
		return a < r.best-r.Threshold
	case r.ThresholdMode == "rel":
		return a > r.best*(r.Threshold+1)
	}
	return a > r.best+r.Threshold
}

// StepMetric records one epoch's metric and lowers the rates after more
// than Patience epochs without improvement.
func (r *ReduceLROnPlateau) StepMetric(v float64) {
	r.epoch++
	if r.better(v) {
		r.best, r.bad = v, 0
	} else {
		r.bad++
	}
	if r.cooldownLeft > 0 {
		r.cooldownLeft--
		r.bad = 0
	}
	lrs := currentLRs(r.opt)
	if r.bad > r.Patience {
		for i, old := range lrs {
			if lr := math.Max(old*r.Factor, r.MinLR); old-lr > r.Eps {
				lrs[i] = lr
			}
		}
		setLRs(r.opt, lrs)
		r.cooldownLeft, r.bad = r.Cooldown, 0
	}
	r.lastLRs = lrs
}

// LastLR returns the learning rate of the first parameter group after the
// last StepMetric.
func (r *ReduceLROnPlateau) LastLR() float64 { return r.lastLRs[0] }

// LastLRs returns the learning rate of every parameter group after the
// last StepMetric.
func (r *ReduceLROnPlateau) LastLRs() []float64 { return slices.Clone(r.lastLRs) }

// Best returns the best metric seen so far.
func (r *ReduceLROnPlateau) Best() float64 { return r.best }

func (r *ReduceLROnPlateau) fields() []schedField {
	return []schedField{{"mode", &r.Mode}, {"factor", &r.Factor}, {"patience", &r.Patience},
		{"threshold", &r.Threshold}, {"threshold_mode", &r.ThresholdMode}, {"cooldown", &r.Cooldown},
		{"min_lr", &r.MinLR}, {"eps", &r.Eps}}
}

// String describes the scheduler: its hyper-parameters and state.
func (r *ReduceLROnPlateau) String() string {
	return schedString("ReduceLROnPlateau", r.fields(), "best="+pyFloat(r.best),
		fmt.Sprintf("num_bad_epochs=%d", r.bad), fmt.Sprintf("cooldown_counter=%d", r.cooldownLeft),
		fmt.Sprintf("last_epoch=%d", r.epoch), "last_lr="+pyFloats(r.lastLRs))
}
