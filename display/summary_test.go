package display

import (
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
)

func mlp() *nn.Sequential {
	return nn.NewSequential(nn.NewLinear(784, 256), nn.NewReLU(), nn.NewLinear(256, 10))
}

func TestSummaryMLP(t *testing.T) {
	data, _ := SummaryBundle(mlp(), 1, 784)
	text := data[MIMEText].(string)
	for _, want := range []string{"Total params: 203,530", "Trainable params: 203,530",
		"Non-trainable params: 0", "Output shape: [1, 10]", "200,960", "2,570"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary text lacks %q:\n%s", want, text)
		}
	}
	h := data[MIMEHTML].(string)
	checkHTML(t, h)
	tds, _ := cellTexts(t, h)
	// Rows: the Sequential, Linear, ReLU, Linear; 5 columns each.
	wantRows := [][]string{
		{"(Sequential)", "Sequential", "[1, 10]", "--", "--"},
		{"0", "Linear", "[1, 256]", "200,960", "True"},
		{"1", "ReLU", "[1, 256]", "--", "--"},
		{"2", "Linear", "[1, 10]", "2,570", "True"},
	}
	for i, row := range wantRows {
		got := strings.Join(tds[5*i:5*i+5], "|")
		if got != strings.Join(row, "|") {
			t.Errorf("row %d = %s, want %s", i, got, strings.Join(row, "|"))
		}
	}
	if !strings.Contains(h, "Total params: 203,530") {
		t.Error("HTML lacks the total")
	}
}

// net is a user-defined model: a struct with layers in fields.
type net struct {
	Body *nn.Sequential
	Act1 *nn.LeakyReLU
	Head *nn.Linear
}

func (n *net) Forward(x *dl.Tensor) *dl.Tensor {
	return n.Head.Forward(n.Act1.Forward(n.Body.Forward(x)))
}

func TestSummaryUserModelFrozen(t *testing.T) {
	m := &net{
		Body: nn.NewSequential(nn.NewLinear(4, 8), nn.NewLeakyReLU(0.1)),
		Act1: nn.NewLeakyReLU(0.1),
		Head: nn.NewLinear(8, 2),
	}
	m.Head.Bias.SetRequiresGrad(false)
	data, _ := SummaryBundle(m, 3, 4)
	text := data[MIMEText].(string)
	for _, want := range []string{"Total params: 58", "Trainable params: 56",
		"Non-trainable params: 2", "Partial", "Input shape: [3, 4]", "Output shape: [3, 2]"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	tds, _ := cellTexts(t, data[MIMEHTML].(string))
	// Two layers of one type each get their own output shape. (Not ReLU:
	// zero-size layers share an address, and nn.NamedModules then lists
	// only the first.)
	var reluShapes []string
	for i := 0; i+4 < len(tds); i += 5 {
		if tds[i+1] == "LeakyReLU" {
			reluShapes = append(reluShapes, tds[i+2])
		}
	}
	if strings.Join(reluShapes, " ") != "[3, 8] [3, 8]" {
		t.Errorf("ReLU output shapes %v, want two [3, 8]", reluShapes)
	}
}

func TestSummaryWithoutInput(t *testing.T) {
	data, _ := ValueBundle(mlp())
	text := data[MIMEText].(string)
	if !strings.Contains(text, "Total params: 203,530") || strings.Contains(text, "Output shape: [") {
		t.Errorf("module value summary:\n%s", text)
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 203530: "203,530", -1234567: "-1,234,567"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

// A summary is a look at the model: each module keeps its mode and the
// batch-norm statistics do not move.
func TestSummaryKeepsModesAndStatistics(t *testing.T) {
	bn, drop := nn.NewBatchNorm1d(4), nn.NewDropout(0.5)
	model := nn.NewSequential(nn.NewLinear(3, 4), bn, drop)
	nn.Eval(model)
	drop.Training = true // a mixed model: only dropout trains
	before := bn.RunningMean.Data()
	SummaryBundle(model, 2, 3)
	if bn.Training || !drop.Training {
		t.Fatalf("modes changed: batchnorm training %v, dropout training %v", bn.Training, drop.Training)
	}
	after := bn.RunningMean.Data()
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("running mean moved: %v -> %v", before, after)
		}
	}
}
