package dl

// In-place updates, for hand-written optimisation steps and data filling:
//
//	dl.NoGrad(func() { w.SubInPlace(w.Grad().MulScalar(lr)) })
//
// They write into the receiver (and so into every view sharing its
// storage) and return it. As in PyTorch, a tensor that takes part in
// autograd may only be changed in place inside NoGrad: a recorded graph
// would otherwise see values that are not the ones it was built from.

func (t *Tensor) checkInPlace(op string) {
	if GradEnabled() && t.TracksGrad() {
		Panicf(op, "tensor of shape %v requires grad; change it in place only inside dl.NoGrad", t.shape)
	}
}

// inPlace writes k(t, o) into t, o broadcast to t's shape.
func (t *Tensor) inPlace(op string, o *Tensor, k binaryOp) *Tensor {
	if t.dtype|o.dtype != Float32 {
		return t.inPlaceDtype(op, k, o)
	}
	t.checkInPlace(op)
	if !sameShape(broadcastShapes(op, t.shape, o.shape), t.shape) {
		Panicf(op, "%v cannot be broadcast into %v", o.shape, t.shape)
	}
	if t.IsContiguous() {
		binaryInto(t, t, o, k)
		return t
	}
	tmp := binary(op, t, o, k)
	assign(t, tmp)
	release(tmp)
	return t
}

// AddInPlace adds o (broadcast) into t and returns t.
func (t *Tensor) AddInPlace(o *Tensor) *Tensor { return t.inPlace("AddInPlace", o, opAdd) }

// SubInPlace subtracts o (broadcast) from t and returns t.
func (t *Tensor) SubInPlace(o *Tensor) *Tensor { return t.inPlace("SubInPlace", o, opSub) }

// MulInPlace multiplies t by o (broadcast) and returns t.
func (t *Tensor) MulInPlace(o *Tensor) *Tensor { return t.inPlace("MulInPlace", o, opMul) }

// MulScalarInPlace multiplies t by s and returns t.
func (t *Tensor) MulScalarInPlace(s float32) *Tensor {
	if t.dtype != Float32 {
		return t.scalarInPlaceDtype("MulScalarInPlace", opMul, float64(s))
	}
	return t.inPlace("MulScalarInPlace", Scalar(s), opMul)
}

// CopyFrom copies o (broadcast) into t and returns t.
func (t *Tensor) CopyFrom(o *Tensor) *Tensor {
	t.checkInPlace("CopyFrom")
	if !sameShape(broadcastShapes("CopyFrom", t.shape, o.shape), t.shape) {
		Panicf("CopyFrom", "%v cannot be broadcast into %v", o.shape, t.shape)
	}
	assign(t, o)
	return t
}

// Fill sets every element of t to v and returns t.
func (t *Tensor) Fill(v float32) *Tensor {
	t.checkInPlace("Fill")
	assign(t, Scalar(v))
	return t
}

// DivInPlace divides t by o (broadcast) and returns t.
func (t *Tensor) DivInPlace(o *Tensor) *Tensor { return t.inPlace("DivInPlace", o, opDiv) }

// AddScalarInPlace adds s to every element of t and returns t, as add_(s).
func (t *Tensor) AddScalarInPlace(s float32) *Tensor {
	if t.dtype != Float32 {
		return t.scalarInPlaceDtype("AddScalarInPlace", opAdd, float64(s))
	}
	return t.inPlace("AddScalarInPlace", Scalar(s), opAdd)
}

// SubScalarInPlace subtracts s from every element of t and returns t.
func (t *Tensor) SubScalarInPlace(s float32) *Tensor {
	if t.dtype != Float32 {
		return t.scalarInPlaceDtype("SubScalarInPlace", opSub, float64(s))
	}
	return t.inPlace("SubScalarInPlace", Scalar(s), opSub)
}

// DivScalarInPlace divides every element of t by s and returns t.
func (t *Tensor) DivScalarInPlace(s float32) *Tensor {
	if t.dtype != Float32 {
		return t.scalarInPlaceDtype("DivScalarInPlace", opDiv, float64(s))
	}
	return t.inPlace("DivScalarInPlace", Scalar(s), opDiv)
}
