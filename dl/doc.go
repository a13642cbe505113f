// Package dl is godl's tensor library: float32 tensors, broadcasting ops
// and reverse-mode automatic differentiation, mirroring PyTorch.
package dl
