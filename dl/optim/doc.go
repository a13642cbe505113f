// Package optim has optimizers and learning-rate schedulers, mirroring
// torch.optim.
//
//	opt := optim.NewSGD(nn.Parameters(model), optim.LR(0.1), optim.Momentum(0.9))
//	sched := optim.NewStepLR(opt, 30, 0.1)
//	for epoch := range 100 {
//		for xb, yb := range loader.All() {
//			opt.ZeroGrad()
//			nn.CrossEntropyLoss(model.Forward(xb), yb).Backward()
//			opt.Step()
//		}
//		sched.Step()
//	}
//
// Updates are computed in float32 in the same order as PyTorch's
// single-tensor implementations, and schedulers use PyTorch's recursive
// formulas, so parameter values and learning rates agree with PyTorch's
// (tested against PyTorch 1.13 in testdata). Optimizers write into the
// parameters' storage in place.
package optim
