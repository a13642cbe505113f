package dl_test

import (
	"testing"

	"github.com/godl-dev/godl/dl"
)

// TestAPISpellings uses every dl name of the notebook-facing API contract
// exactly as it is written there, so that a rename cannot slip through.
func TestAPISpellings(t *testing.T) {
	dl.Seed(42)
	x := dl.Randn(10, 5)
	_ = dl.Zeros(2, 3)
	_ = dl.Ones(2, 3)
	_ = dl.Full(0.5, 2, 3)
	_ = dl.Arange(0, 10, 1)
	_ = dl.Linspace(-5, 5, 100)
	y := dl.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	var _ []int = x.Shape()
	var _ int = x.Dim()
	var _ int = x.Numel()
	var _ []float32 = x.Data()
	var _ float32 = y.Sum().Item()
	w := dl.Randn(5, 3).RequiresGrad()
	loss := x.MatMul(w).Sum()
	loss.Backward()
	var _ *dl.Tensor = w.Grad()
	w.ZeroGrad()
	_ = w.Detach()
	dl.NoGrad(func() {})
	_ = y.Add(y).Sub(y).Mul(y).Div(y).Neg().Pow(2).AddScalar(1).MulScalar(2)
	z := dl.Randn(2, 3, 4)
	_ = z.MatMul(dl.Randn(2, 4, 3))
	_ = z.Sum()
	_ = z.Sum(0, 1)
	_ = z.Mean()
	_ = z.Mean(1)
	_ = z.Max(1)
	_ = z.Argmax(1)
	_ = z.Reshape(6, 4).View(24).Reshape(2, 12)
	_ = z.Flatten(1)
	_ = y.T()
	_ = z.Transpose(0, 2)
	_ = z.Permute(2, 0, 1)
	_ = z.Select(0, 1)
	_ = z.Narrow(2, 1, 2)
	_ = z.Unsqueeze(0).Squeeze(0)
	_ = dl.Cat(0, z, z)
	_ = dl.Stack(0, z, z)
	_ = dl.Exp(z)
	_ = dl.Log(dl.Exp(z))
	_ = dl.Sqrt(dl.Exp(z))
	_ = dl.Abs(z)
	_ = dl.Sigmoid(z)
	_ = dl.Tanh(z)
	_ = dl.ReLU(z)
	_ = dl.LeakyReLU(z, 0.1)
	_ = dl.GELU(z)
	_ = dl.Softmax(z, 1)
	_ = dl.LogSoftmax(z, 1)
	var _ string = z.String()
	// the cross-part contract
	_ = z.Contiguous().RawData()
	_ = z.IsContiguous()
	_ = w.TracksGrad()
	w.SetGrad(nil)
	_ = dl.GradEnabled()
	_ = dl.Record("Op", dl.Zeros(1), []*dl.Tensor{w}, func(g *dl.Tensor) []*dl.Tensor { return []*dl.Tensor{nil} })
	var e *dl.Error = &dl.Error{Op: "Op", Msg: "m"}
	_ = e.Error()
	if err := dl.Maybe(func() { dl.Panicf("Op", "%d", 1) }); err == nil {
		t.Fatal("Maybe")
	}
	dl.Interrupt()
	_ = dl.Interrupted()
	dl.ResetInterrupt()
	dl.CheckInterrupt()
	var _ *dl.Error = dl.ErrInterrupted
	_ = dl.Rand(2)
	_ = dl.Uniform(-1, 1, 2)
	var _ []int = dl.RandPerm(4)
	_ = dl.Bernoulli(0.5, 2)
}

// TestAPISpellingsTurn2 uses the names of the contract's "Added for turn 2"
// section as they are written there.
func TestAPISpellingsTurn2(t *testing.T) {
	x := dl.Randn(4, 3)
	var _ dl.Dtype = x.Dtype()
	_ = []dl.Dtype{dl.Float32, dl.Int64, dl.Bool}
	y := x.To(dl.Int64)
	var _ *dl.Tensor = x.Argmax(1)
	if x.Argmax(1).Dtype() != dl.Int64 || y.Dtype() != dl.Int64 {
		t.Fatal("Argmax and To(Int64) must be Int64")
	}
	_ = x.Eq(y).Sum().Item()
	_, _, _ = x.Ne(y), x.Lt(y), x.Gt(y)
	_ = dl.From([][]float32{{1, 2}, {3, 4}})
	_ = dl.From([][]int{{1, 2}})
	_ = dl.From([]bool{true})
	_, _ = dl.RandLike(x), dl.RandnLike(x)
	_, _ = dl.ZerosLike(x), dl.OnesLike(x)
	_, _ = dl.Eye(3), dl.Eye(3, 4)
	z := dl.Randn(12, 5)
	_ = z.Index(0)
	_ = z.Index(dl.All, 1)
	_ = z.Index(dl.Sl(1, 10, 2))
	_ = z.Index(dl.Sl(1, 10))
	_ = z.Index(dl.Ellipsis, dl.NewAxis)
	_ = z.Index(z.Gt(dl.Scalar(0)))
	_ = z.Index(dl.From([]int{0, 3}))
	z.SetIndex(0, dl.All, 1)
	z.SetIndex(dl.Ones(12), dl.All, 2)
	_ = z.AddScalarInPlace(1)
}
