#!/usr/bin/env python3
"""Writes the tutorial notebooks (notebooks/*.ipynb) from the cells below.

The notebooks follow the deep-learning chapter of the tutorial: every PyTorch
block there has a Go counterpart here that runs in the godl kernel. Edit the
cells here and run `make notebooks` (or this script with nbformat installed);
the .ipynb files are committed without outputs.
"""
from __future__ import annotations

import hashlib
import pathlib

import nbformat

HERE = pathlib.Path(__file__).resolve().parent

KERNELSPEC = {"name": "godl", "display_name": "Go (dl)", "language": "go"}
LANGUAGE_INFO = {
    "name": "go",
    "mimetype": "text/x-go",
    "file_extension": ".go",
    "pygments_lexer": "go",
    "codemirror_mode": "go",
}


def md(text: str):
    return nbformat.v4.new_markdown_cell(text.strip())


def go(code: str):
    return nbformat.v4.new_code_cell(code.strip())


# Accuracy of class scores against class indices, used by several notebooks.
ACCURACY = go(
    """
func accuracy(logits, labels *dl.Tensor) float64 {
	correct := logits.Argmax(1).Eq(labels).Sum().ItemInt() // (pred.argmax(1) == y).sum().item()
	return float64(correct) / float64(labels.Size(0))
}
"""
)

# Fashion-MNIST where the Debian package is installed; a small generated
# stand-in of the same shape elsewhere, so the notebooks always run.
FASHION = go(
    """
dl.Seed(0)
train, test, err := data.FashionMNIST("")
if err != nil {
	fmt.Println("Fashion-MNIST not found, using generated images instead:", err)
	fake := func(n int) *data.TensorDataset {
		y := dl.Zeros(n).To(dl.Int64)
		labels := y.RawInt64s()
		for i := range labels {
			labels[i] = int64(i % 10)
		}
		// each class lights up its own band of rows, plus noise
		x := dl.Rand(n, 1, 28, 28).MulScalar(0.3)
		px := x.RawData()
		for i := range n {
			for r := 2 * (i % 10); r < 2*(i%10)+6; r++ {
				for c := range 28 {
					px[i*784+r*28+c] += 0.7
				}
			}
		}
		return data.NewTensorDataset(x, y)
	}
	train, test = fake(6000), fake(1000)
}
// A subset keeps the notebook quick on two CPU cores.
train = data.NewTensorDataset(train.X.Narrow(0, 0, 6000), train.Y.Narrow(0, 0, 6000))
test = data.NewTensorDataset(test.X.Narrow(0, 0, 1000), test.Y.Narrow(0, 0, 1000))
fmt.Println("train:", train.X.Shape(), "test:", test.X.Shape())
"""
)

NOTEBOOKS = {
    "01-perceptron-mlp.ipynb": [
        md(
            """
# 1.1 感知机与多层感知机 · Perceptron and MLP

感知机是最简单的神经网络,模拟单个神经元的工作方式。Every cell is Go; `dl`, `nn`,
`optim`, `data` and `display` are already loaded.
"""
        ),
        go(
            """
// Perceptron is the simplest neural network: one neuron with a step activation.
type Perceptron struct {
	Weights []float64
	Bias    float64
	LR      float64
	Epochs  int
}

func NewPerceptron(inputSize int, learningRate float64, epochs int) *Perceptron {
	return &Perceptron{Weights: make([]float64, inputSize), LR: learningRate, Epochs: epochs}
}

// Activation is the step function.
func (p *Perceptron) Activation(x float64) float64 {
	if x >= 0 {
		return 1
	}
	return 0
}

// Predict is the forward pass.
func (p *Perceptron) Predict(x []float64) float64 {
	z := p.Bias
	for i, w := range p.Weights {
		z += w * x[i]
	}
	return p.Activation(z)
}

// Train applies the perceptron rule for every sample, Epochs times.
func (p *Perceptron) Train(X [][]float64, y []float64) {
	for range p.Epochs {
		for i := range X {
			err := y[i] - p.Predict(X[i])
			for j := range p.Weights {
				p.Weights[j] += p.LR * err * X[i][j]
			}
			p.Bias += p.LR * err
		}
	}
}
"""
        ),
        md("示例:实现AND逻辑门 · the AND gate"),
        go(
            """
X := [][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
y := []float64{0, 0, 0, 1}
perceptron := NewPerceptron(2, 0.1, 100)
perceptron.Train(X, y)
for i, x := range X {
	fmt.Printf("%v -> %v (want %v)\\n", x, perceptron.Predict(x), y[i])
}
"""
        ),
        md("多层感知机(MLP)通过添加隐藏层解决非线性问题。A struct with a `Forward` method is a module."),
        go(
            """
// MLP is a multi-layer perceptron with one hidden layer.
type MLP struct {
	Layer1     *nn.Linear
	Activation *nn.ReLU
	Layer2     *nn.Linear
}

func NewMLP(inputSize, hiddenSize, outputSize int) *MLP {
	return &MLP{
		Layer1:     nn.NewLinear(inputSize, hiddenSize),
		Activation: nn.NewReLU(),
		Layer2:     nn.NewLinear(hiddenSize, outputSize),
	}
}

func (m *MLP) Forward(x *dl.Tensor) *dl.Tensor {
	x = m.Layer1.Forward(x)
	x = m.Activation.Forward(x)
	return m.Layer2.Forward(x)
}
"""
        ),
        go(
            """
dl.Seed(42)
model := NewMLP(784, 256, 10)
display.Summary(model, 1, 784)
"""
        ),
        go("nn.NumParams(model)"),
        md("Train it on Fashion-MNIST (a subset, so it runs in seconds)."),
        FASHION,
        ACCURACY,
        go(
            """
opt := optim.NewAdam(nn.Parameters(model), optim.LR(0.001))
curve := display.NewCurve("MLP on Fashion-MNIST", display.XLabel("epoch"))
for epoch := range display.Progress(5, "epoch") {
	nn.Train(model)
	total, batches := 0.0, 0
	for xb, yb := range data.NewLoader(train, 64, data.Shuffle(true)).All() {
		loss := nn.CrossEntropyLoss(model.Forward(xb.Flatten(1)), yb)
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
		total += float64(loss.Item())
		batches++
	}
	nn.Eval(model)
	var acc float64
	dl.NoGrad(func() { acc = accuracy(model.Forward(test.X.Flatten(1)), test.Y) })
	curve.Add("train loss", epoch, total/float64(batches))
	curve.Add("test accuracy", epoch, acc)
}
"""
        ),
        go(
            """
var finalAcc float64
dl.NoGrad(func() { finalAcc = accuracy(model.Forward(test.X.Flatten(1)), test.Y) })
fmt.Printf("test accuracy: %.1f%%\\n", 100*finalAcc)
"""
        ),
        md("The first test images and their predicted classes:"),
        go(
            """
display.Images("test images", test.X.Narrow(0, 0, 8), display.Columns(8))
var pred *dl.Tensor
dl.NoGrad(func() { pred = model.Forward(test.X.Narrow(0, 0, 8).Flatten(1)).Argmax(1) })
for i, p := range pred.Ints() {
	fmt.Printf("%d: %s\\n", i, data.FashionMNISTClasses[p])
}
"""
        ),
    ],
    "02-activations.ipynb": [
        md(
            """
# 1.2 激活函数 · Activation functions

激活函数引入非线性,使神经网络能够学习复杂的模式。
"""
        ),
        go(
            """
x := dl.Linspace(-5, 5, 100)
sigmoid := dl.Sigmoid(x)
tanh := dl.Tanh(x)
relu := dl.ReLU(x)
leakyReLU := dl.LeakyReLU(x, 0.1)
gelu := dl.GELU(x)
display.Lines("Activation functions", x, map[string]*dl.Tensor{
	"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leakyReLU, "gelu": gelu,
}, display.XLabel("x"))
"""
        ),
        md(
            """
| 函数 | 公式 | 优点 | 缺点 |
|---|---|---|---|
| Sigmoid | σ(x) = 1/(1+e⁻ˣ) | 输出[0,1] | 梯度消失、非零中心 |
| Tanh | tanh(x) | 零中心 | 梯度消失 |
| ReLU | max(0, x) | 计算快、无梯度消失 | 神经元死亡 |
| LeakyReLU | max(αx, x) | 解决死亡问题 | 需调参 |
| GELU | x·Φ(x) | 平滑、大模型常用 | 计算较慢 |

Their derivatives, from autograd: the sigmoid's vanishes at both ends, ReLU's is 0 or 1.
"""
        ),
        go(
            """
grads := map[string]*dl.Tensor{}
activations := map[string]func(*dl.Tensor) *dl.Tensor{
	"sigmoid":    dl.Sigmoid,
	"tanh":       dl.Tanh,
	"relu":       dl.ReLU,
	"leaky_relu": func(t *dl.Tensor) *dl.Tensor { return dl.LeakyReLU(t, 0.1) },
	"gelu":       dl.GELU,
}
for name, f := range activations {
	xs := dl.Linspace(-5, 5, 100).RequiresGrad()
	f(xs).Sum().Backward()
	grads[name] = xs.Grad()
}
display.Lines("Derivatives", x, grads, display.XLabel("x"))
"""
        ),
        md("A tensor as the cell's value is shown as a table:"),
        go("dl.Stack(1, x, sigmoid, tanh, relu, leakyReLU, gelu).Narrow(0, 45, 10)"),
        md(
            """
Try them: move the slope α of LeakyReLU, or pick another activation, and the plot
is drawn again (`widgets.Interact` runs the function with the controls' values
whenever one changes, as ipywidgets' `interact` does).
"""
        ),
        go(
            """
slope := widgets.NewFloatSlider("slope α", 0, 0.5, 0.01, 0.1)
activation := widgets.NewDropdown("activation", []string{"leaky_relu", "relu", "gelu", "tanh", "sigmoid"}, "leaky_relu")
widgets.Interact(func(alpha float64, name string) {
	var y *dl.Tensor
	switch name {
	case "leaky_relu":
		y = dl.LeakyReLU(x, float32(alpha))
	case "relu":
		y = dl.ReLU(x)
	case "gelu":
		y = dl.GELU(x)
	case "tanh":
		y = dl.Tanh(x)
	case "sigmoid":
		y = dl.Sigmoid(x)
	}
	display.Lines(fmt.Sprintf("%s (α = %.2f)", name, alpha), x, map[string]*dl.Tensor{name: y}, display.XLabel("x"))
}, slope, activation)
"""
        ),
    ],
    "03-backprop.ipynb": [
        md(
            """
# 1.3 反向传播算法 · Backpropagation

反向传播是训练神经网络的核心算法,通过链式法则计算梯度。`loss.Backward()` does it for us.
"""
        ),
        go(
            """
dl.Seed(0)
x := dl.Randn(10, 5).RequiresGrad()
y := dl.Randn(10, 2)
model := nn.NewSequential(
	nn.NewLinear(5, 10),
	nn.NewReLU(),
	nn.NewLinear(10, 2),
)
fmt.Println(model)
// 前向传播
output := model.Forward(x)
loss := nn.MSELoss(output, y)
// 反向传播(自动计算梯度)
loss.Backward()
// 查看梯度
fmt.Println("第一层权重梯度形状:", model.Layers[0].(*nn.Linear).Weight.Grad().Shape())
"""
        ),
        md("The chain rule by hand for one weight agrees with autograd (a finite difference):"),
        go(
            """
w := model.Layers[0].(*nn.Linear).Weight
analytic := w.Grad().Data()[0]
lossAt := func(delta float32) float64 {
	var l float64
	dl.NoGrad(func() {
		w.RawData()[0] += delta
		l = float64(nn.MSELoss(model.Forward(x), y).Item())
		w.RawData()[0] -= delta
	})
	return l
}
numeric := (lossAt(1e-2) - lossAt(-1e-2)) / 2e-2
fmt.Printf("autograd %.5f, finite difference %.5f\\n", analytic, numeric)
"""
        ),
        md("A training loop on a toy problem (three interleaved spirals), with a live loss curve:"),
        go(
            """
dl.Seed(1)
spirals := data.Spirals(200, 3)
clf := nn.NewSequential(nn.NewLinear(2, 64), nn.NewReLU(), nn.NewLinear(64, 64), nn.NewReLU(), nn.NewLinear(64, 3))
opt := optim.NewAdam(nn.Parameters(clf), optim.LR(0.01))
curve := display.NewCurve("spirals", display.XLabel("step"))
for step := range display.Progress(300, "step") {
	loss := nn.CrossEntropyLoss(clf.Forward(spirals.X), spirals.Y)
	opt.ZeroGrad()
	loss.Backward()
	opt.Step()
	if step%10 == 0 {
		curve.Add("loss", step, loss.Item())
	}
}
"""
        ),
        ACCURACY,
        go('fmt.Printf("training accuracy: %.1f%%\\n", 100*accuracy(clf.Forward(spirals.X), spirals.Y))'),
    ],
    "04-cnn-resnet.ipynb": [
        md(
            """
# 2 卷积神经网络 (CNN) · Convolution and ResNet blocks

CNN是处理图像数据的核心架构,通过卷积操作提取局部特征。
"""
        ),
        go(
            """
// 单通道卷积示例
conv := nn.NewConv2d(1, 1, 3, nn.Stride(1), nn.Padding(1))
// 输入图像 (batch, channels, height, width)
x := dl.Randn(1, 1, 28, 28)
output := conv.Forward(x)
fmt.Printf("输入形状: %v, 输出形状: %v\\n", x.Shape(), output.Shape())
// 多通道卷积
convMulti := nn.NewConv2d(3, 16, 3, nn.Padding(1))
xRGB := dl.Randn(1, 3, 224, 224)
fmt.Println("多通道输出形状:", convMulti.Forward(xRGB).Shape())
"""
        ),
        md(
            """
| 参数 | 说明 | 影响 |
|---|---|---|
| kernel_size | 卷积核大小 | 感受野大小 |
| stride | 步长 | 输出尺寸 |
| padding | 填充 | 保持尺寸 |
| dilation | 空洞率 | 扩大感受野 |
"""
        ),
        go(
            """
for _, c := range []struct{ k, s, p, d int }{{3, 1, 1, 1}, {3, 2, 1, 1}, {5, 1, 0, 1}, {3, 1, 2, 2}} {
	out := nn.NewConv2d(1, 1, c.k, nn.Stride(c.s), nn.Padding(c.p), nn.Dilation(c.d)).Forward(dl.Zeros(1, 1, 28, 28))
	fmt.Printf("kernel %d stride %d padding %d dilation %d -> %v\\n", c.k, c.s, c.p, c.d, out.Shape())
}
"""
        ),
        md("ResNet残差块 (2015) - 解决深层网络训练问题"),
        go(
            """
// ResidualBlock is a ResNet basic block.
type ResidualBlock struct {
	Conv1    *nn.Conv2d
	BN1      *nn.BatchNorm2d
	ReLU     *nn.ReLU
	Conv2    *nn.Conv2d
	BN2      *nn.BatchNorm2d
	Shortcut *nn.Sequential
}

func NewResidualBlock(inChannels, outChannels, stride int) *ResidualBlock {
	b := &ResidualBlock{
		Conv1:    nn.NewConv2d(inChannels, outChannels, 3, nn.Stride(stride), nn.Padding(1), nn.NoBias()),
		BN1:      nn.NewBatchNorm2d(outChannels),
		ReLU:     nn.NewReLU(),
		Conv2:    nn.NewConv2d(outChannels, outChannels, 3, nn.Stride(1), nn.Padding(1), nn.NoBias()),
		BN2:      nn.NewBatchNorm2d(outChannels),
		Shortcut: nn.NewSequential(),
	}
	if stride != 1 || inChannels != outChannels {
		b.Shortcut = nn.NewSequential(
			nn.NewConv2d(inChannels, outChannels, 1, nn.Stride(stride), nn.NoBias()),
			nn.NewBatchNorm2d(outChannels),
		)
	}
	return b
}

func (b *ResidualBlock) Forward(x *dl.Tensor) *dl.Tensor {
	identity := b.Shortcut.Forward(x)
	out := b.ReLU.Forward(b.BN1.Forward(b.Conv1.Forward(x)))
	out = b.BN2.Forward(b.Conv2.Forward(out))
	out = out.Add(identity) // 残差连接
	return b.ReLU.Forward(out)
}
"""
        ),
        go(
            """
block := NewResidualBlock(16, 32, 2)
display.Summary(block, 1, 16, 28, 28)
"""
        ),
        md("A small ResNet-style CNN trained on Fashion-MNIST:"),
        FASHION,
        ACCURACY,
        go(
            """
dl.Seed(7)
cnn := nn.NewSequential(
	nn.NewConv2d(1, 16, 3, nn.Padding(1)), nn.NewBatchNorm2d(16), nn.NewReLU(),
	nn.NewMaxPool2d(2),
	NewResidualBlock(16, 16, 1),
	nn.NewMaxPool2d(2),
	nn.NewFlatten(),
	nn.NewLinear(16*7*7, 10),
)
display.Summary(cnn, 1, 1, 28, 28)
"""
        ),
        go(
            """
opt := optim.NewSGD(nn.Parameters(cnn), optim.LR(0.05), optim.Momentum(0.9))
curve := display.NewCurve("CNN on Fashion-MNIST", display.XLabel("batch"))
step := 0
for range display.Progress(2, "epoch") {
	nn.Train(cnn)
	for xb, yb := range data.NewLoader(train, 64, data.Shuffle(true)).All() {
		loss := nn.CrossEntropyLoss(cnn.Forward(xb), yb)
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
		if step%10 == 0 {
			curve.Add("train loss", step, loss.Item())
		}
		step++
	}
}
nn.Eval(cnn)
var cnnAcc float64
dl.NoGrad(func() { cnnAcc = accuracy(cnn.Forward(test.X), test.Y) })
fmt.Printf("test accuracy: %.1f%%\\n", 100*cnnAcc)
"""
        ),
        md("The first layer's filters and its feature maps for one image:"),
        go(
            """
display.Images("conv1 filters", cnn.Layers[0].(*nn.Conv2d).Weight, display.Columns(8))
var maps *dl.Tensor
dl.NoGrad(func() { maps = cnn.Layers[0].Forward(test.X.Narrow(0, 0, 1)) })
display.Images("feature maps", maps.Select(0, 0), display.Columns(8))
"""
        ),
    ],
    "05-lstm.ipynb": [
        md(
            """
# 3 循环神经网络 (RNN) · LSTM

LSTM通过门控机制解决RNN的长期依赖问题。Here an LSTM learns to continue sine waves.

- 遗忘门: f_t = σ(W_f · [h_{t-1}, x_t] + b_f)
- 输入门: i_t = σ(W_i · [h_{t-1}, x_t] + b_i)
- 细胞状态: C_t = f_t * C_{t-1} + i_t * C̃_t
- 输出门: o_t = σ(W_o · [h_{t-1}, x_t] + b_o)
- 隐藏状态: h_t = o_t * tanh(C_t)
"""
        ),
        go(
            """
// LSTMModel reads a sequence and predicts from the last hidden state.
type LSTMModel struct {
	LSTM       *nn.LSTM
	FC         *nn.Linear
	NumLayers  int
	HiddenSize int
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
	h0 := dl.Zeros(m.NumLayers, x.Shape()[0], m.HiddenSize)
	c0 := dl.Zeros(m.NumLayers, x.Shape()[0], m.HiddenSize)
	out, _ := m.LSTM.ForwardState(x, &nn.State{H: h0, C: c0})
	seqLen := out.Shape()[1]
	return m.FC.Forward(out.Select(1, seqLen-1)) // out[:, -1, :]
}
"""
        ),
        go(
            """
dl.Seed(3)
waves := data.SineWaves(512, 30)
trainSet, valSet := waves.Split(0.8)
lstmModel := NewLSTMModel(1, 32, 2, 1)
display.Summary(lstmModel, 8, 30, 1)
"""
        ),
        go(
            """
opt := optim.NewAdam(nn.Parameters(lstmModel), optim.LR(0.01))
curve := display.NewCurve("LSTM on sine waves", display.XLabel("epoch"), display.LogY())
for epoch := range display.Progress(15, "epoch") {
	nn.Train(lstmModel)
	for xb, yb := range data.NewLoader(trainSet, 32, data.Shuffle(true)).All() {
		loss := nn.MSELoss(lstmModel.Forward(xb), yb)
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
	}
	nn.Eval(lstmModel)
	dl.NoGrad(func() {
		curve.Add("train", epoch, nn.MSELoss(lstmModel.Forward(trainSet.X), trainSet.Y).Item())
		curve.Add("validation", epoch, nn.MSELoss(lstmModel.Forward(valSet.X), valSet.Y).Item())
	})
}
"""
        ),
        go(
            """
var pred *dl.Tensor
dl.NoGrad(func() { pred = lstmModel.Forward(valSet.X.Narrow(0, 0, 5)) })
dl.Cat(1, valSet.Y.Narrow(0, 0, 5), pred)
"""
        ),
        md(
            """
| 特性 | RNN | LSTM | GRU |
|---|---|---|---|
| 参数量 | 少 | 多 | 中 |
| 训练速度 | 快 | 慢 | 中 |
| 长期依赖 | 差 | 好 | 好 |
"""
        ),
        go(
            """
for _, r := range []struct {
	name string
	m    any
}{{"RNN", nn.NewRNN(32, 64, 1)}, {"LSTM", nn.NewLSTM(32, 64, 1)}, {"GRU", nn.NewGRU(32, 64, 1)}} {
	fmt.Printf("%-4s %6d parameters\\n", r.name, nn.NumParams(r.m))
}
"""
        ),
    ],
    "06-regularization-schedules.ipynb": [
        md(
            """
# 4 训练技巧 · Regularisation and learning-rate schedules
"""
        ),
        go(
            """
dl.Seed(0)
// Dropout
dropout := nn.NewDropout(0.5)
// Batch Normalization
bn := nn.NewBatchNorm1d(20)
// Layer Normalization (Transformer常用)
ln := nn.NewLayerNorm(20)

x := dl.Randn(8, 20).MulScalar(3).AddScalar(1)
fmt.Println("dropout zeroes about half:", dropout.Forward(dl.Ones(1, 10)))
fmt.Println("batch norm: per-feature mean", bn.Forward(x).Mean(0).Narrow(0, 0, 4))
fmt.Println("layer norm: per-sample mean", ln.Forward(x).Mean(1).Narrow(0, 0, 4))
nn.Eval(dropout)
fmt.Println("in eval mode dropout is the identity:", dropout.Forward(dl.Ones(1, 10)))
"""
        ),
        md("权重衰减 (L2正则化) · weight decay in Adam:"),
        go(
            """
model := nn.NewSequential(nn.NewLinear(10, 32), nn.NewReLU(), nn.NewLinear(32, 2))
optimizer := optim.NewAdam(nn.Parameters(model), optim.LR(0.001), optim.WeightDecay(1e-4))
fmt.Printf("%T lr=%g\\n", optimizer, optimizer.LR())
"""
        ),
        md("4.2 学习率调度 · the three schedules of the chapter, 100 epochs each:"),
        go(
            """
lrCurve := func(newSchedule func(opt optim.Optimizer) func(epoch int)) []float64 {
	lin := nn.NewLinear(10, 2)
	opt := optim.NewSGD(nn.Parameters(lin), optim.LR(0.1))
	step := newSchedule(opt)
	lrs := make([]float64, 0, 100)
	for epoch := range 100 {
		lrs = append(lrs, opt.LR())
		opt.Step()
		step(epoch)
	}
	return lrs
}
// 阶梯式衰减
stepLR := lrCurve(func(opt optim.Optimizer) func(int) {
	s := optim.NewStepLR(opt, 30, 0.1)
	return func(int) { s.Step() }
})
// 余弦退火
cosine := lrCurve(func(opt optim.Optimizer) func(int) {
	s := optim.NewCosineAnnealingLR(opt, 100)
	return func(int) { s.Step() }
})
// 基于指标的自适应调整: a validation loss that stops improving after epoch 20
plateau := lrCurve(func(opt optim.Optimizer) func(int) {
	s := optim.NewReduceLROnPlateau(opt, optim.Mode("min"), optim.Factor(0.1), optim.Patience(10))
	return func(epoch int) { s.StepMetric(1 / float64(min(epoch, 20)+1)) }
})
display.Lines("learning rate", nil, []display.Series{
	{Name: "StepLR(30, 0.1)", Y: stepLR},
	{Name: "CosineAnnealingLR(100)", Y: cosine},
	{Name: "ReduceLROnPlateau(patience 10)", Y: plateau},
}, display.XLabel("epoch"))
"""
        ),
        md("All together: a regularised MLP with batch norm, dropout, AdamW and a cosine schedule, saved and loaded back."),
        go(
            """
dl.Seed(2)
spirals := data.Spirals(200, 3)
fit, val := spirals.Split(0.8)
net := nn.NewSequential(
	nn.NewLinear(2, 64), nn.NewBatchNorm1d(64), nn.NewReLU(), nn.NewDropout(0.1),
	nn.NewLinear(64, 64), nn.NewLayerNorm(64), nn.NewReLU(),
	nn.NewLinear(64, 3),
)
opt := optim.NewAdamW(nn.Parameters(net), optim.LR(0.02), optim.WeightDecay(1e-2))
sched := optim.NewCosineAnnealingLR(opt, 60)
curve := display.NewCurve("regularised MLP", display.XLabel("epoch"))
for epoch := range display.Progress(60, "epoch") {
	nn.Train(net)
	for xb, yb := range data.NewLoader(fit, 32, data.Shuffle(true)).All() {
		loss := nn.CrossEntropyLoss(net.Forward(xb), yb)
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
	}
	sched.Step()
	nn.Eval(net)
	dl.NoGrad(func() { curve.Add("validation loss", epoch, nn.CrossEntropyLoss(net.Forward(val.X), val.Y).Item()) })
}
fmt.Printf("last lr %.3g\\n", sched.LastLR())
"""
        ),
        go(
            """
path := filepath.Join(os.TempDir(), "godl-regularised-mlp.safetensors")
if err := nn.Save(net, path); err != nil {
	panic(err)
}
copyNet := nn.NewSequential(
	nn.NewLinear(2, 64), nn.NewBatchNorm1d(64), nn.NewReLU(), nn.NewDropout(0.1),
	nn.NewLinear(64, 64), nn.NewLayerNorm(64), nn.NewReLU(),
	nn.NewLinear(64, 3),
)
if err := nn.Load(copyNet, path); err != nil {
	panic(err)
}
nn.Eval(copyNet)
dl.NoGrad(func() {
	a, b := net.Forward(val.X).Data(), copyNet.Forward(val.X).Data()
	fmt.Println("loaded copy predicts the same:", slices.Equal(a, b))
})
"""
        ),
    ],
    "07-fashion-mnist.ipynb": [
        md(
            """
# 7 Fashion-MNIST, the whole data set · MLP and CNN

The recipes everyone starts with, on all 60,000 training and 10,000 test images:
an MLP (784-256-ReLU-10) and a small CNN, both with Adam at 1e-3 and batches
of 64. Every epoch prints how long it took; the curves update live.
"""
        ),
        go(
            """
train, test, err := data.FashionMNIST("")
if err != nil {
	panic("this notebook needs the Fashion-MNIST files (Debian: apt install dataset-fashion-mnist): " + err.Error())
}
classes := []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
fmt.Println("train:", train.X.Shape(), "labels", train.Y.Dtype(), " test:", test.X.Shape())
names := make([]string, 16)
for i := range names {
	names[i] = classes[train.Y.Index(i).ItemInt()]
}
display.Images("the first 16 training images", train.X.Narrow(0, 0, 16), display.Columns(8), display.Captions(names...))
"""
        ),
        md(
            """
Pixels are in [0, 1]. As in PyTorch's `transforms.Normalize((0.2860,), (0.3530,))`,
the inputs are shifted and scaled to mean 0 and standard deviation 1 over the
training set: both models learn faster on centred inputs.
"""
        ),
        go(
            """
normalize := func(ds *data.TensorDataset) *data.TensorDataset {
	return data.NewTensorDataset(ds.X.AddScalar(-0.2860).MulScalar(1/0.3530), ds.Y)
}
pictures := test // the unnormalised test images, for showing
train, test = normalize(train), normalize(test)
fmt.Printf("training inputs: mean %.3f, std %.3f\\n", train.X.Mean().Item(), train.X.Sub(train.X.Mean()).Pow(2).Mean().Sqrt().Item())
"""
        ),
        md(
            """
One function trains any model for a number of epochs — Adam, with the
learning rate annealed along a cosine to 0 over the run — and reports the
loss every 100 batches, the test accuracy after every epoch, and the time
each epoch took. The whole test set goes through the model in one call: inside
`dl.NoGrad` nothing is kept for a backward pass.
"""
        ),
        go(
            """
func evaluate(model nn.Module, ds *data.TensorDataset) (float64, *dl.Tensor) {
	var pred *dl.Tensor
	dl.NoGrad(func() { pred = model.Forward(ds.X).Argmax(1) })
	return float64(pred.Eq(ds.Y).Sum().ItemInt()) / float64(ds.Len()), pred
}

func fit(name string, model nn.Module, epochs int) float64 {
	opt := optim.NewAdam(nn.Parameters(model), optim.LR(1e-3))
	sched := optim.NewCosineAnnealingLR(opt, epochs) // the rate falls to 0 over the run
	loader := data.NewLoader(train, 64, data.Shuffle(true), data.Seed(1))
	curve := display.NewCurve(name+" on Fashion-MNIST", display.XLabel("batch"))
	step, acc := 0, 0.0
	for epoch := range epochs {
		start := time.Now()
		nn.Train(model)
		for xb, yb := range display.Track(loader.All(), loader.Len(), fmt.Sprintf("epoch %d", epoch+1)) {
			loss := nn.CrossEntropyLoss(model.Forward(xb), yb)
			opt.ZeroGrad()
			loss.Backward()
			opt.Step()
			if step%100 == 0 {
				curve.Add("train loss", step, loss.Item())
			}
			step++
		}
		took := time.Since(start)
		nn.Eval(model)
		acc, _ = evaluate(model, test)
		curve.Add("test accuracy", step, acc)
		fmt.Printf("%s epoch %d: %.1f s, lr %.2g, test accuracy %.2f%%\\n", name, epoch+1, took.Seconds(), opt.LR(), 100*acc)
		sched.Step()
	}
	return acc
}
"""
        ),
        md("## The MLP"),
        go(
            """
dl.Seed(0)
mlp := nn.NewSequential(nn.NewFlatten(), nn.NewLinear(784, 256), nn.NewReLU(), nn.NewLinear(256, 10))
fmt.Println(mlp)
mlpAcc := fit("MLP", mlp, 8)
fmt.Printf("MLP test accuracy: %.2f%%\\n", 100*mlpAcc)
"""
        ),
        md("## The CNN"),
        go(
            """
dl.Seed(0)
cnn := nn.NewSequential(
	nn.NewConv2d(1, 32, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
	nn.NewConv2d(32, 64, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
	nn.NewFlatten(),
	nn.NewLinear(64*7*7, 128), nn.NewReLU(),
	nn.NewLinear(128, 10),
)
display.Summary(cnn, 1, 1, 28, 28)
"""
        ),
        go(
            """
cnnAcc := fit("CNN", cnn, 5)
fmt.Printf("CNN test accuracy: %.2f%%\\n", 100*cnnAcc)
"""
        ),
        md("Where the CNN goes wrong: the confusion matrix of the whole test set, and some of its mistakes."),
        go(
            """
nn.Eval(cnn)
_, pred := evaluate(cnn, test)
display.Confusion("CNN on the Fashion-MNIST test set", pred, test.Y, classes)
"""
        ),
        go(
            """
wrong := pred.Ne(test.Y)
idx := dl.Arange(0, float32(test.Len()), 1).To(dl.Int64).Index(wrong).Narrow(0, 0, 16)
captions := make([]string, 0, 16)
for _, i := range idx.Ints() {
	captions = append(captions, fmt.Sprintf("%s / %s", classes[pred.Index(i).ItemInt()], classes[test.Y.Index(i).ItemInt()]))
}
display.Images("mistakes (predicted / actual)", pictures.X.Index(idx), display.Columns(8), display.Captions(captions...))
"""
        ),
    ],
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = KERNELSPEC
        nb.metadata["language_info"] = LANGUAGE_INFO
        nb.cells = cells
        for i, cell in enumerate(cells):
            # Stable ids: regenerating an unchanged notebook changes nothing.
            cell.id = hashlib.sha1(f"{name}/{i}".encode()).hexdigest()[:8]
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print("wrote", name)


if __name__ == "__main__":
    main()
