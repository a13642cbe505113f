package dl

// Ops on Int64 and Bool tensors. The float ops check their operands' dtype
// once at entry and come here for anything else; these paths favour
// clarity over speed (labels and masks are small next to activations).
// Results follow PyTorch's promotion rules (see Dtype).

// arithOp names the four arithmetic ops shared by the tensor, scalar and
// in-place spellings: the backend's binary ops opAdd, opSub, opMul, opDiv.
type arithOp = binaryOp

var arithNames = [...]string{"Add", "Sub", "Mul", "Div"}

// floatArith is the Float32 op itself, reached once both operands are
// Float32.
func floatArith(op arithOp, a, b *Tensor) *Tensor {
	switch op {
	case opAdd:
		return Add(a, b)
	case opSub:
		return Sub(a, b)
	case opMul:
		return Mul(a, b)
	}
	return Div(a, b)
}

// checkBoolSub refuses subtraction with a Bool operand, as PyTorch does.
func checkBoolSub(op string, a, b Dtype) {
	if a == Bool || b == Bool {
		Panicf(op, "subtraction with a bool tensor is not supported; use Ne for exclusive or, or convert with To(dl.Int64)")
	}
}

// arith computes a op b when either operand is not Float32.
func arith(op arithOp, a, b *Tensor) *Tensor {
	name := arithNames[op]
	d := promote(a.dtype, b.dtype)
	if op == opSub {
		checkBoolSub(name, a.dtype, b.dtype)
	}
	if op == opDiv || d == Float32 {
		return floatArith(op, asFloat(a), asFloat(b))
	}
	shape := broadcastShapes(name, a.shape, b.shape)
	if d == Bool { // + is "or", * is "and", as PyTorch
		av, bv := a.Expand(shape...).Bools(), b.Expand(shape...).Bools()
		for i := range av {
			if op == opAdd {
				av[i] = av[i] || bv[i]
			} else {
				av[i] = av[i] && bv[i]
			}
		}
		return fromBools(av, shape)
	}
	av, bv := a.Expand(shape...).Int64s(), b.Expand(shape...).Int64s()
	for i := range av {
		av[i] = intArith(op, av[i], bv[i])
	}
	return fromInt64s(av, shape)
}

func intArith(op arithOp, x, y int64) int64 {
	switch op {
	case opAdd:
		return x + y
	case opSub:
		return x - y
	}
	return x * y
}

// scalarArith computes t op s for a non-Float32 t: an Int64 result when s
// is a whole number, else Float32.
func scalarArith(op arithOp, t *Tensor, s float64) *Tensor {
	name := arithNames[op] + "Scalar"
	if op == opSub {
		checkBoolSub(name, t.dtype, Int64)
	}
	if op == opDiv || scalarDtype(s) == Float32 {
		f := asFloat(t)
		switch op {
		case opAdd:
			return AddScalar(f, float32(s))
		case opSub:
			return AddScalar(f, float32(-s))
		case opMul:
			return MulScalar(f, float32(s))
		}
		return f.DivScalar(float32(s))
	}
	v, k := t.Int64s(), int64(s)
	for i := range v {
		v[i] = intArith(op, v[i], k)
	}
	return fromInt64s(v, t.shape)
}

// mapInt64 applies f to an Int64 tensor's elements (a Bool tensor read as
// 0/1 first) into a new Int64 tensor.
func mapInt64(t *Tensor, f func(int64) int64) *Tensor {
	v := t.Int64s()
	for i, x := range v {
		v[i] = f(x)
	}
	return fromInt64s(v, t.shape)
}

func noBool(op string, t *Tensor) {
	if t.dtype == Bool {
		Panicf(op, "not supported for a bool tensor (shape %v); use LogicalNot to invert a mask, or convert with To(dl.Int64)", t.shape)
	}
}

func negDtype(t *Tensor) *Tensor {
	noBool("Neg", t)
	return mapInt64(t, func(x int64) int64 { return -x })
}

func absDtype(t *Tensor) *Tensor {
	noBool("Abs", t)
	return mapInt64(t, func(x int64) int64 {
		if x < 0 {
			return -x
		}
		return x
	})
}

func reluDtype(t *Tensor) *Tensor {
	noBool("ReLU", t)
	return mapInt64(t, func(x int64) int64 { return max(x, 0) })
}

// clampDtype clamps an Int64 tensor; bounds that are not whole numbers make
// the result Float32.
func clampDtype(t *Tensor, lo, hi float32) *Tensor {
	noBool("Clamp", t)
	if scalarDtype(float64(lo)) == Float32 || scalarDtype(float64(hi)) == Float32 {
		return Clamp(asFloat(t), lo, hi)
	}
	l, h := int64(lo), int64(hi)
	return mapInt64(t, func(x int64) int64 { return min(max(x, l), h) })
}

// powDtype raises an Int64 or Bool tensor to p: Int64 for a whole p ≥ 0,
// Float32 for a fractional p, and an error for a negative whole p.
func powDtype(t *Tensor, p float32) *Tensor {
	if scalarDtype(float64(p)) == Float32 {
		return Pow(asFloat(t), p)
	}
	if p < 0 {
		Panicf("Pow", "integers to negative integer powers are not allowed (tensor of dtype %s)", t.dtype.Name())
	}
	e := int64(p)
	return mapInt64(t, func(x int64) int64 {
		r := int64(1)
		for range e {
			r *= x
		}
		return r
	})
}

// whereDtype is Where when a dtype other than Float32 is involved: cond is
// true where not zero, a and b promote.
func whereDtype(cond, a, b *Tensor) *Tensor {
	d := promote(a.dtype, b.dtype)
	if d == Float32 {
		return Where(cond.To(Float32), asFloat(a), asFloat(b))
	}
	shape := broadcastShapes("Where", broadcastShapes("Where", cond.shape, a.shape), b.shape)
	c := cond.Expand(shape...).Bools()
	out := newTensorOf(d, shape)
	av, bv := a.Expand(shape...), b.Expand(shape...)
	if d == Bool {
		x, y := av.Bools(), bv.Bools()
		for i := range c {
			out.ext.bools[i] = y[i]
			if c[i] {
				out.ext.bools[i] = x[i]
			}
		}
		return out
	}
	x, y := av.Int64s(), bv.Int64s()
	for i := range c {
		out.ext.ints[i] = y[i]
		if c[i] {
			out.ext.ints[i] = x[i]
		}
	}
	return out
}

// extremumDtype is Maximum (larger) or Minimum for non-Float32 operands.
func extremumDtype(op string, a, b *Tensor, larger bool) *Tensor {
	d := promote(a.dtype, b.dtype)
	if d == Float32 {
		if larger {
			return Maximum(asFloat(a), asFloat(b))
		}
		return Minimum(asFloat(a), asFloat(b))
	}
	shape := broadcastShapes(op, a.shape, b.shape)
	av, bv := a.Expand(shape...).Int64s(), b.Expand(shape...).Int64s()
	for i := range av {
		if larger {
			av[i] = max(av[i], bv[i])
		} else {
			av[i] = min(av[i], bv[i])
		}
	}
	return fromInt64s(av, shape).To(d)
}

// reduceTargets maps every element of a row-major tensor of shape to the
// flat index of its place in the reduction over mask (dropped dimensions
// and kept ones map alike).
func reduceTargets(shape []int, mask []bool) []int {
	n := numel(shape)
	out := make([]int, n)
	if n == 0 {
		return out
	}
	// stride of each dimension in the reduced result (0 when reduced)
	rs := make([]int, len(shape))
	st := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if !mask[i] {
			rs[i] = st
			st *= shape[i]
		}
	}
	idx := make([]int, len(shape))
	p := 0
	for i := range n {
		out[i] = p
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			p += rs[d]
			if idx[d] < shape[d] {
				break
			}
			p -= rs[d] * shape[d]
			idx[d] = 0
		}
	}
	return out
}

// sumDtype sums an Int64 or Bool tensor into Int64, as torch.sum.
func sumDtype(t *Tensor, dims []int, keep bool) *Tensor {
	mask := reduceMask("Sum", t, dims)
	shape := reducedShape(t.shape, mask, keep)
	out := make([]int64, numel(shape))
	to := reduceTargets(t.shape, mask)
	for i, v := range t.Int64s() {
		out[to[i]] += v
	}
	return fromInt64s(out, shape)
}

// argExtreme finds the largest (or smallest) element of an Int64 or Bool
// tensor along dims (none: everything), returning the values' reduced
// shape, the values and their indices along the reduced dimension.
func argExtreme(op string, t *Tensor, dims []int, keep, larger bool) (shape []int, vals []int64, idx []int64) {
	shape, outer, r, inner := argLayout(op, t, dims, keep)
	x := t.Int64s()
	vals, idx = make([]int64, outer*inner), make([]int64, outer*inner)
	for o := range outer {
		for in := range inner {
			base := o*r*inner + in
			best, bk := x[base], 0
			for k := 1; k < r; k++ {
				v := x[base+k*inner]
				if (larger && v > best) || (!larger && v < best) {
					best, bk = v, k
				}
			}
			vals[o*inner+in], idx[o*inner+in] = best, int64(bk)
		}
	}
	return shape, vals, idx
}

// extremeDtype is Max/Min of an Int64 or Bool tensor, in its own dtype.
func extremeDtype(op string, t *Tensor, dims []int, keep, larger bool) *Tensor {
	shape, vals, _ := argExtreme(op, t, dims, keep, larger)
	return fromInt64s(vals, shape).To(t.dtype)
}

// argDtype is Argmax/Argmin of an Int64 tensor (PyTorch has none for Bool).
func argDtype(op string, t *Tensor, dims []int, keep, larger bool) *Tensor {
	noBool(op, t)
	shape, _, idx := argExtreme(op, t, dims, keep, larger)
	return fromInt64s(idx, shape)
}

// inPlaceDtype is an in-place arithmetic op when t or o is not Float32.
// As in PyTorch the result must fit t's dtype: an Int64 tensor cannot take
// a Float32 result in place.
func (t *Tensor) inPlaceDtype(name string, op arithOp, o *Tensor) *Tensor {
	t.checkInPlace(name)
	if t.dtype == Float32 {
		return t.inPlace(name, asFloat(o), op)
	}
	d := promote(t.dtype, o.dtype)
	if op == opDiv {
		d = Float32
	}
	if op == opSub {
		checkBoolSub(name, t.dtype, o.dtype)
	}
	if d != t.dtype {
		Panicf(name, "result type %s can't be cast to the desired output type %s", d.Name(), t.dtype.Name())
	}
	if !sameShape(broadcastShapes(name, t.shape, o.shape), t.shape) {
		Panicf(name, "%v cannot be broadcast into %v", o.shape, t.shape)
	}
	assign(t, arith(op, t, o))
	return t
}

// scalarInPlaceDtype is t op= s for a non-Float32 t.
func (t *Tensor) scalarInPlaceDtype(name string, op arithOp, s float64) *Tensor {
	t.checkInPlace(name)
	d := promote(t.dtype, scalarDtype(s))
	if op == opDiv {
		d = Float32
	}
	if op == opSub {
		checkBoolSub(name, t.dtype, Int64)
	}
	if d != t.dtype {
		Panicf(name, "result type %s can't be cast to the desired output type %s", d.Name(), t.dtype.Name())
	}
	assign(t, scalarArith(op, t, s))
	return t
}

// storageOffsets lists the storage positions of a strided layout's
// elements in row-major order.
func storageOffsets(off int, shape, strides []int) []int {
	out := make([]int, numel(shape))
	if len(out) == 0 {
		return out
	}
	idx := make([]int, len(shape))
	p := off
	for i := range out {
		out[i] = p
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			p += strides[d]
			if idx[d] < shape[d] {
				break
			}
			p -= strides[d] * shape[d]
			idx[d] = 0
		}
	}
	return out
}

// scatterValues writes src's elements (converted to dst's dtype) at the
// storage positions pos of dst, in order.
func scatterValues(dst *Tensor, pos []int, src *Tensor) {
	switch dst.dtype {
	case Int64:
		for i, v := range src.Int64s() {
			dst.ext.ints[pos[i]] = v
		}
	case Bool:
		for i, v := range src.Bools() {
			dst.ext.bools[pos[i]] = v
		}
	default:
		for i, v := range src.Data() {
			dst.data[pos[i]] = v
		}
	}
}

// gatherValues returns a new contiguous tensor of t's dtype and the given
// shape holding t's elements at storage positions pos.
func gatherValues(t *Tensor, pos []int, shape []int) *Tensor {
	out := newTensorOf(t.dtype, shape)
	switch t.dtype {
	case Int64:
		for i, p := range pos {
			out.ext.ints[i] = t.ext.ints[p]
		}
	case Bool:
		for i, p := range pos {
			out.ext.bools[i] = t.ext.bools[p]
		}
	default:
		for i, p := range pos {
			out.data[i] = t.data[p]
		}
	}
	return out
}

// assignDtype is assign when dst or src is not Float32: src is converted to
// dst's dtype.
func assignDtype(dst, src *Tensor) {
	if !sameShape(dst.shape, src.shape) {
		src = src.Expand(dst.shape...)
	}
	scatterValues(dst, storageOffsets(dst.offset, dst.shape, dst.strides), src)
}

// indexSelectDtype is IndexSelect for Int64 and Bool tensors.
func indexSelectDtype(t *Tensor, dim int, idx []int) *Tensor {
	dim = t.normDim("IndexSelect", dim)
	n := t.shape[dim]
	for _, i := range idx {
		if i < 0 || i >= n {
			Panicf("IndexSelect", "index %d out of range for dimension %d of shape %v", i, dim, t.shape)
		}
	}
	args := make([]any, dim+1)
	for i := range dim {
		args[i] = All
	}
	args[dim] = idx
	return t.Index(args...)
}

// catDtype converts ts to their common dtype, as torch.cat promotes; the
// slice is ts itself when every tensor is Float32.
func catDtype(ts []*Tensor) ([]*Tensor, Dtype) {
	d, mixed := ts[0].dtype, false
	for _, x := range ts[1:] {
		if x.dtype != d {
			mixed = true
			d = promote(d, x.dtype)
		}
	}
	if !mixed {
		return ts, d
	}
	out := make([]*Tensor, len(ts))
	for i, x := range ts {
		out[i] = x.To(d)
	}
	return out, d
}
