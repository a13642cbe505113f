package train

import (
	"fmt"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
	"github.com/godl-dev/godl/dl/optim"
)

// Every benchmark times one full training step (zero the gradients,
// forward, loss, backward, SGD update) on a fixed batch, like
// bench_torch.py, and reports samples per second. The thread count is
// GOMAXPROCS: go test -cpu 1,2.
//
//	GOMAXPROCS=1 go test -run '^$' -bench 'Step/CNN' -cpu 1 ./bench/train
//
// One thread count per run, GOMAXPROCS set in the environment: with -cpu
// 1,2 the testing package takes a b.Loop benchmark's first measurement
// before it sets GOMAXPROCS.

// A stepCase is one model with its input and loss, built for a batch size.
type stepCase struct {
	name  string
	build func(batch int) (model nn.Module, x, y *dl.Tensor, loss func(out, y *dl.Tensor) *dl.Tensor)
}

// stepCases are the models of bench_torch.py, in the same order.
var stepCases = []stepCase{
	{"MLP", func(batch int) (nn.Module, *dl.Tensor, *dl.Tensor, func(o, y *dl.Tensor) *dl.Tensor) {
		return nn.NewSequential(nn.NewLinear(784, 256), nn.NewReLU(), nn.NewLinear(256, 10)),
			dl.Randn(batch, 784), labels(batch, 10), crossEntropy
	}},
	{"CNN", func(batch int) (nn.Module, *dl.Tensor, *dl.Tensor, func(o, y *dl.Tensor) *dl.Tensor) {
		// The Fashion-MNIST recipe's CNN.
		return nn.NewSequential(
				nn.NewConv2d(1, 32, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
				nn.NewConv2d(32, 64, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
				nn.NewFlatten(), nn.NewLinear(64*7*7, 128), nn.NewReLU(), nn.NewLinear(128, 10)),
			dl.Randn(batch, 1, 28, 28), labels(batch, 10), crossEntropy
	}},
	{"LSTM", func(batch int) (nn.Module, *dl.Tensor, *dl.Tensor, func(o, y *dl.Tensor) *dl.Tensor) {
		return &lstmModel{nn.NewLSTM(32, 64, 1, nn.BatchFirst()), nn.NewLinear(64, 1)},
			dl.Randn(batch, 50, 32), dl.Randn(batch, 1), mse
	}},
	{"GRU", func(batch int) (nn.Module, *dl.Tensor, *dl.Tensor, func(o, y *dl.Tensor) *dl.Tensor) {
		return &gruModel{nn.NewGRU(32, 64, 1, nn.BatchFirst()), nn.NewLinear(64, 1)},
			dl.Randn(batch, 50, 32), dl.Randn(batch, 1), mse
	}},
}

// stepBatches are the batch sizes every model is timed at.
var stepBatches = []int{64, 256}

// BenchmarkStep times each model's training step at each batch size:
// BenchmarkStep/CNN/b256.
func BenchmarkStep(b *testing.B) {
	for _, c := range stepCases {
		for _, batch := range stepBatches {
			b.Run(fmt.Sprintf("%s/b%d", c.name, batch), func(b *testing.B) {
				dl.Seed(0)
				model, x, y, loss := c.build(batch)
				step(b, model, x, y, loss)
			})
		}
	}
}

// BenchmarkLinearStep is the smallest step there is, Linear(10, 10) on one
// sample: the fixed cost of an op, a backward and an update.
func BenchmarkLinearStep(b *testing.B) {
	dl.Seed(0)
	step(b, nn.NewLinear(10, 10), dl.Randn(1, 10), dl.Randn(1, 10), mse)
}

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

func crossEntropy(out, y *dl.Tensor) *dl.Tensor { return nn.CrossEntropyLoss(out, y) }

func mse(out, y *dl.Tensor) *dl.Tensor { return nn.MSELoss(out, y) }

func labels(n, classes int) *dl.Tensor {
	y := dl.Zeros(n)
	for i, d := 0, y.RawData(); i < n; i++ {
		d[i] = float32(i % classes)
	}
	return y
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

// gruModel is lstmModel with a GRU.
type gruModel struct {
	GRU *nn.GRU `nn:"gru"`
	FC  *nn.Linear
}

func (m *gruModel) Forward(x *dl.Tensor) *dl.Tensor {
	out := m.GRU.Forward(x)
	return m.FC.Forward(out.Select(1, out.Size(1)-1))
}
