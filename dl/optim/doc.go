// Package optim has optimizers and learning-rate schedulers, mirroring
// torch.optim.
package optim
