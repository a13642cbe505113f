// Package nn is a stand-in for the real nn in the rewriter's golden tests.
package nn

import "github.com/godl-dev/godl/dl"

type Linear struct{ Weight, Bias *dl.Tensor }

type Param struct {
	Name  string
	Value *dl.Tensor
}

func NewLinear(in, out int) *Linear               { return &Linear{} }
func (l *Linear) Forward(x *dl.Tensor) *dl.Tensor { return x }
func Parameters(m any) []*dl.Tensor               { return nil }
func NamedParameters(m any) []Param               { return nil }
func MSELoss(pred, target *dl.Tensor) *dl.Tensor  { return pred }

// Module is a layer or a model.
type Module interface {
	Forward(x *dl.Tensor) *dl.Tensor
}

// Repr is PyTorch's repr of a module.
func Repr(m any) string { return "" }

type Conv2d struct{ Weight *dl.Tensor }

func NewConv2d(in, out, k int) *Conv2d            { return &Conv2d{} }
func (c *Conv2d) Forward(x *dl.Tensor) *dl.Tensor { return x }
func (c *Conv2d) String() string                  { return "Conv2d()" }
