// Package nn has neural-network layers, losses and the reflection helpers
// that find a model's parameters, mirroring torch.nn.
//
// A model is any value with a Forward method; its parameters are found by
// walking its fields (see NamedParameters), so user structs need no
// registration:
//
//	type MLP struct {
//		Layer1     *nn.Linear
//		Activation *nn.ReLU
//		Layer2     *nn.Linear
//	}
//	func (m *MLP) Forward(x *dl.Tensor) *dl.Tensor {
//		return m.Layer2.Forward(m.Activation.Forward(m.Layer1.Forward(x)))
//	}
//	opt := optim.NewAdam(nn.Parameters(model), optim.LR(1e-3))
//
// Layers hold their tensors in exported fields named and shaped as
// PyTorch's (Linear.Weight is [out in]), so weights copy across and Save
// and Load exchange safetensors files with PyTorch. Constructors take typed
// options (nn.Padding(1), nn.NoBias()) and refuse the ones they do not use.
//
// Each layer's forward and backward are one fused op recorded with
// dl.Record: Linear and Conv2d are GEMMs (Conv2d through im2col), the
// recurrent layers run one GEMM per step and batch the rest, and the losses
// compute their gradient in the forward pass. Misuse panics with a
// *dl.Error naming the layer and the shapes; dl.Maybe turns it into an
// error.
package nn
