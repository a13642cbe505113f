package optim

import (
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/golden"
)

// golden.json holds PyTorch 1.13's results, written by testdata/gen_golden.py
// (make golden).
const goldenTorch = "1.13"

type goldenSteps struct {
	Steps []golden.Float32s `json:"steps"`
}

type goldenFile struct {
	W0         golden.Float32s        `json:"w0"`
	Shape      []int                  `json:"shape"`
	Grads      []golden.Float32s      `json:"grads"`
	Metric     []float64              `json:"metric"`
	Optimizers map[string]goldenSteps `json:"optimizers"`
	Schedulers map[string][]float64   `json:"schedulers"`

	B0              golden.Float32s        `json:"b0"`
	BGrads          []golden.Float32s      `json:"bgrads"`
	GroupOptimizers map[string]goldenSteps `json:"group_optimizers"`
	GroupSchedulers map[string][][]float64 `json:"group_schedulers"`
}

func loadGolden(t *testing.T) *goldenFile {
	var g goldenFile
	golden.Load(t, "testdata/golden.json", goldenTorch, &g)
	if len(g.Optimizers) < 10 || len(g.Schedulers) < 9 || len(g.GroupOptimizers) < 5 || len(g.GroupSchedulers) < 9 {
		t.Fatalf("golden file holds %d+%d optimizers and %d+%d schedulers",
			len(g.Optimizers), len(g.GroupOptimizers), len(g.Schedulers), len(g.GroupSchedulers))
	}
	return &g
}

// Optimizers compute in float32 in the same order as PyTorch; 1e-6
// relative (absolute below 1) leaves room for its vectorised sqrt and
// division. Learning rates are float64 arithmetic on both sides.
var (
	stepTol = golden.Tol{Rel: 1e-6, Floor: 1}
	lrTol   = golden.Tol{Rel: 1e-12, Floor: 1}
)

func TestOptimizersMatchPyTorch(t *testing.T) {
	g := loadGolden(t)
	makers := map[string]func(p []*dl.Tensor) Optimizer{
		"sgd":          func(p []*dl.Tensor) Optimizer { return NewSGD(p, LR(0.1)) },
		"sgd_momentum": func(p []*dl.Tensor) Optimizer { return NewSGD(p, LR(0.1), Momentum(0.9)) },
		"sgd_nesterov_wd": func(p []*dl.Tensor) Optimizer {
			return NewSGD(p, LR(0.05), Momentum(0.9), Nesterov(), WeightDecay(1e-2))
		},
		"sgd_dampening": func(p []*dl.Tensor) Optimizer { return NewSGD(p, LR(0.1), Momentum(0.8), Dampening(0.3)) },
		"adam":          func(p []*dl.Tensor) Optimizer { return NewAdam(p, LR(1e-3)) },
		"adam_wd": func(p []*dl.Tensor) Optimizer {
			return NewAdam(p, LR(1e-2), Betas(0.8, 0.99), WeightDecay(1e-4))
		},
		"adam_amsgrad": func(p []*dl.Tensor) Optimizer { return NewAdam(p, LR(1e-2), AMSGrad()) },
		"adamw":        func(p []*dl.Tensor) Optimizer { return NewAdamW(p, LR(1e-2)) },
		"adamw_wd":     func(p []*dl.Tensor) Optimizer { return NewAdamW(p, LR(1e-2), WeightDecay(0.1), Eps(1e-6)) },
		"rmsprop":      func(p []*dl.Tensor) Optimizer { return NewRMSprop(p, LR(1e-2)) },
		"rmsprop_all": func(p []*dl.Tensor) Optimizer {
			return NewRMSprop(p, LR(1e-2), Alpha(0.9), Momentum(0.5), Centered(), WeightDecay(1e-3))
		},
	}
	for name, want := range g.Optimizers {
		mk, ok := makers[name]
		if !ok {
			t.Errorf("no Go counterpart for golden optimizer %s", name)
			continue
		}
		w := dl.FromSlice(g.W0, g.Shape...).RequiresGrad()
		opt := mk([]*dl.Tensor{w})
		for step, grad := range g.Grads {
			w.SetGrad(dl.FromSlice(grad, g.Shape...))
			opt.Step()
			if err := golden.CompareSlices(w.Data(), want.Steps[step], stepTol); err != nil {
				t.Errorf("%s step %d: %v", name, step+1, err)
			}
		}
	}
}

// The schedulers of gen_golden.py, by name.
var (
	schedMakers = map[string]func(o Optimizer) Scheduler{
		"step":          func(o Optimizer) Scheduler { return NewStepLR(o, 7, 0.5) },
		"multistep":     func(o Optimizer) Scheduler { return NewMultiStepLR(o, []int{5, 20, 20, 33}, 0.3) },
		"exponential":   func(o Optimizer) Scheduler { return NewExponentialLR(o, 0.95) },
		"cosine":        func(o Optimizer) Scheduler { return NewCosineAnnealingLR(o, 20) },
		"cosine_etamin": func(o Optimizer) Scheduler { return NewCosineAnnealingLR(o, 15, EtaMin(0.01)) },
		"linear":        func(o Optimizer) Scheduler { return NewLinearLR(o, 0.25, 1, 10) },
	}
	plateauOptions = map[string][]SchedOption{
		"plateau":          {Mode("min"), Factor(0.1), Patience(10)},
		"plateau_cooldown": {Mode("min"), Factor(0.5), Patience(3), Cooldown(2), MinLR(0.004), Threshold(0.01)},
		"plateau_max_abs":  {Mode("max"), Factor(0.5), Patience(2), ThresholdMode("abs"), Threshold(0.001)},
	}
)

func TestSchedulersMatchPyTorch(t *testing.T) {
	g := loadGolden(t)
	for name, want := range g.Schedulers {
		opt := NewSGD([]*dl.Tensor{dl.Zeros(1).RequiresGrad()}, LR(0.1))
		var lrs []float64
		if mk, ok := schedMakers[name]; ok {
			s := mk(opt)
			for range want {
				opt.Step()
				s.Step()
				lrs = append(lrs, s.LastLR())
			}
		} else if opts, ok := plateauOptions[name]; ok {
			s := NewReduceLROnPlateau(opt, opts...)
			for _, m := range g.Metric {
				if s.Mode == "max" {
					m = -m
				}
				s.StepMetric(m)
				lrs = append(lrs, s.LastLR())
			}
		} else {
			t.Errorf("no Go counterpart for golden scheduler %s", name)
			continue
		}
		if err := golden.CompareSlices(lrs, want, lrTol); err != nil {
			t.Errorf("%s: learning rate per step: %v", name, err)
		}
	}
}

func TestParamGroupsMatchPyTorch(t *testing.T) {
	g := loadGolden(t)
	makers := map[string]func(w, b *dl.Tensor) Optimizer{
		"sgd_groups": func(w, b *dl.Tensor) Optimizer {
			return NewSGD(Groups(Group(w, LR(0.05), Momentum(0.9), Nesterov()), Group(b, Dampening(0.2))), LR(0.1), Momentum(0.5))
		},
		"adam_groups": func(w, b *dl.Tensor) Optimizer {
			return NewAdam(Groups(Group(w, LR(1e-2), Betas(0.8, 0.99)), Group(b, WeightDecay(1e-2), AMSGrad())), LR(1e-3))
		},
		"adamw_groups": func(w, b *dl.Tensor) Optimizer {
			return NewAdamW(Groups(Group([]*dl.Tensor{w}), Group(b, LR(5e-3), WeightDecay(0.1))), LR(1e-2))
		},
		"rmsprop_groups": func(w, b *dl.Tensor) Optimizer {
			return NewRMSprop(Groups(Group(w, Centered(), Momentum(0.5)), Group(b, Alpha(0.9), Eps(1e-6))), LR(1e-2))
		},
		"adam_groups+steplr": func(w, b *dl.Tensor) Optimizer {
			return NewAdam(Groups(Group(w, LR(1e-2)), Group(b)), LR(1e-3))
		},
	}
	for name, want := range g.GroupOptimizers {
		mk, ok := makers[name]
		if !ok {
			t.Errorf("no Go counterpart for golden optimizer %s", name)
			continue
		}
		w := dl.FromSlice(g.W0, g.Shape...).RequiresGrad()
		b := dl.FromSlice(g.B0, len(g.B0)).RequiresGrad()
		opt := mk(w, b)
		var sched Scheduler
		if strings.HasSuffix(name, "+steplr") {
			sched = NewStepLR(opt, 1, 0.5)
		}
		for step := range g.Grads {
			w.SetGrad(dl.FromSlice(g.Grads[step], g.Shape...))
			b.SetGrad(dl.FromSlice(g.BGrads[step], len(g.B0)))
			opt.Step()
			if sched != nil {
				sched.Step()
			}
			if err := golden.CompareSlices(append(w.Data(), b.Data()...), want.Steps[step], stepTol); err != nil {
				t.Errorf("%s step %d (w then b): %v", name, step+1, err)
			}
		}
	}
}

func TestSchedulersOverGroupsMatchPyTorch(t *testing.T) {
	g := loadGolden(t)
	for name, want := range g.GroupSchedulers {
		opt := NewSGD(Groups(Group(dl.Zeros(1).RequiresGrad()), Group(dl.Zeros(1).RequiresGrad(), LR(0.02))), LR(0.1))
		var lrs [][]float64
		if mk, ok := schedMakers[name]; ok {
			s := mk(opt).(interface {
				Scheduler
				LastLRs() []float64
			})
			for range want {
				opt.Step()
				s.Step()
				lrs = append(lrs, s.LastLRs())
			}
		} else if opts, ok := plateauOptions[name]; ok {
			s := NewReduceLROnPlateau(opt, opts...)
			for _, m := range g.Metric {
				if s.Mode == "max" {
					m = -m
				}
				s.StepMetric(m)
				lrs = append(lrs, []float64{opt.ParamGroups()[0].LR, opt.ParamGroups()[1].LR})
			}
		} else {
			t.Errorf("no Go counterpart for golden scheduler %s", name)
			continue
		}
		for i := range want {
			if err := golden.CompareSlices(lrs[i], want[i], lrTol); err != nil {
				t.Errorf("%s step %d: learning rate per group: %v", name, i+1, err)
			}
		}
	}
}

func TestOptionMisuse(t *testing.T) {
	err := dl.Maybe(func() { NewAdam([]*dl.Tensor(nil), Momentum(0.9)) })
	if err == nil {
		t.Fatal("Adam accepted Momentum")
	}
	if err := dl.Maybe(func() { NewSGD([]*dl.Tensor(nil), Nesterov()) }); err == nil {
		t.Fatal("SGD accepted Nesterov without momentum")
	}
}

func TestStepSkipsParamsWithoutGrad(t *testing.T) {
	w := dl.Ones(2).RequiresGrad()
	opt := NewAdam([]*dl.Tensor{w}, LR(0.1))
	opt.Step()
	if d := w.Data(); d[0] != 1 || d[1] != 1 {
		t.Fatalf("parameter without gradient changed: %v", d)
	}
}
