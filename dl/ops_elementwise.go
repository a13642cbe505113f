package dl

// Element-wise arithmetic. The arithmetic itself is the backend's
// (backend.go); these functions check shapes, allocate results and record
// the graph.

// Add returns a + b with broadcasting.
func Add(a, b *Tensor) *Tensor {
	if a.dtype|b.dtype != Float32 {
		return arith(opAdd, a, b)
	}
	out := binary("Add", a, b, opAdd)
	return Record("Add", out, []*Tensor{a, b}, func(g *Tensor) []*Tensor { return []*Tensor{g, g} })
}

// Sub returns a - b with broadcasting.
func Sub(a, b *Tensor) *Tensor {
	if a.dtype|b.dtype != Float32 {
		return arith(opSub, a, b)
	}
	out := binary("Sub", a, b, opSub)
	return Record("Sub", out, []*Tensor{a, b}, func(g *Tensor) []*Tensor {
		var gb *Tensor
		if b.TracksGrad() {
			gb = Neg(g)
		}
		return []*Tensor{g, gb}
	})
}

// Mul returns a * b elementwise with broadcasting.
func Mul(a, b *Tensor) *Tensor {
	if a.dtype|b.dtype != Float32 {
		return arith(opMul, a, b)
	}
	out := binary("Mul", a, b, opMul)
	return Record("Mul", out, []*Tensor{a, b}, func(g *Tensor) []*Tensor {
		var ga, gb *Tensor
		if a.TracksGrad() {
			ga = binary("Mul", g, b, opMul)
		}
		if b.TracksGrad() {
			gb = binary("Mul", g, a, opMul)
		}
		return []*Tensor{ga, gb}
	})
}

// Div returns a / b elementwise with broadcasting; integer operands give
// a Float32 true division, as PyTorch.
func Div(a, b *Tensor) *Tensor {
	if a.dtype|b.dtype != Float32 {
		return arith(opDiv, a, b)
	}
	out := binary("Div", a, b, opDiv)
	return Record("Div", out, []*Tensor{a, b}, func(g *Tensor) []*Tensor {
		var ga, gb *Tensor
		if a.TracksGrad() {
			ga = binary("Div", g, b, opDiv)
		}
		if b.TracksGrad() {
			// d(a/b)/db = -a/b² = -out/b
			gb = Neg(binary("Div", binary("Mul", g, out.Detach(), opMul), b, opDiv))
		}
		return []*Tensor{ga, gb}
	})
}

// Maximum returns the elementwise larger of a and b; the gradient goes to a
// where a >= b.
func Maximum(a, b *Tensor) *Tensor {
	if a.dtype|b.dtype != Float32 {
		return extremumDtype("Maximum", a, b, true)
	}
	m := Ge(a.Detach(), b.Detach()).To(Float32)
	return Add(Mul(a, m), Mul(b, RSubScalar(1, m)))
}

// Minimum returns the elementwise smaller of a and b.
func Minimum(a, b *Tensor) *Tensor {
	if a.dtype|b.dtype != Float32 {
		return extremumDtype("Minimum", a, b, false)
	}
	m := Le(a.Detach(), b.Detach()).To(Float32)
	return Add(Mul(a, m), Mul(b, RSubScalar(1, m)))
}

// unaryMap applies op to every element of t into a new contiguous tensor,
// with no graph.
func unaryMap(t *Tensor, op unaryOp, p opParams) *Tensor {
	src := t.contiguousData()
	out := newTensorRaw(t.shape) // the op writes every element
	if len(src) >= 1<<16 {
		CheckInterrupt()
	}
	be.unary(op, p, out.data, src)
	return out
}

// contiguousData returns the elements in row-major order, without copying
// when t is already contiguous. The result must not be written.
func (t *Tensor) contiguousData() []float32 {
	if t.IsContiguous() {
		return t.RawData()
	}
	return t.copyData()
}

// scalarOp computes t op s (or s op t with sFirst) into a new tensor, with
// no graph.
func scalarOp(t *Tensor, op binaryOp, s float32, sFirst bool) *Tensor {
	out := newTensorRaw(t.shape)
	sv := view{data: []float32{s}}
	if len(t.shape) <= len(zeroStrides) {
		sv.strides = zeroStrides[:len(t.shape)]
	} else {
		sv.strides = make([]int, len(t.shape))
	}
	if out.Numel() >= 1<<16 {
		CheckInterrupt()
	}
	if sFirst {
		be.binary(op, out.data, t.shape, sv, t.viewAt(t.shape))
	} else {
		be.binary(op, out.data, t.shape, t.viewAt(t.shape), sv)
	}
	return out
}

// Neg returns -t.
func Neg(t *Tensor) *Tensor {
	if t.dtype != Float32 {
		return negDtype(t)
	}
	return MulScalar(t, -1)
}

// AddScalar returns t + s.
func AddScalar(t *Tensor, s float32) *Tensor {
	if t.dtype != Float32 {
		return scalarArith(opAdd, t, float64(s))
	}
	out := scalarOp(t, opAdd, s, false)
	return Record("AddScalar", out, []*Tensor{t}, func(g *Tensor) []*Tensor { return []*Tensor{g} })
}

// MulScalar returns t * s.
func MulScalar(t *Tensor, s float32) *Tensor {
	if t.dtype != Float32 {
		return scalarArith(opMul, t, float64(s))
	}
	out := scalarOp(t, opMul, s, false)
	return Record("MulScalar", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		return []*Tensor{scalarOp(g, opMul, s, false)}
	})
}

// RSubScalar returns s - t.
func RSubScalar(s float32, t *Tensor) *Tensor {
	if t.dtype != Float32 {
		return AddScalar(Neg(t), s)
	}
	out := scalarOp(t, opSub, s, true)
	return Record("RSubScalar", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		return []*Tensor{scalarOp(g, opMul, -1, false)}
	})
}

// Pow returns t raised to the power p elementwise.
func Pow(t *Tensor, p float32) *Tensor {
	if t.dtype != Float32 {
		return powDtype(t, p)
	}
	return elementwise("Pow", t, opPow, opParams{a: p}, true, false)
}

// elementwise is an op whose derivative the backend computes from the
// input x (needX) and/or the output y (needY). Int64 and Bool inputs are
// converted to Float32 first.
func elementwise(name string, t *Tensor, op unaryOp, p opParams, needX, needY bool) *Tensor {
	t = asFloat(t)
	out := unaryMap(t, op, p)
	return Record(name, out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		var x, y []float32
		if needX {
			x = t.contiguousData()
		}
		if needY {
			y = out.RawData()
		}
		r := newTensorRaw(t.shape)
		be.unaryGrad(op, p, r.data, g.contiguousData(), x, y)
		return []*Tensor{r}
	})
}

// Exp returns e^t elementwise.
func Exp(t *Tensor) *Tensor { return elementwise("Exp", t, opExp, opParams{}, false, true) }

// Log returns the natural logarithm elementwise.
func Log(t *Tensor) *Tensor { return elementwise("Log", t, opLog, opParams{}, true, false) }

// Sqrt returns the square root elementwise.
func Sqrt(t *Tensor) *Tensor { return elementwise("Sqrt", t, opSqrt, opParams{}, false, true) }

// Abs returns |t| elementwise (gradient 0 at 0, as PyTorch).
func Abs(t *Tensor) *Tensor {
	if t.dtype != Float32 {
		return absDtype(t)
	}
	return elementwise("Abs", t, opAbs, opParams{}, true, false)
}

// Sin returns sin(t) elementwise.
func Sin(t *Tensor) *Tensor { return elementwise("Sin", t, opSin, opParams{}, true, false) }

// Cos returns cos(t) elementwise.
func Cos(t *Tensor) *Tensor { return elementwise("Cos", t, opCos, opParams{}, true, false) }

// Clamp limits t to [lo, hi]; the gradient is 1 inside and 0 outside.
func Clamp(t *Tensor, lo, hi float32) *Tensor {
	if t.dtype != Float32 {
		return clampDtype(t, lo, hi)
	}
	return elementwise("Clamp", t, opClamp, opParams{a: lo, b: hi}, true, false)
}

// Method spellings of the functions above.

// Add is Add(t, o).
func (t *Tensor) Add(o *Tensor) *Tensor { return Add(t, o) }

// Sub is Sub(t, o).
func (t *Tensor) Sub(o *Tensor) *Tensor { return Sub(t, o) }

// Mul is Mul(t, o).
func (t *Tensor) Mul(o *Tensor) *Tensor { return Mul(t, o) }

// Div is Div(t, o).
func (t *Tensor) Div(o *Tensor) *Tensor { return Div(t, o) }

// Neg is Neg(t).
func (t *Tensor) Neg() *Tensor { return Neg(t) }

// Pow is Pow(t, p).
func (t *Tensor) Pow(p float32) *Tensor { return Pow(t, p) }

// AddScalar is AddScalar(t, s).
func (t *Tensor) AddScalar(s float32) *Tensor { return AddScalar(t, s) }

// SubScalar is AddScalar(t, -s).
func (t *Tensor) SubScalar(s float32) *Tensor {
	if t.dtype != Float32 {
		return scalarArith(opSub, t, float64(s))
	}
	return AddScalar(t, -s)
}

// MulScalar is MulScalar(t, s).
func (t *Tensor) MulScalar(s float32) *Tensor { return MulScalar(t, s) }

// DivScalar returns t / s (a true division, as PyTorch, not t·(1/s)).
func (t *Tensor) DivScalar(s float32) *Tensor {
	t = asFloat(t)
	out := scalarOp(t, opDiv, s, false)
	return Record("DivScalar", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		return []*Tensor{scalarOp(g, opDiv, s, false)}
	})
}

// Exp is Exp(t).
func (t *Tensor) Exp() *Tensor { return Exp(t) }

// Log is Log(t).
func (t *Tensor) Log() *Tensor { return Log(t) }

// Sqrt is Sqrt(t).
func (t *Tensor) Sqrt() *Tensor { return Sqrt(t) }

// Abs is Abs(t).
func (t *Tensor) Abs() *Tensor { return Abs(t) }

// Clamp is Clamp(t, lo, hi).
func (t *Tensor) Clamp(lo, hi float32) *Tensor { return Clamp(t, lo, hi) }

// Maximum is Maximum(t, o).
func (t *Tensor) Maximum(o *Tensor) *Tensor { return Maximum(t, o) }

// Minimum is Minimum(t, o).
func (t *Tensor) Minimum(o *Tensor) *Tensor { return Minimum(t, o) }

// Sigmoid is Sigmoid(t).
func (t *Tensor) Sigmoid() *Tensor { return Sigmoid(t) }

// Tanh is Tanh(t).
func (t *Tensor) Tanh() *Tensor { return Tanh(t) }

// ReLU is ReLU(t).
func (t *Tensor) ReLU() *Tensor { return ReLU(t) }

// Softmax is Softmax(t, dim).
func (t *Tensor) Softmax(dim int) *Tensor { return Softmax(t, dim) }

// LogSoftmax is LogSoftmax(t, dim).
func (t *Tensor) LogSoftmax(dim int) *Tensor { return LogSoftmax(t, dim) }

// MatMul is MatMul(t, o).
func (t *Tensor) MatMul(o *Tensor) *Tensor { return MatMul(t, o) }

// addInto adds src (broadcast to dst's shape) into the contiguous dst in
// place; used for gradient accumulation.
func addInto(dst, src *Tensor) {
	if dst.IsContiguous() && src.IsContiguous() && sameShape(dst.shape, src.shape) {
		be.accumulate(dst.RawData(), src.RawData()) // the common case
		return
	}
	binaryInto(dst, dst, src, opAdd)
}

// addNoGrad returns a + b without recording.
func addNoGrad(a, b *Tensor) *Tensor { return binary("Add", a, b, opAdd) }

// Where picks a where cond is true (a Bool mask, or nonzero) and b
// elsewhere, with broadcasting; cond gets no gradient.
func Where(cond, a, b *Tensor) *Tensor {
	if cond.dtype|a.dtype|b.dtype != Float32 {
		return whereDtype(cond, a, b)
	}
	shape := broadcastShapes("Where", broadcastShapes("Where", cond.shape, a.shape), b.shape)
	c := cond.Detach().Expand(shape...).Contiguous()
	av, bv := a.Detach().Expand(shape...).Contiguous(), b.Detach().Expand(shape...).Contiguous()
	out := newTensorRaw(shape)
	cd, ad, bd := c.RawData(), av.RawData(), bv.RawData()
	for i := range out.data {
		if cd[i] != 0 {
			out.data[i] = ad[i]
		} else {
			out.data[i] = bd[i]
		}
	}
	return Record("Where", out, []*Tensor{a, b}, func(g *Tensor) []*Tensor {
		gd := g.contiguousData()
		ga, gb := newTensorRaw(shape), newTensorRaw(shape)
		for i, v := range gd {
			if cd[i] != 0 {
				ga.data[i], gb.data[i] = v, 0
			} else {
				ga.data[i], gb.data[i] = 0, v
			}
		}
		return []*Tensor{ga, gb}
	})
}
