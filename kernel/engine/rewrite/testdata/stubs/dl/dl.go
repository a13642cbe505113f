// Package dl is a stand-in for the real dl in the rewriter's golden tests:
// the names cells use, without bodies that matter.
package dl

type Tensor struct{ data []float32 }

func Seed(seed int64)                                {}
func Zeros(shape ...int) *Tensor                     { return &Tensor{} }
func Ones(shape ...int) *Tensor                      { return &Tensor{} }
func Randn(shape ...int) *Tensor                     { return &Tensor{} }
func FromSlice(data []float32, shape ...int) *Tensor { return &Tensor{data: data} }
func (t *Tensor) MatMul(u *Tensor) *Tensor           { return t }
func (t *Tensor) MulScalar(s float32) *Tensor        { return t }
func (t *Tensor) Sum() *Tensor                       { return t }
func (t *Tensor) Item() float32                      { return 0 }
func (t *Tensor) Data() []float32                    { return t.data }
func (t *Tensor) Shape() []int                       { return nil }
