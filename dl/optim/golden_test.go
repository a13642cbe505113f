package optim

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// golden holds PyTorch 1.13's results, written by testdata/gen_golden.py.
type golden struct {
	W0         []float32   `json:"w0"`
	Shape      []int       `json:"shape"`
	Grads      [][]float32 `json:"grads"`
	Metric     []float64   `json:"metric"`
	Optimizers map[string]struct {
		Steps [][]float32 `json:"steps"`
	} `json:"optimizers"`
	Schedulers map[string][]float64 `json:"schedulers"`
}

func loadGolden(t *testing.T) *golden {
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Optimizers) < 10 || len(g.Schedulers) < 9 {
		t.Fatalf("golden file holds %d optimizers and %d schedulers", len(g.Optimizers), len(g.Schedulers))
	}
	return &g
}

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
			for i, v := range w.Data() {
				// float32 arithmetic in the same order as PyTorch's; 1e-6
				// relative leaves room for its vectorised sqrt and division.
				if e := want.Steps[step][i]; !close32(v, e, 1e-6) {
					t.Errorf("%s step %d: w[%d] = %.9g, PyTorch %.9g", name, step+1, i, v, e)
					break
				}
			}
		}
	}
}

func close32(a, b float32, rel float64) bool {
	return math.Abs(float64(a)-float64(b)) <= rel*math.Max(1, math.Abs(float64(b)))
}

func TestSchedulersMatchPyTorch(t *testing.T) {
	g := loadGolden(t)
	makers := map[string]func(o Optimizer) Scheduler{
		"step":          func(o Optimizer) Scheduler { return NewStepLR(o, 7, 0.5) },
		"multistep":     func(o Optimizer) Scheduler { return NewMultiStepLR(o, []int{5, 20, 20, 33}, 0.3) },
		"exponential":   func(o Optimizer) Scheduler { return NewExponentialLR(o, 0.95) },
		"cosine":        func(o Optimizer) Scheduler { return NewCosineAnnealingLR(o, 20) },
		"cosine_etamin": func(o Optimizer) Scheduler { return NewCosineAnnealingLR(o, 15, EtaMin(0.01)) },
		"linear":        func(o Optimizer) Scheduler { return NewLinearLR(o, 0.25, 1, 10) },
	}
	plateaus := map[string][]SchedOption{
		"plateau":          {Mode("min"), Factor(0.1), Patience(10)},
		"plateau_cooldown": {Mode("min"), Factor(0.5), Patience(3), Cooldown(2), MinLR(0.004), Threshold(0.01)},
		"plateau_max_abs":  {Mode("max"), Factor(0.5), Patience(2), ThresholdMode("abs"), Threshold(0.001)},
	}
	for name, want := range g.Schedulers {
		opt := NewSGD([]*dl.Tensor{dl.Zeros(1).RequiresGrad()}, LR(0.1))
		var lrs []float64
		if mk, ok := makers[name]; ok {
			s := mk(opt)
			for range want {
				opt.Step()
				s.Step()
				lrs = append(lrs, s.LastLR())
			}
		} else if opts, ok := plateaus[name]; ok {
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
		for i := range want {
			if math.Abs(lrs[i]-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) {
				t.Errorf("%s step %d: lr %.17g, PyTorch %.17g", name, i+1, lrs[i], want[i])
				break
			}
		}
	}
}

func TestOptionMisuse(t *testing.T) {
	err := dl.Maybe(func() { NewAdam(nil, Momentum(0.9)) })
	if err == nil {
		t.Fatal("Adam accepted Momentum")
	}
	if err := dl.Maybe(func() { NewSGD(nil, Nesterov()) }); err == nil {
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
