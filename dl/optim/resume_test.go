package optim_test

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
	"github.com/godl-dev/godl/dl/optim"
)

// resumeCase is an optimizer and a scheduler to train a small model with.
type resumeCase struct {
	name  string
	opt   func(m *nn.Sequential) optim.Optimizer
	sched func(o optim.Optimizer) any // a Scheduler or *ReduceLROnPlateau
}

var resumeCases = []resumeCase{
	{"SGD nesterov + StepLR",
		func(m *nn.Sequential) optim.Optimizer {
			return optim.NewSGD(nn.Parameters(m), optim.LR(0.05), optim.Momentum(0.9), optim.Nesterov(), optim.WeightDecay(1e-3))
		},
		func(o optim.Optimizer) any { return optim.NewStepLR(o, 2, 0.5) }},
	{"SGD dampening + ExponentialLR",
		func(m *nn.Sequential) optim.Optimizer {
			return optim.NewSGD(nn.Parameters(m), optim.LR(0.05), optim.Momentum(0.5), optim.Dampening(0.1))
		},
		func(o optim.Optimizer) any { return optim.NewExponentialLR(o, 0.9) }},
	{"SGD plain + MultiStepLR",
		func(m *nn.Sequential) optim.Optimizer { return optim.NewSGD(nn.Parameters(m), optim.LR(0.05)) },
		func(o optim.Optimizer) any { return optim.NewMultiStepLR(o, []int{2, 4}, 0.1) }},
	{"Adam + CosineAnnealingLR",
		func(m *nn.Sequential) optim.Optimizer { return optim.NewAdam(nn.Parameters(m), optim.LR(1e-2)) },
		func(o optim.Optimizer) any { return optim.NewCosineAnnealingLR(o, 5, optim.EtaMin(1e-3)) }},
	{"Adam AMSGrad in groups + LinearLR",
		func(m *nn.Sequential) optim.Optimizer {
			return optim.NewAdam(optim.Groups(
				optim.Group(nn.Parameters(m.Layers[0]), optim.LR(2e-2), optim.WeightDecay(1e-2)),
				optim.Group(nn.Parameters(m.Layers[2]))), optim.LR(1e-2), optim.AMSGrad())
		},
		func(o optim.Optimizer) any { return optim.NewLinearLR(o, 0.25, 1, 4) }},
	{"AdamW + StepLR",
		func(m *nn.Sequential) optim.Optimizer {
			return optim.NewAdamW(nn.Parameters(m), optim.LR(1e-2), optim.WeightDecay(0.1))
		},
		func(o optim.Optimizer) any { return optim.NewStepLR(o, 1, 0.8) }},
	{"RMSprop centered momentum + ReduceLROnPlateau",
		func(m *nn.Sequential) optim.Optimizer {
			return optim.NewRMSprop(nn.Parameters(m), optim.LR(1e-2), optim.Centered(), optim.Momentum(0.5), optim.WeightDecay(1e-3))
		},
		func(o optim.Optimizer) any {
			return optim.NewReduceLROnPlateau(o, optim.Mode("min"), optim.Patience(0), optim.Factor(0.5), optim.Threshold(0.5))
		}},
	{"RMSprop + StepLR",
		func(m *nn.Sequential) optim.Optimizer { return optim.NewRMSprop(nn.Parameters(m), optim.LR(1e-3)) },
		func(o optim.Optimizer) any { return optim.NewStepLR(o, 2, 0.1) }},
}

func newResumeModel(seed int64) *nn.Sequential {
	dl.Seed(seed)
	return nn.NewSequential(nn.NewLinear(4, 8), nn.NewReLU(), nn.NewLinear(8, 2))
}

// train takes n steps on (x, y), stepping the scheduler after each.
func train(m *nn.Sequential, opt optim.Optimizer, sched any, x, y *dl.Tensor, n int) {
	for range n {
		opt.ZeroGrad()
		loss := nn.MSELoss(m.Forward(x), y)
		loss.Backward()
		opt.Step()
		switch s := sched.(type) {
		case *optim.ReduceLROnPlateau:
			s.StepMetric(float64(loss.Item()))
		case optim.Scheduler:
			s.Step()
		}
	}
}

// TestResumeEqualsUninterrupted trains 3 steps, saves the model and the
// optimizer with its scheduler, loads them into a fresh model, optimizer
// and scheduler, trains 3 more steps, and checks the weights against 6
// uninterrupted steps.
func TestResumeEqualsUninterrupted(t *testing.T) {
	dl.Seed(7)
	x, y := dl.Randn(16, 4), dl.Randn(16, 2)
	for _, c := range resumeCases {
		ref := newResumeModel(1)
		refOpt := c.opt(ref)
		train(ref, refOpt, c.sched(refOpt), x, y, 6)

		dir := t.TempDir()
		first := newResumeModel(1)
		opt := c.opt(first)
		sched := c.sched(opt)
		train(first, opt, sched, x, y, 3)
		if err := nn.Save(first, filepath.Join(dir, "model.safetensors")); err != nil {
			t.Fatal(err)
		}
		if err := optim.Save(filepath.Join(dir, "optim.safetensors"), opt, sched); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}

		resumed := newResumeModel(2)
		opt = c.opt(resumed)
		sched = c.sched(opt)
		if err := nn.Load(resumed, filepath.Join(dir, "model.safetensors")); err != nil {
			t.Fatal(err)
		}
		if err := optim.Load(filepath.Join(dir, "optim.safetensors"), opt, sched); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		train(resumed, opt, sched, x, y, 3)

		want, got := nn.Parameters(ref), nn.Parameters(resumed)
		for i := range want {
			for j, w := range want[i].Data() {
				if g := got[i].Data()[j]; math.Abs(float64(g-w)) > 1e-6*math.Max(1, math.Abs(float64(w))) {
					t.Fatalf("%s: parameter %d element %d = %.9g after resuming, %.9g uninterrupted", c.name, i, j, g, w)
				}
			}
		}
		if a, b := refOpt.LR(), opt.LR(); a != b {
			t.Errorf("%s: learning rate %v after resuming, %v uninterrupted", c.name, b, a)
		}
	}
}

// TestLoadRefusesMismatches checks that Load names what does not match
// and changes nothing then.
func TestLoadRefusesMismatches(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "adam.safetensors")
	m := newResumeModel(1)
	opt := optim.NewAdam(nn.Parameters(m), optim.LR(1e-2))
	sched := optim.NewStepLR(opt, 1, 0.5)
	dl.Seed(3)
	train(m, opt, sched, dl.Randn(4, 4), dl.Randn(4, 2), 2)
	if err := optim.Save(path, opt, sched); err != nil {
		t.Fatal(err)
	}
	other := newResumeModel(1)
	cases := []struct {
		name, want string
		load       func() error
	}{
		{"other optimizer", "holds the state of Adam, not SGD", func() error {
			return optim.Load(path, optim.NewSGD(nn.Parameters(other)), optim.NewStepLR(opt, 1, 0.5))
		}},
		{"AdamW for Adam", "not AdamW", func() error {
			return optim.Load(path, optim.NewAdamW(nn.Parameters(other)))
		}},
		{"fewer parameters", "holds 4 parameters in the file, 2 in the optimizer", func() error {
			return optim.Load(path, optim.NewAdam(nn.Parameters(other.Layers[0])))
		}},
		{"two groups", "the optimizer has 2", func() error {
			return optim.Load(path, optim.NewAdam(optim.Groups(optim.Group(nn.Parameters(other.Layers[0])),
				optim.Group(nn.Parameters(other.Layers[2])))))
		}},
		{"other shapes", "has shape [8 4], its parameter [3 4]", func() error {
			dl.Seed(1)
			o := nn.NewSequential(nn.NewLinear(4, 3), nn.NewReLU(), nn.NewLinear(8, 2))
			return optim.Load(path, optim.NewAdam(nn.Parameters(o)), optim.NewStepLR(opt, 1, 0.5))
		}},
		{"two schedulers", "holds 1 schedulers, 2 were given", func() error {
			o := optim.NewAdam(nn.Parameters(other))
			return optim.Load(path, o, optim.NewStepLR(o, 1, 0.5), optim.NewStepLR(o, 1, 0.5))
		}},
		{"other scheduler", "is a ExponentialLR, the file holds a StepLR", func() error {
			o := optim.NewAdam(nn.Parameters(other))
			return optim.Load(path, o, optim.NewExponentialLR(o, 0.5))
		}},
		{"not a scheduler", "not one of this package's schedulers", func() error {
			return optim.Load(path, optim.NewAdam(nn.Parameters(other)), 42)
		}},
		{"absent file", "no such file", func() error {
			return optim.Load(filepath.Join(dir, "absent"), optim.NewAdam(nn.Parameters(other)))
		}},
	}
	for _, c := range cases {
		err := c.load()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
	// No schedulers: the optimizer alone, its rate as saved.
	alone := optim.NewAdam(nn.Parameters(other))
	if err := optim.Load(path, alone); err != nil || alone.LR() != opt.LR() {
		t.Errorf("optimizer alone: %v, rate %v (saved %v)", err, alone.LR(), opt.LR())
	}
	// A failed Load leaves the optimizer as it was.
	fresh := optim.NewAdam(nn.Parameters(other), optim.LR(0.5))
	if err := optim.Load(path, fresh, optim.NewExponentialLR(fresh, 0.5)); err == nil {
		t.Fatal("loaded into a mismatched scheduler")
	}
	if fresh.LR() != 0.5 {
		t.Errorf("a failed Load changed the learning rate to %v", fresh.LR())
	}
}
