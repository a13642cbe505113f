package dl_test

import (
	"fmt"

	"github.com/godl-dev/godl/dl"
)

// Gradients of a small expression, checked by hand: y = Σ w·x + b.
func Example_autograd() {
	w := dl.FromSlice([]float32{1, 2, 3}).RequiresGrad()
	b := dl.Scalar(0.5).RequiresGrad()
	x := dl.FromSlice([]float32{4, 5, 6})
	y := w.Mul(x).Sum().Add(b)
	y.Backward()
	fmt.Println(y.Item())
	fmt.Println(w.Grad()) // dy/dw = x
	fmt.Println(b.Grad()) // dy/db = 1
	// Output:
	// 32.5
	// tensor([4., 5., 6.])
	// tensor(1.)
}

// A [2 3] matrix plus a row broadcasts over rows; Sum(0) reduces columns.
func Example_broadcasting() {
	m := dl.Arange(0, 6, 1).Reshape(2, 3)
	r := dl.FromSlice([]float32{10, 20, 30})
	fmt.Println(m.Add(r))
	fmt.Println(m.Add(r).Sum(0))
	fmt.Println(m.SumKeep(1).Shape())
	// Output:
	// tensor([[10., 21., 32.],
	//         [13., 24., 35.]])
	// tensor([23., 45., 67.])
	// [2 1]
}

// Shape errors are values: Maybe turns the panic into an error.
func ExampleMaybe() {
	err := dl.Maybe(func() { dl.Ones(10, 5).MatMul(dl.Ones(3, 2)) })
	fmt.Println(err)
	// Output:
	// MatMul: [10 5] x [3 2]: inner dimensions 5 and 3 differ
}

// NoGrad for a hand-written gradient step.
func ExampleNoGrad() {
	w := dl.FromSlice([]float32{1, -2}).RequiresGrad()
	w.Mul(w).Sum().Backward() // d/dw Σw² = 2w
	dl.NoGrad(func() { w.SubInPlace(w.Grad().MulScalar(0.25)) })
	fmt.Println(w)
	// Output:
	// tensor([ 0.5000, -1.0000], requires_grad=True)
}
