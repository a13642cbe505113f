package dl

import (
	"fmt"
	"math"
)

// Tensor is an n-dimensional array with PyTorch's semantics: float32 (the
// default), int64 or bool elements (see Dtype), row-major storage, views
// that share it (Reshape, Transpose, Select, Index ...), and a link into the
// autograd graph when it was computed from tensors that require gradients.
//
// Ops are functions or methods that return new tensors and leave their
// arguments alone; the few that write into the receiver say so.
type Tensor struct {
	data    []float32 // storage of a Float32 tensor, possibly shared with other views
	offset  int       // index of element [0 0 ... 0] in the storage
	shape   []int
	strides []int

	gen uint64 // allocation generation of data: see Backward's buffer reuse

	requiresGrad bool    // a leaf that wants gradients
	dtype        Dtype   // Float32 (the zero value) keeps its elements in data
	grad         *Tensor // accumulated gradient of a leaf
	node         *node   // the op that made this tensor, nil for leaves

	// Int64 and Bool tensors keep their elements behind one pointer, so
	// that a Float32 tensor is no bigger than it has to be; float ops check
	// dtype once at entry and never look here.
	ext *extStorage
}

// newTensor returns a contiguous tensor of the given shape with fresh
// zeroed storage. The shape slice is copied.
func newTensor(shape []int) *Tensor {
	shape = append([]int(nil), shape...)
	n := checkShape("Tensor", shape)
	return &Tensor{data: getZeroBuf(n, shape...), shape: shape, strides: contiguousStrides(shape), gen: allocGen.Load()}
}

// newTensorRaw is newTensor without zeroing, for ops that write every
// element.
func newTensorRaw(shape []int) *Tensor {
	shape = append([]int(nil), shape...)
	n := checkShape("Tensor", shape)
	return &Tensor{data: getBuf(n, shape...), shape: shape, strides: contiguousStrides(shape), gen: allocGen.Load()}
}

// fromData wraps data (not copied) as a contiguous tensor of shape.
func fromData(data []float32, shape []int) *Tensor {
	shape = append([]int(nil), shape...)
	return &Tensor{data: data, shape: shape, strides: contiguousStrides(shape), gen: allocGen.Load()}
}

// checkShape validates a shape and returns its element count.
func checkShape(op string, shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			Panicf(op, "negative dimension in shape %v", shape)
		}
		n *= d
	}
	return n
}

func contiguousStrides(shape []int) []int {
	s := make([]int, len(shape))
	st := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = st
		st *= shape[i]
	}
	return s
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Zeros returns a tensor of zeros. With no shape it is a scalar.
func Zeros(shape ...int) *Tensor { return newTensor(shape) }

// Ones returns a tensor of ones.
func Ones(shape ...int) *Tensor { return Full(1, shape...) }

// Full returns a tensor filled with v.
func Full(v float32, shape ...int) *Tensor {
	t := newTensorRaw(shape) // every element is written
	for i := range t.data {
		t.data[i] = v
	}
	return t
}

// Scalar returns a 0-dimensional tensor holding v.
func Scalar(v float32) *Tensor { return Full(v) }

// ZerosLike returns zeros of t's shape and dtype.
func ZerosLike(t *Tensor) *Tensor { return newTensorOf(t.dtype, t.shape) }

// OnesLike returns ones of t's shape and dtype.
func OnesLike(t *Tensor) *Tensor { return Full(1, t.shape...).To(t.dtype) }

// Arange returns the 1-D tensor start, start+step, ... up to but excluding
// end, as torch.arange.
func Arange(start, end, step float32) *Tensor {
	if step == 0 || (end-start)/step < 0 {
		if step == 0 {
			Panicf("Arange", "step must be nonzero")
		}
		return Zeros(0)
	}
	n := int(math.Ceil((float64(end) - float64(start)) / float64(step)))
	t := Zeros(n)
	for i := range t.data {
		t.data[i] = float32(float64(start) + float64(i)*float64(step))
	}
	return t
}

// Linspace returns n evenly spaced values from start to end inclusive.
func Linspace(start, end float32, n int) *Tensor {
	if n < 0 {
		Panicf("Linspace", "negative count %d", n)
	}
	t := Zeros(n)
	if n == 1 {
		t.data[0] = start
		return t
	}
	// torch fills the first half from start and the second from end, which
	// keeps both endpoints exact.
	step := (float64(end) - float64(start)) / float64(n-1)
	half := n / 2
	for i := range n {
		if i < half {
			t.data[i] = float32(float64(start) + step*float64(i))
		} else {
			t.data[i] = float32(float64(end) - step*float64(n-1-i))
		}
	}
	return t
}

// FromSlice returns a tensor holding a copy of data in the given shape; with
// no shape it is 1-D. One dimension may be -1 and is inferred.
func FromSlice(data []float32, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	shape = inferShape("FromSlice", shape, len(data))
	return fromData(append([]float32(nil), data...), shape)
}

// FromFloat64s is FromSlice for float64 data (gonum, plotting), rounded to
// float32.
func FromFloat64s(data []float64, shape ...int) *Tensor {
	f := make([]float32, len(data))
	for i, v := range data {
		f[i] = float32(v)
	}
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	return fromData(f, inferShape("FromFloat64s", shape, len(data)))
}

// Float64s returns a copy of the elements in row-major order as float64,
// whatever t's dtype (exact for int64 values up to 2⁵³).
func (t *Tensor) Float64s() []float64 {
	if t.dtype == Int64 {
		v := stridedValues(t.ext.ints, t)
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	}
	var d []float32
	if t.dtype == Float32 {
		d = t.contiguousData() // no copy when contiguous
	} else {
		d = t.Data()
	}
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return out
}

// inferShape resolves one -1 entry in shape so that it holds n elements.
func inferShape(op string, shape []int, n int) []int {
	shape = append([]int(nil), shape...)
	infer := -1
	known := 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			Panicf(op, "invalid shape %v", shape)
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			Panicf(op, "shape %v is invalid for input of size %d", shape, n)
		}
		shape[infer] = n / known
	} else if known != n {
		Panicf(op, "shape %v is invalid for input of size %d", shape, n)
	}
	return shape
}

// Shape returns a copy of the dimensions.
func (t *Tensor) Shape() []int { return append([]int(nil), t.shape...) }

// Dim returns the number of dimensions.
func (t *Tensor) Dim() int { return len(t.shape) }

// Size returns the length of dimension d; negative d counts from the end.
func (t *Tensor) Size(d int) int { return t.shape[t.normDim("Size", d)] }

// Numel returns the number of elements.
func (t *Tensor) Numel() int { return numel(t.shape) }

// Strides returns a copy of the strides, in elements.
func (t *Tensor) Strides() []int { return append([]int(nil), t.strides...) }

// IsContiguous reports whether the elements lie in row-major order without
// gaps, so RawData can expose them.
func (t *Tensor) IsContiguous() bool {
	st := 1
	for i := len(t.shape) - 1; i >= 0; i-- {
		if t.shape[i] != 1 && t.strides[i] != st {
			return false
		}
		st *= t.shape[i]
	}
	return true
}

// RawData returns the live backing elements of a contiguous tensor: writes
// change the tensor (and every view of it). It panics on a non-contiguous
// view; call Contiguous first.
func (t *Tensor) RawData() []float32 {
	if t.dtype != Float32 {
		Panicf("RawData", "tensor of shape %v has dtype %s, not float32; use RawInt64s/RawBools, or To(dl.Float32)", t.shape, t.dtype.Name())
	}
	if !t.IsContiguous() {
		Panicf("RawData", "tensor of shape %v is not contiguous", t.shape)
	}
	n := t.Numel()
	return t.data[t.offset : t.offset+n : t.offset+n]
}

// Data returns a copy of the elements in row-major order as float32
// (Int64 and Bool elements converted; see Int64s and Bools).
func (t *Tensor) Data() []float32 {
	switch t.dtype {
	case Int64:
		out := getBuf(t.Numel())
		for i, v := range stridedValues(t.ext.ints, t) {
			out[i] = float32(v)
		}
		return out
	case Bool:
		out := getBuf(t.Numel())
		for i, v := range stridedValues(t.ext.bools, t) {
			out[i] = 0
			if v {
				out[i] = 1
			}
		}
		return out
	}
	return t.copyData()
}

// copyData is Data of a Float32 tensor for dl's own ops (an allocation
// that fails then names the op that asked, not Data).
func (t *Tensor) copyData() []float32 {
	out := getBuf(t.Numel(), t.shape...)
	if t.IsContiguous() {
		copy(out, t.RawData())
		return out
	}
	copyStrided(out, t.data, t.offset, t.shape, t.strides)
	return out
}

// Item returns the only element of a one-element tensor as float32 (see
// ItemInt for Int64 counts and labels).
func (t *Tensor) Item() float32 {
	if t.Numel() != 1 {
		Panicf("Item", "tensor of shape %v has %d elements, not 1", t.shape, t.Numel())
	}
	if t.dtype != Float32 {
		return float32(t.elementAt(t.offset))
	}
	return t.data[t.offset]
}

// At returns the element at the given index (one per dimension) as float32.
func (t *Tensor) At(idx ...int) float32 {
	p := t.index("At", idx)
	if t.dtype != Float32 {
		return float32(t.elementAt(p))
	}
	return t.data[p]
}

// Set writes v (converted to t's dtype) at the given index. It writes into
// t: do not use it on tensors that are part of a graph you will
// differentiate.
func (t *Tensor) Set(v float32, idx ...int) { t.setElement(t.index("Set", idx), float64(v)) }

func (t *Tensor) index(op string, idx []int) int {
	if len(idx) != len(t.shape) {
		Panicf(op, "%d indices for tensor of shape %v", len(idx), t.shape)
	}
	p := t.offset
	for i, x := range idx {
		if x < 0 {
			x += t.shape[i]
		}
		if x < 0 || x >= t.shape[i] {
			Panicf(op, "index %v out of range for shape %v", idx, t.shape)
		}
		p += x * t.strides[i]
	}
	return p
}

// Contiguous returns t if it is contiguous, else a contiguous copy (which
// stays in the graph: gradients flow back to t).
func (t *Tensor) Contiguous() *Tensor {
	if t.IsContiguous() {
		return t
	}
	out := t.copyContiguous()
	return Record("Contiguous", out, []*Tensor{t}, func(g *Tensor) []*Tensor { return []*Tensor{g} })
}

// Clone returns a copy with its own storage; gradients flow back to t.
func (t *Tensor) Clone() *Tensor {
	out := t.copyContiguous()
	return Record("Clone", out, []*Tensor{t}, func(g *Tensor) []*Tensor { return []*Tensor{g} })
}

// normDim resolves a possibly negative dimension index.
func (t *Tensor) normDim(op string, d int) int {
	return normDimN(op, d, len(t.shape), t.shape)
}

func normDimN(op string, d, n int, shape []int) int {
	if d < 0 {
		d += n
	}
	if d < 0 || d >= n {
		Panicf(op, "dimension %d out of range for shape %v", d, shape)
	}
	return d
}

// copyStrided copies the strided elements of src (from off) into dst in
// row-major order. The innermost dimension is a plain loop.
func copyStrided[E element](dst, src []E, off int, shape, strides []int) {
	if len(shape) == 0 {
		dst[0] = src[off]
		return
	}
	n := len(shape)
	inner, is := shape[n-1], strides[n-1]
	rows := numel(shape[:n-1])
	idx := make([]int, n-1)
	p := off
	o := 0
	for range rows {
		if is == 1 {
			copy(dst[o:o+inner], src[p:p+inner])
		} else {
			q := p
			for j := range inner {
				dst[o+j] = src[q]
				q += is
			}
		}
		o += inner
		// advance the outer index like an odometer
		for d := n - 2; d >= 0; d-- {
			idx[d]++
			p += strides[d]
			if idx[d] < shape[d] {
				break
			}
			p -= strides[d] * shape[d]
			idx[d] = 0
		}
	}
}

// GoString helps debugging: shape and strides.
func (t *Tensor) GoString() string {
	return fmt.Sprintf("dl.Tensor{shape: %v, strides: %v, offset: %d}", t.shape, t.strides, t.offset)
}

// Eye returns the n×n identity matrix, or with m the n×m matrix with ones
// on its diagonal, as torch.eye(n, m).
func Eye(n int, m ...int) *Tensor {
	cols := n
	switch len(m) {
	case 0:
	case 1:
		cols = m[0]
	default:
		Panicf("Eye", "takes n and at most one m, got %d sizes", 1+len(m))
	}
	if n < 0 || cols < 0 {
		Panicf("Eye", "sizes must be non-negative, got %d x %d", n, cols)
	}
	t := Zeros(n, cols)
	for i := range min(n, cols) {
		t.data[i*cols+i] = 1
	}
	return t
}

// OneHot returns a [len(labels) classes] tensor with a 1 at each label.
func OneHot(labels []int, classes int) *Tensor {
	t := Zeros(len(labels), classes)
	for i, l := range labels {
		if l < 0 || l >= classes {
			Panicf("OneHot", "label %d out of range for %d classes", l, classes)
		}
		t.data[i*classes+l] = 1
	}
	return t
}

// AllClose reports whether a and b have the same shape and every element
// satisfies |a − b| ≤ atol + rtol·|b|, as torch.allclose.
func AllClose(a, b *Tensor, rtol, atol float64) bool {
	if !sameShape(a.shape, b.shape) {
		return false
	}
	ad, bd := a.Data(), b.Data()
	for i := range ad {
		x, y := float64(ad[i]), float64(bd[i])
		if math.Abs(x-y) > atol+rtol*math.Abs(y) || math.IsNaN(x) != math.IsNaN(y) {
			return false
		}
	}
	return true
}
