package nn_test

import (
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/data"
	"github.com/godl-dev/godl/dl/nn"
	"github.com/godl-dev/godl/dl/optim"
)

// MLP is the tutorial's multi-layer perceptron.
type MLP struct {
	Layer1     *nn.Linear
	Activation *nn.ReLU
	Layer2     *nn.Linear
}

func NewMLP(in, hidden, out int) *MLP {
	return &MLP{nn.NewLinear(in, hidden), nn.NewReLU(), nn.NewLinear(hidden, out)}
}

func (m *MLP) Forward(x *dl.Tensor) *dl.Tensor {
	return m.Layer2.Forward(m.Activation.Forward(m.Layer1.Forward(x)))
}

func accuracy(logits, y *dl.Tensor) float64 {
	pred, lab := logits.Argmax(1).Data(), y.Data()
	ok := 0
	for i := range lab {
		if pred[i] == lab[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(lab))
}

func TestMLPLearnsSpirals(t *testing.T) {
	dl.Seed(0)
	ds := data.Spirals(100, 3)
	model := NewMLP(2, 128, 3)
	opt := optim.NewAdam(nn.Parameters(model), optim.LR(0.01))
	sched := optim.NewStepLR(opt, 150, 0.5)
	loader := data.NewLoader(ds, 32, data.Shuffle(true), data.Seed(1))
	for range 300 {
		for xb, yb := range loader.All() {
			opt.ZeroGrad()
			loss := nn.CrossEntropyLoss(model.Forward(xb), yb)
			loss.Backward()
			opt.Step()
		}
		sched.Step()
	}
	var acc float64
	dl.NoGrad(func() { acc = accuracy(model.Forward(ds.X), ds.Y) })
	if acc < 0.95 {
		t.Fatalf("training accuracy %.3f, want >= 0.95", acc)
	}
	t.Logf("accuracy %.3f", acc)
}
