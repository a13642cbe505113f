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
// # 4 训练技巧 · Regularisation and learning-rate schedules

// %%
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

// %% [markdown]
// 权重衰减 (L2正则化) · weight decay in Adam:

// %%
model := nn.NewSequential(nn.NewLinear(10, 32), nn.NewReLU(), nn.NewLinear(32, 2))
optimizer := optim.NewAdam(nn.Parameters(model), optim.LR(0.001), optim.WeightDecay(1e-4))
fmt.Printf("%T lr=%g\n", optimizer, optimizer.LR())

// %% [markdown]
// 4.2 学习率调度 · the three schedules of the chapter, 100 epochs each:

// %%
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

// %% [markdown]
// All together: a regularised MLP with batch norm, dropout, AdamW and a cosine schedule, saved and loaded back.

// %%
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
fmt.Printf("last lr %.3g\n", sched.LastLR())

// %%
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
