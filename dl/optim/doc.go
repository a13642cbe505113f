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
// Parameter groups give parts of a model their own hyper-parameters, as a
// list of dicts does in PyTorch; options given to a group override the
// constructor's:
//
//	opt := optim.NewAdam(optim.Groups(
//		optim.Group(nn.Parameters(model.Body)),
//		optim.Group(nn.Parameters(model.Head), optim.LR(1e-2)),
//	), optim.LR(1e-3))
//
// opt.ParamGroups() returns them, live (PyTorch's param_groups), and
// schedulers act on every group's rate. Save and Load keep an optimizer's
// and its schedulers' state so that training resumes exactly where it
// stopped; fmt.Println(opt) prints PyTorch's text for the optimizer.
//
// Updates are computed in float32 in the same order as PyTorch's
// single-tensor implementations, and schedulers use PyTorch's recursive
// formulas, so parameter values and learning rates agree with PyTorch's
// (tested against PyTorch 1.13 in testdata). Optimizers write into the
// parameters' storage in place, one fused pass over each parameter,
// vectorised and split across threads for large ones.
//
// Subnormal numbers: PyTorch leaves them alone (unless
// torch.set_flush_denormal(True) is called), so the state of a weight whose
// gradient stays zero — Adam's first moment, a momentum buffer, for a
// weight fed by an always-black border pixel — decays into the float32
// subnormal range after some hundreds of steps and stays there, and
// arithmetic on it is many times slower on x86. Here every state element
// an update writes is flushed to zero when it falls below the smallest
// normal float32 (1.2e-38); weights and gradients are left as they are.
// The flush changes a weight by far less than its own rounding, so results
// still agree with PyTorch's, and a later epoch's Step takes as long as
// the first.
package optim
