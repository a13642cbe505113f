package optim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/golden"
)

// TestStringMatchesPyTorch compares String with PyTorch 2's repr of the
// same optimizers (testdata/gen_repr.py; its repr lists keys 1.13's does
// not, such as foreach and fused).
func TestStringMatchesPyTorch(t *testing.T) {
	var want map[string]string
	golden.Load(t, "testdata/repr.json", "2", &want)
	p := func(n int) []*dl.Tensor { return []*dl.Tensor{dl.Zeros(n).RequiresGrad()} }
	cases := map[string]func() Optimizer{
		"sgd":           func() Optimizer { return NewSGD(p(2)) },
		"sgd_momentum":  func() Optimizer { return NewSGD(p(2), LR(0.1), Momentum(0.9), Nesterov(), WeightDecay(1e-4)) },
		"sgd_dampening": func() Optimizer { return NewSGD(p(2), LR(1), Momentum(0.5), Dampening(0.25)) },
		"adam":          func() Optimizer { return NewAdam(p(2)) },
		"adam_amsgrad":  func() Optimizer { return NewAdam(p(2), LR(3e-4), Betas(0.8, 0.99), Eps(1e-6), AMSGrad()) },
		"adamw":         func() Optimizer { return NewAdamW(p(2)) },
		"adam_groups": func() Optimizer {
			return NewAdam(Groups(Group(p(2), LR(1e-2)), Group(p(3))), LR(1e-3), WeightDecay(1e-4))
		},
		"rmsprop": func() Optimizer { return NewRMSprop(p(2)) },
		"rmsprop_all": func() Optimizer {
			return NewRMSprop(p(2), LR(1e-3), Alpha(0.9), Eps(1e-5), Momentum(0.9), Centered(), WeightDecay(0.5))
		},
		"sgd_steplr": func() Optimizer {
			o := NewSGD(p(2), LR(0.1), Momentum(0.9))
			s := NewStepLR(o, 1, 0.1)
			for range 2 {
				o.Step()
				s.Step()
			}
			return o
		},
		"adam_tiny_lr": func() Optimizer { return NewAdam(p(2), LR(1e-5), Eps(1e-10)) },
		"sgd_big_lr":   func() Optimizer { return NewSGD(p(2), LR(1e16)) },
	}
	if len(want) != len(cases) {
		t.Errorf("repr.json has %d cases, the test %d", len(want), len(cases))
	}
	for name, mk := range cases {
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: not in repr.json", name)
			continue
		}
		if got := fmt.Sprint(mk()); got != w {
			t.Errorf("%s:\n got %q\nwant %q", name, got, w)
		}
	}
}

func TestSchedulerString(t *testing.T) {
	opt := NewSGD(Groups(Group(dl.Zeros(1)), Group(dl.Zeros(1), LR(0.5))), LR(0.1))
	s := NewMultiStepLR(opt, []int{3, 1}, 0.5)
	s.Step()
	if got, want := s.String(), "MultiStepLR(milestones=[1, 3], gamma=0.5, last_epoch=1, last_lr=[0.05, 0.25])"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	r := NewReduceLROnPlateau(opt, Mode("max"), Patience(2))
	r.StepMetric(0.5)
	want := "ReduceLROnPlateau(mode='max', factor=0.1, patience=2, threshold=0.0001, threshold_mode='rel', " +
		"cooldown=0, min_lr=0.0, eps=1e-08, best=0.5, num_bad_epochs=0, cooldown_counter=0, last_epoch=1, last_lr=[0.05, 0.25])"
	if got := fmt.Sprint(r); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !strings.Contains(fmt.Sprint(NewCosineAnnealingLR(opt, 10)), "T_max=10, eta_min=0.0") {
		t.Errorf("CosineAnnealingLR: %v", NewCosineAnnealingLR(opt, 10))
	}
}

func TestPyFloat(t *testing.T) {
	tenth := 0.1
	cases := map[float64]string{0: "0.0", 1: "1.0", 0.1: "0.1", 1e-4: "0.0001", 1e-5: "1e-05",
		1.5e-8: "1.5e-08", 123456.5: "123456.5", 1e15: "1000000000000000.0", 1e16: "1e+16", -2.5: "-2.5"}
	cases[tenth*tenth] = "0.010000000000000002" // as a float64 product, not a constant
	for v, want := range cases {
		if got := pyFloat(v); got != want {
			t.Errorf("pyFloat(%v) = %s, Python says %s", v, got, want)
		}
	}
}
