package dl

import (
	"fmt"
	"math"
)

// Dtype is the element type of a tensor. Float32 is the default and the
// only one that takes part in autograd; Int64 holds class labels and
// indices (Argmax, data loaders), Bool holds masks (comparisons).
//
// Mixed operands promote as in PyTorch: Bool < Int64 < Float32, so
// Int64 + Float32 is Float32 and Bool + Int64 is Int64; division is always
// true division into Float32. A Go number as the other operand of a scalar
// op (AddScalar, MulScalar, Eq ...) counts as an integer when it is a whole
// number, so an Int64 tensor plus 1 stays Int64 and plus 0.5 is Float32.
// Ops that compute in floating point (Exp, Log, Sigmoid, Softmax, Mean,
// MatMul ...) read Int64 and Bool inputs as Float32. What PyTorch refuses
// is refused with a *Error naming the op and the dtype: gradients on
// integers, negating or subtracting bools, an in-place op whose result
// does not fit the tensor's dtype, a float tensor used as an index.
type Dtype uint8

// The dtypes. Float32 is the zero value: every tensor is Float32 unless it
// was made as another dtype (From, To, a comparison, Argmax, ...).
const (
	Float32 Dtype = iota
	Int64
	Bool
)

// String returns the name torch prints for the dtype, "torch.float32",
// so that printing x.Dtype() reads as print(x.dtype).
func (d Dtype) String() string { return "torch." + d.Name() }

// Name returns the short name: "float32", "int64" or "bool".
func (d Dtype) Name() string {
	switch d {
	case Float32:
		return "float32"
	case Int64:
		return "int64"
	case Bool:
		return "bool"
	}
	return fmt.Sprintf("Dtype(%d)", uint8(d))
}

// IsFloat reports whether d is a floating-point dtype.
func (d Dtype) IsFloat() bool { return d == Float32 }

// Dtype returns t's element type.
func (t *Tensor) Dtype() Dtype { return t.dtype }

// extStorage holds the elements of an Int64 or Bool tensor; views share it.
type extStorage struct {
	ints  []int64 // Int64
	bools []bool  // Bool
}

// element is the Go type of each dtype's storage.
type element interface{ float32 | int64 | bool }

// newTensorOf returns a contiguous zeroed tensor of dtype d.
func newTensorOf(d Dtype, shape []int) *Tensor {
	if d == Float32 {
		return newTensor(shape)
	}
	shape = append([]int(nil), shape...)
	n := checkShape("Tensor", shape)
	t := &Tensor{shape: shape, strides: contiguousStrides(shape), gen: allocGen.Load(), dtype: d, ext: &extStorage{}}
	switch d {
	case Int64:
		t.ext.ints = make([]int64, n)
	case Bool:
		t.ext.bools = make([]bool, n)
	default:
		Panicf("Tensor", "unknown dtype %v", d)
	}
	return t
}

// fromInt64s wraps data (not copied) as a contiguous Int64 tensor.
func fromInt64s(data []int64, shape []int) *Tensor {
	shape = append([]int(nil), shape...)
	return &Tensor{ext: &extStorage{ints: data}, shape: shape, strides: contiguousStrides(shape), gen: allocGen.Load(), dtype: Int64}
}

// fromBools wraps data (not copied) as a contiguous Bool tensor.
func fromBools(data []bool, shape []int) *Tensor {
	shape = append([]int(nil), shape...)
	return &Tensor{ext: &extStorage{bools: data}, shape: shape, strides: contiguousStrides(shape), gen: allocGen.Load(), dtype: Bool}
}

// FromInt64s returns an Int64 tensor holding a copy of data in the given
// shape (1-D without one; one dimension may be -1).
func FromInt64s(data []int64, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	return fromInt64s(append([]int64(nil), data...), inferShape("FromInt64s", shape, len(data)))
}

// FromBools returns a Bool tensor holding a copy of data in the given shape.
func FromBools(data []bool, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	return fromBools(append([]bool(nil), data...), inferShape("FromBools", shape, len(data)))
}

// alias returns a tensor of any dtype sharing t's storage with a new
// layout, outside the graph: the one place views are made.
func (t *Tensor) alias(offset int, shape, strides []int) *Tensor {
	return &Tensor{data: t.data, ext: t.ext, dtype: t.dtype,
		offset: offset, shape: shape, strides: strides, gen: t.gen}
}

// asFloat returns t read as Float32: t itself when it already is, so the
// float path pays one predictable branch.
func asFloat(t *Tensor) *Tensor {
	if t.dtype == Float32 {
		return t
	}
	return t.To(Float32)
}

// promote returns the dtype PyTorch gives a binary op on a and b: the
// higher of Bool < Int64 < Float32.
func promote(a, b Dtype) Dtype {
	rank := func(d Dtype) int {
		switch d {
		case Bool:
			return 0
		case Int64:
			return 1
		}
		return 2
	}
	if rank(a) >= rank(b) {
		return a
	}
	return b
}

// scalarDtype is the dtype of a Go number as an operand: Int64 when it is
// a whole number, else Float32 (see Dtype).
func scalarDtype(s float64) Dtype {
	if s == math.Trunc(s) && !math.IsInf(s, 0) {
		return Int64
	}
	return Float32
}

// To returns t converted to dtype d, or t itself when it already is d (as
// torch's Tensor.to). Float32 → Int64 truncates toward zero (NaN and values
// out of range become the smallest int64, as torch on x86); anything → Bool
// is "not zero"; Bool → numbers is 0 or 1. A converted tensor is new and
// outside the graph: only Float32 carries gradients.
func (t *Tensor) To(d Dtype) *Tensor {
	if t.dtype == d {
		return t
	}
	switch d {
	case Float32:
		return fromData(t.Data(), t.shape)
	case Int64:
		return fromInt64s(t.Int64s(), t.shape)
	case Bool:
		return fromBools(t.Bools(), t.shape)
	}
	Panicf("To", "unknown dtype %v", d)
	return nil
}

// stridedValues copies the elements of t (whose storage is store) in
// row-major order.
func stridedValues[E element](store []E, t *Tensor) []E {
	out := make([]E, t.Numel())
	if len(out) == 0 {
		return out
	}
	if t.IsContiguous() {
		copy(out, store[t.offset:t.offset+len(out)])
		return out
	}
	copyStrided(out, store, t.offset, t.shape, t.strides)
	return out
}

// floatToInt64 converts as torch does on x86: truncation toward zero, and
// the smallest int64 for NaN and values out of range.
func floatToInt64(x float64) int64 {
	if x != x || x >= 9.223372036854775807e18 || x < -9.223372036854775808e18 {
		return math.MinInt64
	}
	return int64(x)
}

// Int64s returns a copy of the elements in row-major order as int64 (see
// To for the conversion of other dtypes).
func (t *Tensor) Int64s() []int64 {
	switch t.dtype {
	case Int64:
		return stridedValues(t.ext.ints, t)
	case Bool:
		b := stridedValues(t.ext.bools, t)
		out := make([]int64, len(b))
		for i, v := range b {
			if v {
				out[i] = 1
			}
		}
		return out
	}
	f := t.Data()
	out := make([]int64, len(f))
	for i, v := range f {
		out[i] = floatToInt64(float64(v))
	}
	return out
}

// Bools returns a copy of the elements in row-major order as bool: true
// where an element is not zero.
func (t *Tensor) Bools() []bool {
	switch t.dtype {
	case Bool:
		return stridedValues(t.ext.bools, t)
	case Int64:
		v := stridedValues(t.ext.ints, t)
		out := make([]bool, len(v))
		for i, x := range v {
			out[i] = x != 0
		}
		return out
	}
	f := t.Data()
	out := make([]bool, len(f))
	for i, x := range f {
		out[i] = x != 0
	}
	return out
}

// Ints returns a copy of the elements as Go ints (see Int64s), for use as
// indices and labels.
func (t *Tensor) Ints() []int {
	v := t.Int64s()
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// ItemInt returns the only element of a one-element tensor as an int
// (Item returns float32).
func (t *Tensor) ItemInt() int {
	if t.Numel() != 1 {
		Panicf("ItemInt", "tensor of shape %v has %d elements, not 1", t.shape, t.Numel())
	}
	switch t.dtype {
	case Int64:
		return int(t.ext.ints[t.offset])
	case Bool:
		if t.ext.bools[t.offset] {
			return 1
		}
		return 0
	}
	return int(floatToInt64(float64(t.data[t.offset])))
}

// RawInt64s is RawData for a contiguous Int64 tensor: its live storage.
func (t *Tensor) RawInt64s() []int64 {
	if t.dtype != Int64 {
		Panicf("RawInt64s", "tensor has dtype %s, not int64", t.dtype.Name())
	}
	if !t.IsContiguous() {
		Panicf("RawInt64s", "tensor of shape %v is not contiguous", t.shape)
	}
	n := t.Numel()
	return t.ext.ints[t.offset : t.offset+n : t.offset+n]
}

// RawBools is RawData for a contiguous Bool tensor: its live storage.
func (t *Tensor) RawBools() []bool {
	if t.dtype != Bool {
		Panicf("RawBools", "tensor has dtype %s, not bool", t.dtype.Name())
	}
	if !t.IsContiguous() {
		Panicf("RawBools", "tensor of shape %v is not contiguous", t.shape)
	}
	n := t.Numel()
	return t.ext.bools[t.offset : t.offset+n : t.offset+n]
}

// elementAt returns the element at storage position p as a float64 (exact
// for every int64 up to 2⁵³ and for all float32 and bool values).
func (t *Tensor) elementAt(p int) float64 {
	switch t.dtype {
	case Int64:
		return float64(t.ext.ints[p])
	case Bool:
		if t.ext.bools[p] {
			return 1
		}
		return 0
	}
	return float64(t.data[p])
}

// setElement writes v, converted to t's dtype, at storage position p.
func (t *Tensor) setElement(p int, v float64) {
	switch t.dtype {
	case Int64:
		t.ext.ints[p] = floatToInt64(v)
	case Bool:
		t.ext.bools[p] = v != 0
	default:
		t.data[p] = float32(v)
	}
}

// copyContiguous returns a contiguous copy of t of the same dtype, outside
// the graph.
func (t *Tensor) copyContiguous() *Tensor {
	switch t.dtype {
	case Int64:
		return fromInt64s(stridedValues(t.ext.ints, t), t.shape)
	case Bool:
		return fromBools(stridedValues(t.ext.bools, t), t.shape)
	}
	return fromData(t.copyData(), t.shape)
}

// needGradDtype panics: only floating-point tensors take gradients.
func needGradDtype(op string, t *Tensor) {
	Panicf(op, "only tensors of floating point dtype can require gradients, got %s", t.dtype.Name())
}
