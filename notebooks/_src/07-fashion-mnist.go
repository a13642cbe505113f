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
// # 7 Fashion-MNIST, the whole data set · MLP and CNN
//
// The recipes everyone starts with, on all 60,000 training and 10,000 test images:
// an MLP (784-256-ReLU-10) and a small CNN, both with Adam at 1e-3 and batches
// of 64. Every epoch prints how long it took; the curves update live.

// %%
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

// %% [markdown]
// Pixels are in [0, 1]. As in PyTorch's `transforms.Normalize((0.2860,), (0.3530,))`,
// the inputs are shifted and scaled to mean 0 and standard deviation 1 over the
// training set: both models learn faster on centred inputs.

// %%
normalize := func(ds *data.TensorDataset) *data.TensorDataset {
	return data.NewTensorDataset(ds.X.AddScalar(-0.2860).MulScalar(1/0.3530), ds.Y)
}
pictures := test // the unnormalised test images, for showing
train, test = normalize(train), normalize(test)
fmt.Printf("training inputs: mean %.3f, std %.3f\n", train.X.Mean().Item(), train.X.Sub(train.X.Mean()).Pow(2).Mean().Sqrt().Item())

// %% [markdown]
// One function trains any model for a number of epochs — Adam, with the
// learning rate annealed along a cosine to 0 over the run — and reports the
// loss every 100 batches, the test accuracy after every epoch, and the time
// each epoch took. The whole test set goes through the model in one call: inside
// `dl.NoGrad` nothing is kept for a backward pass.

// %%
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
		fmt.Printf("%s epoch %d: %.1f s, lr %.2g, test accuracy %.2f%%\n", name, epoch+1, took.Seconds(), opt.LR(), 100*acc)
		sched.Step()
	}
	return acc
}

// %% [markdown]
// ## The MLP

// %%
dl.Seed(0)
mlp := nn.NewSequential(nn.NewFlatten(), nn.NewLinear(784, 256), nn.NewReLU(), nn.NewLinear(256, 10))
fmt.Println(mlp)
mlpAcc := fit("MLP", mlp, 8)
fmt.Printf("MLP test accuracy: %.2f%%\n", 100*mlpAcc)

// %% [markdown]
// ## The CNN

// %%
dl.Seed(0)
cnn := nn.NewSequential(
	nn.NewConv2d(1, 32, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
	nn.NewConv2d(32, 64, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
	nn.NewFlatten(),
	nn.NewLinear(64*7*7, 128), nn.NewReLU(),
	nn.NewLinear(128, 10),
)
display.Summary(cnn, 1, 1, 28, 28)

// %%
cnnAcc := fit("CNN", cnn, 5)
fmt.Printf("CNN test accuracy: %.2f%%\n", 100*cnnAcc)

// %% [markdown]
// Where the CNN goes wrong: the confusion matrix of the whole test set, and some of its mistakes.

// %%
nn.Eval(cnn)
_, pred := evaluate(cnn, test)
display.Confusion("CNN on the Fashion-MNIST test set", pred, test.Y, classes)

// %%
wrong := pred.Ne(test.Y)
idx := dl.Arange(0, float32(test.Len()), 1).To(dl.Int64).Index(wrong).Narrow(0, 0, 16)
captions := make([]string, 0, 16)
for _, i := range idx.Ints() {
	captions = append(captions, fmt.Sprintf("%s / %s", classes[pred.Index(i).ItemInt()], classes[test.Y.Index(i).ItemInt()]))
}
display.Images("mistakes (predicted / actual)", pictures.X.Index(idx), display.Columns(8), display.Captions(captions...))
