package dl

import (
	"math"

	"github.com/godl-dev/godl/dl/internal/kernels"
	"github.com/godl-dev/godl/dl/internal/mathf"
)

// Hot binary kernels are written out so the compiler sees plain loops.
var (
	addK = &binKernel{
		vv: func(d, a, b []float32) {
			b, d = b[:len(a)], d[:len(a)]
			for i, x := range a {
				d[i] = x + b[i]
			}
		},
		vs: func(d, a []float32, s float32) {
			d = d[:len(a)]
			for i, x := range a {
				d[i] = x + s
			}
		},
		sv: func(d []float32, s float32, b []float32) {
			d = d[:len(b)]
			for i, x := range b {
				d[i] = s + x
			}
		},
	}
	subK = &binKernel{
		vv: func(d, a, b []float32) {
			b, d = b[:len(a)], d[:len(a)]
			for i, x := range a {
				d[i] = x - b[i]
			}
		},
		vs: func(d, a []float32, s float32) {
			d = d[:len(a)]
			for i, x := range a {
				d[i] = x - s
			}
		},
		sv: func(d []float32, s float32, b []float32) {
			d = d[:len(b)]
			for i, x := range b {
				d[i] = s - x
			}
		},
	}
	mulK = &binKernel{
		vv: func(d, a, b []float32) {
			b, d = b[:len(a)], d[:len(a)]
			for i, x := range a {
				d[i] = x * b[i]
			}
		},
		vs: func(d, a []float32, s float32) {
			d = d[:len(a)]
			for i, x := range a {
				d[i] = x * s
			}
		},
		sv: func(d []float32, s float32, b []float32) {
			d = d[:len(b)]
			for i, x := range b {
				d[i] = s * x
			}
		},
	}
	divK = kernelOf(func(a, b float32) float32 { return a / b })
)

// Add returns a + b with broadcasting.
func Add(a, b *Tensor) *Tensor {
	if a.dtype|b.dtype != Float32 {
		return arith(opAdd, a, b)
	}
	out := binary("Add", a, b, addK)
	return Record("Add", out, []*Tensor{a, b}, func(g *Tensor) []*Tensor { return []*Tensor{g, g} })
}

// Sub returns a - b with broadcasting.
func Sub(a, b *Tensor) *Tensor {
	if a.dtype|b.dtype != Float32 {
		return arith(opSub, a, b)
	}
	out := binary("Sub", a, b, subK)
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
	out := binary("Mul", a, b, mulK)
	return Record("Mul", out, []*Tensor{a, b}, func(g *Tensor) []*Tensor {
		var ga, gb *Tensor
		if a.TracksGrad() {
			ga = binary("Mul", g, b, mulK)
		}
		if b.TracksGrad() {
			gb = binary("Mul", g, a, mulK)
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
	out := binary("Div", a, b, divK)
	return Record("Div", out, []*Tensor{a, b}, func(g *Tensor) []*Tensor {
		var ga, gb *Tensor
		if a.TracksGrad() {
			ga = binary("Div", g, b, divK)
		}
		if b.TracksGrad() {
			// d(a/b)/db = -a/b² = -out/b
			gb = Neg(binary("Div", binary("Mul", g, out.Detach(), mulK), b, divK))
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

// unaryMap applies f to every element of t into a new contiguous tensor,
// with no graph.
func unaryMap(t *Tensor, f func(dst, src []float32)) *Tensor {
	src := t.contiguousData()
	out := newTensorRaw(t.shape) // f writes every element
	if len(src) >= 1<<16 {
		CheckInterrupt()
	}
	parallelMap(out.data, src, f)
	return out
}

// contiguousData returns the elements in row-major order, without copying
// when t is already contiguous. The result must not be written.
func (t *Tensor) contiguousData() []float32 {
	if t.IsContiguous() {
		return t.RawData()
	}
	return t.Data()
}

// mapF is a per-element unary map for the ops that are not hot.
func mapF(f func(float64) float64) func(dst, src []float32) {
	return func(dst, src []float32) {
		for i, x := range src {
			dst[i] = float32(f(float64(x)))
		}
	}
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
	out := unaryMap(t, func(d, a []float32) { addK.vs(d, a, s) })
	return Record("AddScalar", out, []*Tensor{t}, func(g *Tensor) []*Tensor { return []*Tensor{g} })
}

// MulScalar returns t * s.
func MulScalar(t *Tensor, s float32) *Tensor {
	if t.dtype != Float32 {
		return scalarArith(opMul, t, float64(s))
	}
	out := unaryMap(t, func(d, a []float32) { mulK.vs(d, a, s) })
	return Record("MulScalar", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		return []*Tensor{unaryMap(g, func(d, a []float32) { mulK.vs(d, a, s) })}
	})
}

// RSubScalar returns s - t.
func RSubScalar(s float32, t *Tensor) *Tensor { return AddScalar(Neg(t), s) }

// Pow returns t raised to the power p elementwise.
func Pow(t *Tensor, p float32) *Tensor {
	if t.dtype != Float32 {
		return powDtype(t, p)
	}
	var f func(d, a []float32)
	switch p {
	case 2:
		f = func(d, a []float32) {
			for i, x := range a {
				d[i] = x * x
			}
		}
	case 1:
		f = func(d, a []float32) { copy(d, a) }
	default:
		f = mapF(func(x float64) float64 { return math.Pow(x, float64(p)) })
	}
	out := unaryMap(t, f)
	return Record("Pow", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		// d/dx x^p = p x^(p-1)
		dx := unaryMap(t, mapF(func(x float64) float64 {
			if p == 0 {
				return 0
			}
			return float64(p) * math.Pow(x, float64(p)-1)
		}))
		return []*Tensor{binary("Pow", g, dx, mulK)}
	})
}

// unaryOp is an elementwise op whose derivative is computed from the input
// x and the output y: dy/dx = deriv(x, y).
func unaryOp(name string, t *Tensor, f func(float64) float64, deriv func(x, y float64) float64) *Tensor {
	t = asFloat(t)
	out := unaryMap(t, mapF(f))
	return Record(name, out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		gd, xd, yd := g.contiguousData(), t.contiguousData(), out.RawData()
		r := newTensorRaw(t.shape)
		for i := range r.data {
			r.data[i] = gd[i] * float32(deriv(float64(xd[i]), float64(yd[i])))
		}
		return []*Tensor{r}
	})
}

// Exp returns e^t elementwise.
func Exp(t *Tensor) *Tensor {
	t = asFloat(t)
	out := unaryMap(t, func(d, a []float32) {
		for i, x := range a {
			d[i] = mathf.Exp(x)
		}
	})
	return Record("Exp", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		return []*Tensor{binary("Exp", g, out, mulK)}
	})
}

// Log returns the natural logarithm elementwise.
func Log(t *Tensor) *Tensor {
	return unaryOp("Log", t, math.Log, func(x, _ float64) float64 { return 1 / x })
}

// Sqrt returns the square root elementwise.
func Sqrt(t *Tensor) *Tensor {
	return unaryOp("Sqrt", t, math.Sqrt, func(_, y float64) float64 { return 0.5 / y })
}

// Abs returns |t| elementwise (gradient 0 at 0, as PyTorch).
func Abs(t *Tensor) *Tensor {
	if t.dtype != Float32 {
		return absDtype(t)
	}
	return unaryOp("Abs", t, math.Abs, func(x, _ float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	})
}

// Sin returns sin(t) elementwise.
func Sin(t *Tensor) *Tensor {
	return unaryOp("Sin", t, math.Sin, func(x, _ float64) float64 { return math.Cos(x) })
}

// Cos returns cos(t) elementwise.
func Cos(t *Tensor) *Tensor {
	return unaryOp("Cos", t, math.Cos, func(x, _ float64) float64 { return -math.Sin(x) })
}

// Clamp limits t to [lo, hi]; the gradient is 1 inside and 0 outside.
func Clamp(t *Tensor, lo, hi float32) *Tensor {
	if t.dtype != Float32 {
		return clampDtype(t, lo, hi)
	}
	l, h := float64(lo), float64(hi)
	return unaryOp("Clamp", t, func(x float64) float64 { return math.Min(math.Max(x, l), h) },
		func(x, _ float64) float64 {
			if x < l || x > h {
				return 0
			}
			return 1
		})
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
	div := func(d, a []float32) {
		for i, x := range a {
			d[i] = x / s
		}
	}
	out := unaryMap(t, div)
	return Record("DivScalar", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		return []*Tensor{unaryMap(g, div)}
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
		// Gradient accumulation, the common case: one vectorised pass.
		kernels.Saxpy(1, src.RawData(), dst.RawData())
		return
	}
	binaryInto(dst, dst, src, addK)
}

// addNoGrad returns a + b without recording.
func addNoGrad(a, b *Tensor) *Tensor { return binary("Add", a, b, addK) }

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
