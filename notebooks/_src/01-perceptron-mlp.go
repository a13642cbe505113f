// ---
// jupyter:
//   jupytext:
//     text_representation:
//       extension: .go
//       format_name: percent
//   kernelspec:
//     display_name: Go (dl)
//     language: go
//     name: godl
// ---

// %% [markdown]
// # 1.1 感知机与多层感知机 · Perceptron and MLP
//
// 感知机是最简单的神经网络,模拟单个神经元的工作方式。Every cell is Go; `dl`, `nn`,
// `optim`, `data` and `display` are already loaded.

// %%
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

// %% [markdown]
// 示例:实现AND逻辑门 · the AND gate

// %%
X := [][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
y := []float64{0, 0, 0, 1}
perceptron := NewPerceptron(2, 0.1, 100)
perceptron.Train(X, y)
for i, x := range X {
	fmt.Printf("%v -> %v (want %v)\n", x, perceptron.Predict(x), y[i])
}

// %% [markdown]
// 多层感知机(MLP)通过添加隐藏层解决非线性问题。A struct with a `Forward` method is a module.

// %%
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

// %%
dl.Seed(42)
model := NewMLP(784, 256, 10)
display.Summary(model, 1, 784)

// %%
nn.NumParams(model)

// %% [markdown]
// Train it on Fashion-MNIST (a subset, so it runs in seconds).

// %%
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

// %%
func accuracy(logits, labels *dl.Tensor) float64 {
	correct := logits.Argmax(1).Eq(labels).Sum().ItemInt() // (pred.argmax(1) == y).sum().item()
	return float64(correct) / float64(labels.Size(0))
}

// %%
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

// %%
var finalAcc float64
dl.NoGrad(func() { finalAcc = accuracy(model.Forward(test.X.Flatten(1)), test.Y) })
fmt.Printf("test accuracy: %.1f%%\n", 100*finalAcc)

// %% [markdown]
// The first test images and their predicted classes:

// %%
display.Images("test images", test.X.Narrow(0, 0, 8), display.Columns(8))
var pred *dl.Tensor
dl.NoGrad(func() { pred = model.Forward(test.X.Narrow(0, 0, 8).Flatten(1)).Argmax(1) })
for i, p := range pred.Ints() {
	fmt.Printf("%d: %s\n", i, data.FashionMNISTClasses[p])
}
