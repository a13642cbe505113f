package nn

import "github.com/godl-dev/godl/dl"

// The activation modules wrap dl's functions so they can sit in a
// Sequential or a struct field, as nn.ReLU() does in PyTorch. The parameter-
// free ones hold a blank byte so that each instance has its own address:
// pointers to zero-size values may all be equal, and hooks and summaries
// tell modules apart by pointer.

// ReLU is max(0, x).
type ReLU struct{ _ byte }

// Sigmoid is 1/(1+e⁻ˣ).
type Sigmoid struct{ _ byte }

// Tanh is the hyperbolic tangent.
type Tanh struct{ _ byte }

// GELU is x·Φ(x) with the exact normal CDF (PyTorch's default).
type GELU struct{ _ byte }

// LeakyReLU is max(x, Slope·x) for Slope < 1.
type LeakyReLU struct{ Slope float32 }

// Softmax normalises along Dim to probabilities.
type Softmax struct{ Dim int }

// LogSoftmax is log(Softmax) along Dim, computed stably.
type LogSoftmax struct{ Dim int }

// NewReLU returns a ReLU module.
func NewReLU() *ReLU { return &ReLU{} }

// NewSigmoid returns a Sigmoid module.
func NewSigmoid() *Sigmoid { return &Sigmoid{} }

// NewTanh returns a Tanh module.
func NewTanh() *Tanh { return &Tanh{} }

// NewGELU returns a GELU module.
func NewGELU() *GELU { return &GELU{} }

// NewLeakyReLU returns a LeakyReLU module with the given negative slope
// (PyTorch's default is 0.01).
func NewLeakyReLU(slope float32) *LeakyReLU { return &LeakyReLU{Slope: slope} }

// NewSoftmax returns a Softmax module over dim.
func NewSoftmax(dim int) *Softmax { return &Softmax{Dim: dim} }

// NewLogSoftmax returns a LogSoftmax module over dim.
func NewLogSoftmax(dim int) *LogSoftmax { return &LogSoftmax{Dim: dim} }

// Forward applies the activation.
func (m *ReLU) Forward(x *dl.Tensor) *dl.Tensor { return hooked(m, x, dl.ReLU(x)) }

// Forward applies the activation.
func (m *Sigmoid) Forward(x *dl.Tensor) *dl.Tensor { return hooked(m, x, dl.Sigmoid(x)) }

// Forward applies the activation.
func (m *Tanh) Forward(x *dl.Tensor) *dl.Tensor { return hooked(m, x, dl.Tanh(x)) }

// Forward applies the activation.
func (m *GELU) Forward(x *dl.Tensor) *dl.Tensor { return hooked(m, x, dl.GELU(x)) }

// Forward applies the activation.
func (m *LeakyReLU) Forward(x *dl.Tensor) *dl.Tensor {
	return hooked(m, x, dl.LeakyReLU(x, m.Slope))
}

// Forward applies the activation.
func (m *Softmax) Forward(x *dl.Tensor) *dl.Tensor { return hooked(m, x, dl.Softmax(x, m.Dim)) }

// Forward applies the activation.
func (m *LogSoftmax) Forward(x *dl.Tensor) *dl.Tensor {
	return hooked(m, x, dl.LogSoftmax(x, m.Dim))
}
