package dl

// Comparisons return Bool tensors, with broadcasting, as PyTorch's ==, !=,
// <, >, <=, >=. The methods take a tensor or a Go number as the other
// operand (x.Eq(y), x.Gt(0)); the functions take two tensors. Mixed
// dtypes compare by value (an Int64 3 equals a Float32 3.0), Int64 pairs
// exactly. NaN compares unequal to everything, itself included. A Bool
// result counts with Sum (x.Eq(y).Sum().Item() is the number of matches)
// and takes part in arithmetic as 0 and 1.

type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpNe
	cmpLt
	cmpGt
	cmpLe
	cmpGe
)

var cmpNames = [...]string{"Eq", "Ne", "Lt", "Gt", "Le", "Ge"}

// compareValues is x op y; Int64 pairs compare as integers (exactly), the rest as
// float64.
func compareValues[T int64 | float64](op cmpOp, x, y T) bool {
	switch op {
	case cmpEq:
		return x == y
	case cmpNe:
		return x != y
	case cmpLt:
		return x < y
	case cmpGt:
		return x > y
	case cmpLe:
		return x <= y
	}
	return x >= y
}

// compareOp computes a op b elementwise into a new Bool tensor.
func compareOp(op cmpOp, a, b *Tensor) *Tensor {
	shape := a.shape
	if !sameShape(a.shape, b.shape) {
		shape = broadcastShapes(cmpNames[op], a.shape, b.shape)
	}
	out := make([]bool, numel(shape))
	ae, be := a.Detach().Expand(shape...), b.Detach().Expand(shape...)
	switch {
	case a.dtype == Float32 && b.dtype == Float32:
		x, y := ae.contiguousData(), be.contiguousData()
		if len(out) >= 1<<16 {
			CheckInterrupt()
		}
		for i := range out {
			out[i] = compareValues(op, float64(x[i]), float64(y[i]))
		}
	case a.dtype != Float32 && b.dtype != Float32:
		x, y := ae.Int64s(), be.Int64s()
		for i := range out {
			out[i] = compareValues(op, x[i], y[i])
		}
	default:
		x, y := ae.Float64s(), be.Float64s()
		for i := range out {
			out[i] = compareValues(op, x[i], y[i])
		}
	}
	return fromBools(out, shape)
}

// compareAny is the method form: o is a *Tensor or a Go number or bool.
func compareAny(op cmpOp, t *Tensor, o any) *Tensor {
	if ot, ok := o.(*Tensor); ok {
		return compareOp(op, t, ot)
	}
	if b, ok := o.(bool); ok {
		return compareOp(op, t, fromBools([]bool{b}, nil))
	}
	x, ok := number(o)
	if !ok {
		Panicf(cmpNames[op], "the other operand must be a *dl.Tensor, a number or a bool, got %T", o)
	}
	return compareOp(op, t, scalarOf(x, scalarDtype(x)))
}

// Eq returns a == b elementwise as a Bool tensor.
func Eq(a, b *Tensor) *Tensor { return compareOp(cmpEq, a, b) }

// Ne returns a != b elementwise as a Bool tensor.
func Ne(a, b *Tensor) *Tensor { return compareOp(cmpNe, a, b) }

// Lt returns a < b elementwise as a Bool tensor.
func Lt(a, b *Tensor) *Tensor { return compareOp(cmpLt, a, b) }

// Gt returns a > b elementwise as a Bool tensor.
func Gt(a, b *Tensor) *Tensor { return compareOp(cmpGt, a, b) }

// Le returns a <= b elementwise as a Bool tensor.
func Le(a, b *Tensor) *Tensor { return compareOp(cmpLe, a, b) }

// Ge returns a >= b elementwise as a Bool tensor.
func Ge(a, b *Tensor) *Tensor { return compareOp(cmpGe, a, b) }

// Eq returns t == o elementwise; o is a tensor or a number.
func (t *Tensor) Eq(o any) *Tensor { return compareAny(cmpEq, t, o) }

// Ne returns t != o elementwise; o is a tensor or a number.
func (t *Tensor) Ne(o any) *Tensor { return compareAny(cmpNe, t, o) }

// Lt returns t < o elementwise; o is a tensor or a number.
func (t *Tensor) Lt(o any) *Tensor { return compareAny(cmpLt, t, o) }

// Gt returns t > o elementwise; o is a tensor or a number.
func (t *Tensor) Gt(o any) *Tensor { return compareAny(cmpGt, t, o) }

// Le returns t <= o elementwise; o is a tensor or a number.
func (t *Tensor) Le(o any) *Tensor { return compareAny(cmpLe, t, o) }

// Ge returns t >= o elementwise; o is a tensor or a number.
func (t *Tensor) Ge(o any) *Tensor { return compareAny(cmpGe, t, o) }

// LogicalNot returns the negation of t read as a mask (true where t is
// zero), as torch.logical_not and ~ on a Bool tensor.
func (t *Tensor) LogicalNot() *Tensor {
	v := t.Bools()
	for i := range v {
		v[i] = !v[i]
	}
	return fromBools(v, t.shape)
}

// LogicalAnd returns t && o elementwise, with broadcasting.
func (t *Tensor) LogicalAnd(o *Tensor) *Tensor { return logical("LogicalAnd", t, o, true) }

// LogicalOr returns t || o elementwise, with broadcasting.
func (t *Tensor) LogicalOr(o *Tensor) *Tensor { return logical("LogicalOr", t, o, false) }

func logical(op string, a, b *Tensor, and bool) *Tensor {
	shape := broadcastShapes(op, a.shape, b.shape)
	x, y := a.Detach().Expand(shape...).Bools(), b.Detach().Expand(shape...).Bools()
	for i := range x {
		if and {
			x[i] = x[i] && y[i]
		} else {
			x[i] = x[i] || y[i]
		}
	}
	return fromBools(x, shape)
}
