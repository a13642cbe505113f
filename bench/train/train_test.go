package train

import (
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
	"github.com/godl-dev/godl/dl/optim"
)

// Every benchmark times one full training step (zero the gradients,
// forward, loss, backward, SGD update) on a fixed batch, like
// bench_torch.py, and reports samples per second.

func step(b *testing.B, model nn.Module, x, y *dl.Tensor, loss func(out, y *dl.Tensor) *dl.Tensor) {
	opt := optim.NewSGD(nn.Parameters(model), optim.LR(0.01))
	run := func() {
		opt.ZeroGrad()
		l := loss(model.Forward(x), y)
		l.Backward()
		opt.Step()
	}
	for range 3 {
		run() // warm up: first-touch pages, pools
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.N*x.Size(0))/b.Elapsed().Seconds(), "samples/s")
}

func labels(n, classes int) *dl.Tensor {
	y := dl.Zeros(n)
	for i, d := 0, y.RawData(); i < n; i++ {
		d[i] = float32(i % classes)
	}
	return y
}

func BenchmarkMLP(b *testing.B) {
	dl.Seed(0)
	model := nn.NewSequential(nn.NewLinear(784, 256), nn.NewReLU(), nn.NewLinear(256, 10))
	step(b, model, dl.Randn(64, 784), labels(64, 10), func(o, y *dl.Tensor) *dl.Tensor { return nn.CrossEntropyLoss(o, y) })
}

func BenchmarkCNN(b *testing.B) {
	dl.Seed(0)
	model := nn.NewSequential(
		nn.NewConv2d(1, 16, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
		nn.NewFlatten(), nn.NewLinear(16*14*14, 10))
	step(b, model, dl.Randn(64, 1, 28, 28), labels(64, 10), func(o, y *dl.Tensor) *dl.Tensor { return nn.CrossEntropyLoss(o, y) })
}

// lstmModel is the tutorial's LSTMModel: an LSTM and a Linear on the last
// step's output.
type lstmModel struct {
	LSTM *nn.LSTM `nn:"lstm"`
	FC   *nn.Linear
}

func (m *lstmModel) Forward(x *dl.Tensor) *dl.Tensor {
	out := m.LSTM.Forward(x)
	return m.FC.Forward(out.Select(1, out.Size(1)-1))
}

func BenchmarkLSTM(b *testing.B) {
	dl.Seed(0)
	model := &lstmModel{nn.NewLSTM(32, 64, 1, nn.BatchFirst()), nn.NewLinear(64, 1)}
	step(b, model, dl.Randn(32, 50, 32), dl.Randn(32, 1), func(o, y *dl.Tensor) *dl.Tensor { return nn.MSELoss(o, y) })
}

func BenchmarkLinearStep(b *testing.B) {
	dl.Seed(0)
	model := nn.NewLinear(10, 10)
	step(b, model, dl.Randn(1, 10), dl.Randn(1, 10), func(o, y *dl.Tensor) *dl.Tensor { return nn.MSELoss(o, y) })
}

// BenchmarkGRU is BenchmarkLSTM with a GRU (no PyTorch counterpart in
// compare.py; for the recurrent cells' own speed).
func BenchmarkGRU(b *testing.B) {
	dl.Seed(0)
	model := &gruModel{nn.NewGRU(32, 64, 1, nn.BatchFirst()), nn.NewLinear(64, 1)}
	step(b, model, dl.Randn(32, 50, 32), dl.Randn(32, 1), func(o, y *dl.Tensor) *dl.Tensor { return nn.MSELoss(o, y) })
}

type gruModel struct {
	GRU *nn.GRU `nn:"gru"`
	FC  *nn.Linear
}

func (m *gruModel) Forward(x *dl.Tensor) *dl.Tensor {
	out := m.GRU.Forward(x)
	return m.FC.Forward(out.Select(1, out.Size(1)-1))
}
