package nn

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// The cases of testdata/golden_loss.json come from gen_golden_loss.py
// (PyTorch 1.13): the classification and binary losses with every option
// and their combinations, values and gradients.

// lossTensor is a golden tensor: float32 data, or int64 labels. NaN is the
// string "NaN".
type lossTensor struct {
	Dtype string            `json:"dtype"`
	Shape []int             `json:"shape"`
	Data  []json.RawMessage `json:"data"`
}

func (g *lossTensor) values(t *testing.T) []float64 {
	out := make([]float64, len(g.Data))
	for i, r := range g.Data {
		s := strings.Trim(string(r), `"`)
		if s == "NaN" {
			out[i] = math.NaN()
			continue
		}
		if err := json.Unmarshal([]byte(s), &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (g *lossTensor) tensor(t *testing.T) *dl.Tensor {
	v := g.values(t)
	if g.Dtype == "int64" {
		ints := make([]int64, len(v))
		for i, x := range v {
			ints[i] = int64(x)
		}
		return dl.FromInt64s(ints, g.Shape...).Reshape(g.Shape...)
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return dl.FromSlice(f, g.Shape...).Reshape(g.Shape...)
}

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

func checkLossTensor(t *testing.T, what string, got *dl.Tensor, want *lossTensor) {
	t.Helper()
	if !slicesEqual(got.Shape(), want.Shape) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape(), want.Shape)
		return
	}
	w := want.values(t)
	for i, g := range got.Float64s() {
		if math.IsNaN(w[i]) {
			if !math.IsNaN(g) {
				t.Errorf("%s: element %d is %v, want NaN", what, i, g)
			}
			continue
		}
		if math.Abs(g-w[i]) > 1e-5*math.Max(1, math.Abs(w[i])) {
			t.Errorf("%s: element %d is %v, want %v", what, i, g, w[i])
		}
	}
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
	b, err := os.ReadFile("testdata/golden_loss.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []lossCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			x := c.Input.tensor(t).RequiresGrad()
			y := c.Target.tensor(t)
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
				opts = append(opts, Weight(c.Weight.tensor(t)))
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
			out.Mul(c.Upstream.tensor(t)).Sum().Backward()
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
