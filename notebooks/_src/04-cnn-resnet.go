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
// # 2 卷积神经网络 (CNN) · Convolution and ResNet blocks
//
// CNN是处理图像数据的核心架构,通过卷积操作提取局部特征。

// %%
// 单通道卷积示例
conv := nn.NewConv2d(1, 1, 3, nn.Stride(1), nn.Padding(1))
// 输入图像 (batch, channels, height, width)
x := dl.Randn(1, 1, 28, 28)
output := conv.Forward(x)
fmt.Printf("输入形状: %v, 输出形状: %v\n", x.Shape(), output.Shape())
// 多通道卷积
convMulti := nn.NewConv2d(3, 16, 3, nn.Padding(1))
xRGB := dl.Randn(1, 3, 224, 224)
fmt.Println("多通道输出形状:", convMulti.Forward(xRGB).Shape())

// %% [markdown]
// | 参数 | 说明 | 影响 |
// |---|---|---|
// | kernel_size | 卷积核大小 | 感受野大小 |
// | stride | 步长 | 输出尺寸 |
// | padding | 填充 | 保持尺寸 |
// | dilation | 空洞率 | 扩大感受野 |

// %%
for _, c := range []struct{ k, s, p, d int }{{3, 1, 1, 1}, {3, 2, 1, 1}, {5, 1, 0, 1}, {3, 1, 2, 2}} {
	out := nn.NewConv2d(1, 1, c.k, nn.Stride(c.s), nn.Padding(c.p), nn.Dilation(c.d)).Forward(dl.Zeros(1, 1, 28, 28))
	fmt.Printf("kernel %d stride %d padding %d dilation %d -> %v\n", c.k, c.s, c.p, c.d, out.Shape())
}

// %% [markdown]
// ResNet残差块 (2015) - 解决深层网络训练问题

// %%
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

// %%
block := NewResidualBlock(16, 32, 2)
display.Summary(block, 1, 16, 28, 28)

// %% [markdown]
// A small ResNet-style CNN trained on Fashion-MNIST:

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

// %%
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
fmt.Printf("test accuracy: %.1f%%\n", 100*cnnAcc)

// %% [markdown]
// The first layer's filters and its feature maps for one image:

// %%
display.Images("conv1 filters", cnn.Layers[0].(*nn.Conv2d).Weight, display.Columns(8))
var maps *dl.Tensor
dl.NoGrad(func() { maps = cnn.Layers[0].Forward(test.X.Narrow(0, 0, 1)) })
display.Images("feature maps", maps.Select(0, 0), display.Columns(8))
