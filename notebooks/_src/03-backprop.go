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
// # 1.3 反向传播算法 · Backpropagation
//
// 反向传播是训练神经网络的核心算法,通过链式法则计算梯度。`loss.Backward()` does it for us.

// %%
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

// %% [markdown]
// The chain rule by hand for one weight agrees with autograd (a finite difference):

// %%
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
fmt.Printf("autograd %.5f, finite difference %.5f\n", analytic, numeric)

// %% [markdown]
// A training loop on a toy problem (three interleaved spirals), with a live loss curve:

// %%
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

// %%
func accuracy(logits, labels *dl.Tensor) float64 {
	correct := logits.Argmax(1).Eq(labels).Sum().ItemInt() // (pred.argmax(1) == y).sum().item()
	return float64(correct) / float64(labels.Size(0))
}

// %%
fmt.Printf("training accuracy: %.1f%%\n", 100*accuracy(clf.Forward(spirals.X), spirals.Y))
