package nn

import (
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/golden"
)

// The cases of testdata/golden_loss.json come from gen_golden_loss.py
// (PyTorch 1.13, make golden): the classification and binary losses with
// every option and their combinations, values and gradients.

// lossTensor is a golden tensor: float32 data, or int64 labels.
type lossTensor = goldTensor

type lossCase struct {
	Name           string      `json:"name"`
	Loss           string      `json:"loss"`
	Input          lossTensor  `json:"input"`
	Target         lossTensor  `json:"target"`
	Weight         *lossTensor `json:"weight"`
	IgnoreIndex    *int        `json:"ignore_index"`
	LabelSmoothing *float64    `json:"label_smoothing"`
	Reduction      string      `json:"reduction"`
	Error          string      `json:"error"`
	Out            *lossTensor `json:"out"`
	Upstream       *lossTensor `json:"upstream"`
	Grad           *lossTensor `json:"grad"`
	TargetGrad     *lossTensor `json:"target_grad"`
}

// checkLossTensor compares with PyTorch's values to 1e-5, absolute below 1.
func checkLossTensor(t *testing.T, what string, got *dl.Tensor, want *lossTensor) {
	t.Helper()
	golden.Check(t, what, got, &want.Tensor, golden.Tol{Rel: 1e-5, Floor: 1})
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLossOptionsGolden(t *testing.T) {
	var g struct {
		Cases []lossCase `json:"cases"`
	}
	golden.Load(t, "testdata/golden_loss.json", goldenTorch, &g)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			x := c.Input.tensor().RequiresGrad()
			y := c.Target.tensor()
			if c.TargetGrad != nil {
				y.RequiresGrad()
			}
			var opts []LossOption
			switch c.Reduction {
			case "sum":
				opts = append(opts, Sum)
			case "none":
				opts = append(opts, NoReduction)
			}
			if c.Weight != nil {
				opts = append(opts, Weight(c.Weight.tensor()))
			}
			if c.IgnoreIndex != nil {
				opts = append(opts, IgnoreIndex(*c.IgnoreIndex))
			}
			if c.LabelSmoothing != nil {
				opts = append(opts, LabelSmoothing(*c.LabelSmoothing))
			}
			f := map[string]func(a, b *dl.Tensor, o ...LossOption) *dl.Tensor{
				"cross_entropy": CrossEntropyLoss, "nll": NLLLoss, "bce": BCELoss, "bce_logits": BCEWithLogitsLoss,
			}[c.Loss]
			if c.Error != "" {
				err := dl.Maybe(func() { f(x, y, opts...) })
				if err == nil {
					t.Fatalf("no error; PyTorch says %q", c.Error)
				}
				return
			}
			out := f(x, y, opts...)
			checkLossTensor(t, "loss", out, c.Out)
			out.Mul(c.Upstream.tensor()).Sum().Backward()
			checkLossTensor(t, "input grad", x.Grad(), c.Grad)
			if c.TargetGrad != nil {
				checkLossTensor(t, "target grad", y.Grad(), c.TargetGrad)
			}
			if c.Target.Dtype == "int64" && c.Loss != "bce" {
				// Labels held as whole float32 numbers (older notebooks)
				// give the same loss.
				old := f(x.Detach(), y.To(dl.Float32), opts...)
				checkLossTensor(t, "float labels", old, c.Out)
			}
		})
	}
}

// The losses refuse options they do not take, and a bool label tensor.
func TestLossOptionRefusals(t *testing.T) {
	z := dl.Randn(3, 4)
	for name, f := range map[string]func(){
		"MSELoss":          func() { MSELoss(z, z, IgnoreIndex(1)) },
		"NLLLoss":          func() { NLLLoss(z, dl.From([]int{0, 1, 2}), LabelSmoothing(0.1)) },
		"CrossEntropyLoss": func() { CrossEntropyLoss(z, dl.From([]bool{true, false, true})) },
		"BCELoss":          func() { BCELoss(dl.Sigmoid(z), z, Sum, NoReduction) },
	} {
		err := dl.Maybe(f)
		if err == nil || !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A loss prints as torch's does, backward node included (the texts are
// PyTorch 1.13's for the same inputs, from dl/testdata/gen_golden_api.py).
func TestLossPrintsTorchGradFn(t *testing.T) {
	x := dl.FromSlice([]float32{1, -2, 3, 0.5}, 2, 2).RequiresGrad()
	if got, want := CrossEntropyLoss(x, dl.From([]int{0, 1})).String(), "tensor(1.3137, grad_fn=<NllLossBackward0>)"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, want := MSELoss(x, dl.Zeros(2, 2)).String(), "tensor(3.5625, grad_fn=<MseLossBackward0>)"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
