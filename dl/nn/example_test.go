package nn_test

import (
	"fmt"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
	"github.com/godl-dev/godl/dl/optim"
)

// The tutorial's PyTorch blocks, one Go counterpart each.

// MLP: model = MLP(input_size=784, hidden_size=256, output_size=10).
func Example_mlp() {
	model := NewMLP(784, 256, 10)
	out := model.Forward(dl.Randn(64, 784))
	fmt.Println(out.Shape(), nn.NumParams(model))
	for _, p := range nn.NamedParameters(model) {
		fmt.Println(p.Name, p.Param.Shape())
	}
	// Output:
	// [64 10] 203530
	// layer1.weight [256 784]
	// layer1.bias [256]
	// layer2.weight [10 256]
	// layer2.bias [10]
}

// Backpropagation: nn.Sequential, nn.MSELoss()(output, y), loss.backward(),
// model[0].weight.grad.shape.
func Example_backprop() {
	x := dl.Randn(10, 5).RequiresGrad()
	y := dl.Randn(10, 2)
	model := nn.NewSequential(nn.NewLinear(5, 10), nn.NewReLU(), nn.NewLinear(10, 2))
	output := model.Forward(x)
	loss := nn.MSELoss(output, y)
	loss.Backward()
	fmt.Println("first layer weight gradient shape:", model.Layers[0].(*nn.Linear).Weight.Grad().Shape())
	// Output: first layer weight gradient shape: [10 5]
}

// Convolution: nn.Conv2d(1, 1, kernel_size=3, stride=1, padding=1) and
// nn.Conv2d(3, 16, kernel_size=3, padding=1).
func Example_conv2d() {
	conv := nn.NewConv2d(1, 1, 3, nn.Stride(1), nn.Padding(1))
	x := dl.Randn(1, 1, 28, 28)
	fmt.Println("input:", x.Shape(), "output:", conv.Forward(x).Shape())
	convMulti := nn.NewConv2d(3, 16, 3, nn.Padding(1))
	fmt.Println(convMulti.Forward(dl.Randn(1, 3, 32, 32)).Shape())
	dilated := nn.NewConv2d(1, 1, 3, nn.Dilation(2))
	fmt.Println(dilated.Forward(x).Shape())
	// Output:
	// input: [1 1 28 28] output: [1 1 28 28]
	// [1 16 32 32]
	// [1 1 24 24]
}

// ResidualBlock is the tutorial's ResNet block.
type ResidualBlock struct {
	Conv1, Conv2 *nn.Conv2d
	BN1, BN2     *nn.BatchNorm2d
	ReLU         *nn.ReLU `nn:"relu"`
	Shortcut     *nn.Sequential
}

func NewResidualBlock(in, out, stride int) *ResidualBlock {
	b := &ResidualBlock{
		Conv1:    nn.NewConv2d(in, out, 3, nn.Stride(stride), nn.Padding(1), nn.NoBias()),
		BN1:      nn.NewBatchNorm2d(out),
		ReLU:     nn.NewReLU(),
		Conv2:    nn.NewConv2d(out, out, 3, nn.Stride(1), nn.Padding(1), nn.NoBias()),
		BN2:      nn.NewBatchNorm2d(out),
		Shortcut: nn.NewSequential(), // the identity
	}
	if stride != 1 || in != out {
		b.Shortcut = nn.NewSequential(nn.NewConv2d(in, out, 1, nn.Stride(stride), nn.NoBias()), nn.NewBatchNorm2d(out))
	}
	return b
}

func (b *ResidualBlock) Forward(x *dl.Tensor) *dl.Tensor {
	identity := b.Shortcut.Forward(x)
	out := b.ReLU.Forward(b.BN1.Forward(b.Conv1.Forward(x)))
	out = b.BN2.Forward(b.Conv2.Forward(out))
	out = out.Add(identity) // the residual connection
	return b.ReLU.Forward(out)
}

func Example_residualBlock() {
	block := NewResidualBlock(3, 16, 2)
	fmt.Println(block.Forward(dl.Randn(2, 3, 32, 32)).Shape())
	fmt.Println(nn.NamedParameters(block)[len(nn.NamedParameters(block))-1].Name)
	// Output:
	// [2 16 16 16]
	// shortcut.1.bias
}

// LSTMModel is the tutorial's LSTM model: batch_first, dropout 0.2, an
// explicit zero initial state, and a Linear on the last step.
type LSTMModel struct {
	LSTM                  *nn.LSTM `nn:"lstm"`
	FC                    *nn.Linear
	NumLayers, HiddenSize int
}

func NewLSTMModel(inputSize, hiddenSize, numLayers, outputSize int) *LSTMModel {
	return &LSTMModel{
		LSTM:       nn.NewLSTM(inputSize, hiddenSize, numLayers, nn.BatchFirst(), nn.LayerDropout(0.2)),
		FC:         nn.NewLinear(hiddenSize, outputSize),
		NumLayers:  numLayers,
		HiddenSize: hiddenSize,
	}
}

func (m *LSTMModel) Forward(x *dl.Tensor) *dl.Tensor {
	h0 := dl.Zeros(m.NumLayers, x.Size(0), m.HiddenSize)
	c0 := dl.Zeros(m.NumLayers, x.Size(0), m.HiddenSize)
	out, _ := m.LSTM.ForwardState(x, &nn.State{H: h0, C: c0})
	return m.FC.Forward(out.Select(1, -1)) // out[:, -1, :]
}

func Example_lstm() {
	model := NewLSTMModel(8, 32, 2, 1)
	fmt.Println(model.Forward(dl.Randn(4, 20, 8)).Shape())
	fmt.Println(nn.NamedParameters(model)[0].Name)
	// Output:
	// [4 1]
	// lstm.weight_ih_l0
}

// Regularisation: Dropout, BatchNorm1d, LayerNorm, Adam with weight decay.
func Example_regularization() {
	dropout := nn.NewDropout(0.5)
	bn := nn.NewBatchNorm1d(20)
	ln := nn.NewLayerNorm(20)
	x := dl.Randn(8, 20)
	fmt.Println(dropout.Forward(x).Shape(), bn.Forward(x).Shape(), ln.Forward(x).Shape())
	model := NewMLP(20, 16, 2)
	optimizer := optim.NewAdam(nn.Parameters(model), optim.LR(0.001), optim.WeightDecay(1e-4))
	fmt.Println(optimizer.LR())
	// Output:
	// [8 20] [8 20] [8 20]
	// 0.001
}

// Learning-rate schedules: StepLR, CosineAnnealingLR, ReduceLROnPlateau.
func Example_schedulers() {
	model := nn.NewLinear(10, 2)
	optimizer := optim.NewSGD(nn.Parameters(model), optim.LR(0.1))
	schedulerStep := optim.NewStepLR(optimizer, 30, 0.1)
	for range 30 {
		optimizer.Step()
		schedulerStep.Step()
	}
	fmt.Printf("%.4g\n", schedulerStep.LastLR())

	optimizer = optim.NewSGD(nn.Parameters(model), optim.LR(0.1))
	schedulerCosine := optim.NewCosineAnnealingLR(optimizer, 100)
	for range 50 {
		schedulerCosine.Step()
	}
	fmt.Printf("%.4g\n", schedulerCosine.LastLR())

	optimizer = optim.NewSGD(nn.Parameters(model), optim.LR(0.1))
	schedulerReduce := optim.NewReduceLROnPlateau(optimizer, optim.Mode("min"), optim.Factor(0.1), optim.Patience(10))
	for range 12 {
		schedulerReduce.StepMetric(1.0) // no improvement after the first
	}
	fmt.Printf("%.4g\n", schedulerReduce.LastLR())
	// Output:
	// 0.01
	// 0.05
	// 0.01
}
