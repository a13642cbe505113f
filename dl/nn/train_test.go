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

// sineModel predicts the next sample of a sine wave from the sequence so
// far: the tutorial's LSTMModel shape at a small size.
type sineModel struct {
	LSTM *nn.LSTM `nn:"lstm"`
	FC   *nn.Linear
}

func (m *sineModel) Forward(x *dl.Tensor) *dl.Tensor {
	out := m.LSTM.Forward(x)
	return m.FC.Forward(out.Select(1, -1))
}

func TestLSTMLearnsSineWaves(t *testing.T) {
	dl.Seed(3)
	ds := data.SineWaves(128, 20)
	model := &sineModel{nn.NewLSTM(1, 16, 1, nn.BatchFirst()), nn.NewLinear(16, 1)}
	opt := optim.NewAdam(nn.Parameters(model), optim.LR(0.01))
	loss := func() float64 {
		var l float64
		dl.NoGrad(func() { l = float64(nn.MSELoss(model.Forward(ds.X), ds.Y).Item()) })
		return l
	}
	start := loss()
	for range 150 {
		opt.ZeroGrad()
		nn.MSELoss(model.Forward(ds.X), ds.Y).Backward()
		nn.ClipGradNorm(nn.Parameters(model), 1)
		opt.Step()
	}
	if end := loss(); end > start/10 {
		t.Fatalf("MSE went from %.4f to %.4f, want a tenfold drop", start, end)
	} else {
		t.Logf("MSE %.4f -> %.4f", start, end)
	}
}

// barsCNN tells horizontal from vertical bars: Conv2d, BatchNorm2d,
// MaxPool2d and Linear training together.
type barsCNN struct {
	Conv *nn.Conv2d
	BN   *nn.BatchNorm2d
	Pool *nn.MaxPool2d
	FC   *nn.Linear
}

func (m *barsCNN) Forward(x *dl.Tensor) *dl.Tensor {
	h := m.Pool.Forward(dl.ReLU(m.BN.Forward(m.Conv.Forward(x))))
	return m.FC.Forward(h.Flatten(1))
}

func TestCNNLearnsBars(t *testing.T) {
	dl.Seed(9)
	const n = 64
	x := dl.Randn(n, 1, 8, 8).MulScalar(0.3)
	y := dl.Zeros(n)
	xd, yd := x.RawData(), y.RawData()
	for i := range n {
		pos := i % 8
		for k := range 8 {
			if i%2 == 0 { // a horizontal bar at row pos
				xd[i*64+pos*8+k] += 1
			} else { // a vertical bar at column pos
				xd[i*64+k*8+pos] += 1
				yd[i] = 1
			}
		}
	}
	model := &barsCNN{nn.NewConv2d(1, 4, 3, nn.Padding(1)), nn.NewBatchNorm2d(4), nn.NewMaxPool2d(2), nn.NewLinear(4*4*4, 2)}
	opt := optim.NewSGD(nn.Parameters(model), optim.LR(0.1), optim.Momentum(0.9))
	for range 60 {
		opt.ZeroGrad()
		nn.CrossEntropyLoss(model.Forward(x), y).Backward()
		opt.Step()
	}
	nn.Eval(model)
	var acc float64
	dl.NoGrad(func() { acc = accuracy(model.Forward(x), y) })
	if acc < 0.95 {
		t.Fatalf("accuracy %.3f in eval mode, want >= 0.95", acc)
	}
}
