package dl

import (
	"math"

	"github.com/godl-dev/godl/dl/internal/mathf"
)

// Activations. The hot ones (ReLU, Sigmoid, Tanh, Softmax, LogSoftmax) have
// direct loops for forward and backward.

// ReLU returns max(t, 0).
func ReLU(t *Tensor) *Tensor {
	if t.dtype != Float32 {
		return reluDtype(t)
	}
	out := unaryMap(t, func(d, a []float32) {
		d = d[:len(a)]
		for i, x := range a {
			if x > 0 {
				d[i] = x
			} else {
				d[i] = 0
			}
		}
	})
	return Record("ReLU", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		r := newTensorRaw(t.shape)
		gd, y := g.contiguousData(), out.RawData()
		parallelFor(len(y), func(lo, hi int) {
			gd, rd := gd[lo:hi], r.data[lo:hi]
			for i, v := range y[lo:hi] {
				if v > 0 {
					rd[i] = gd[i]
				} else {
					rd[i] = 0
				}
			}
		})
		return []*Tensor{r}
	})
}

// LeakyReLU returns t where t > 0, else slope*t.
func LeakyReLU(t *Tensor, slope float32) *Tensor {
	t = asFloat(t)
	out := unaryMap(t, func(d, a []float32) {
		for i, x := range a {
			if x > 0 {
				d[i] = x
			} else {
				d[i] = slope * x
			}
		}
	})
	return Record("LeakyReLU", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		r := newTensorRaw(t.shape)
		gd, x := g.contiguousData(), t.contiguousData()
		for i, v := range x {
			if v > 0 {
				r.data[i] = gd[i]
			} else {
				r.data[i] = slope * gd[i]
			}
		}
		return []*Tensor{r}
	})
}

// Sigmoid returns 1/(1+e^-t).
func Sigmoid(t *Tensor) *Tensor {
	t = asFloat(t)
	out := unaryMap(t, func(d, a []float32) {
		for i, x := range a {
			d[i] = mathf.Sigmoid(x)
		}
	})
	return Record("Sigmoid", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		r := newTensorRaw(t.shape)
		gd, y := g.contiguousData(), out.RawData()
		parallelFor(len(y), func(lo, hi int) {
			gd, rd := gd[lo:hi], r.data[lo:hi]
			for i, v := range y[lo:hi] {
				rd[i] = gd[i] * v * (1 - v)
			}
		})
		return []*Tensor{r}
	})
}

// Tanh returns the hyperbolic tangent.
func Tanh(t *Tensor) *Tensor {
	t = asFloat(t)
	out := unaryMap(t, func(d, a []float32) {
		for i, x := range a {
			d[i] = mathf.Tanh(x)
		}
	})
	return Record("Tanh", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		r := newTensorRaw(t.shape)
		gd, y := g.contiguousData(), out.RawData()
		parallelFor(len(y), func(lo, hi int) {
			gd, rd := gd[lo:hi], r.data[lo:hi]
			for i, v := range y[lo:hi] {
				rd[i] = gd[i] * (1 - v*v)
			}
		})
		return []*Tensor{r}
	})
}

// GELU is the exact form x·Φ(x) = x/2·(1 + erf(x/√2)), PyTorch's default.
func GELU(t *Tensor) *Tensor {
	return unaryOp("GELU", t,
		func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) },
		func(x, _ float64) float64 {
			cdf := 0.5 * (1 + math.Erf(x/math.Sqrt2))
			pdf := math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi)
			return cdf + x*pdf
		})
}

// SiLU (swish) returns x·sigmoid(x).
func SiLU(t *Tensor) *Tensor {
	return unaryOp("SiLU", t,
		func(x float64) float64 { return x / (1 + math.Exp(-x)) },
		func(x, _ float64) float64 {
			s := 1 / (1 + math.Exp(-x))
			return s * (1 + x*(1-s))
		})
}

// ELU returns x for x > 0, else alpha·(e^x − 1).
func ELU(t *Tensor, alpha float32) *Tensor {
	a := float64(alpha)
	return unaryOp("ELU", t,
		func(x float64) float64 {
			if x > 0 {
				return x
			}
			return a * math.Expm1(x)
		},
		func(x, _ float64) float64 {
			if x > 0 {
				return 1
			}
			return a * math.Exp(x)
		})
}

// Softplus returns log(1 + e^x), computed without overflow.
func Softplus(t *Tensor) *Tensor {
	return unaryOp("Softplus", t,
		func(x float64) float64 {
			if x > 20 { // PyTorch's threshold: linear beyond it
				return x
			}
			return math.Log1p(math.Exp(x))
		},
		func(x, _ float64) float64 {
			if x > 20 {
				return 1
			}
			return 1 / (1 + math.Exp(-x))
		})
}

// softmaxLayout splits t around dim: there are outer*inner "rows" of r
// elements each, at stride inner (t taken as contiguous).
func softmaxLayout(t *Tensor, dim int) (outer, r, inner int) {
	outer, r, inner = 1, t.shape[dim], 1
	for i, d := range t.shape {
		if i < dim {
			outer *= d
		} else if i > dim {
			inner *= d
		}
	}
	return
}

// Softmax returns e^x / Σ e^x along dim, shifted by the row maximum so that
// large inputs do not overflow.
func Softmax(t *Tensor, dim int) *Tensor {
	return softmax("Softmax", t, dim, false)
}

// LogSoftmax returns x − log Σ e^x along dim, computed stably.
func LogSoftmax(t *Tensor, dim int) *Tensor {
	return softmax("LogSoftmax", t, dim, true)
}

func softmax(name string, t *Tensor, dim int, logOut bool) *Tensor {
	t = asFloat(t)
	if t.Dim() == 0 {
		return softmax(name, t.Reshape(1), 0, logOut).Reshape()
	}
	dim = t.normDim(name, dim)
	outer, r, inner := softmaxLayout(t, dim)
	x := t.contiguousData()
	out := newTensorRaw(t.shape)
	y := out.data
	if len(x) >= 1<<16 {
		CheckInterrupt()
	}
	for o := range outer {
		for in := range inner {
			base := o*r*inner + in
			m := float32(math.Inf(-1))
			for k := range r {
				if v := x[base+k*inner]; v > m {
					m = v
				}
			}
			var s float64
			for k := range r {
				e := mathf.Exp(x[base+k*inner] - m)
				if !logOut {
					y[base+k*inner] = e
				}
				s += float64(e)
			}
			if logOut {
				ls := float32(math.Log(s)) + m
				for k := range r {
					y[base+k*inner] = x[base+k*inner] - ls
				}
			} else {
				inv := float32(1 / s)
				for k := range r {
					y[base+k*inner] *= inv
				}
			}
		}
	}
	return Record(name, out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		gd := g.contiguousData()
		res := newTensorRaw(t.shape)
		gx := res.data
		for o := range outer {
			for in := range inner {
				base := o*r*inner + in
				var s float64
				if logOut {
					// dx = g − softmax · Σg
					for k := range r {
						s += float64(gd[base+k*inner])
					}
					for k := range r {
						p := mathf.Exp(y[base+k*inner])
						gx[base+k*inner] = gd[base+k*inner] - p*float32(s)
					}
				} else {
					// dx = y · (g − Σ g·y)
					for k := range r {
						s += float64(gd[base+k*inner]) * float64(y[base+k*inner])
					}
					for k := range r {
						gx[base+k*inner] = y[base+k*inner] * (gd[base+k*inner] - float32(s))
					}
				}
			}
		}
		return []*Tensor{res}
	})
}

// GELU is GELU(t).
func (t *Tensor) GELU() *Tensor { return GELU(t) }
