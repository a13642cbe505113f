package dl

// Activations. The hot ones (ReLU, Sigmoid, Tanh, Softmax, LogSoftmax) have
// direct loops for forward and backward.

// ReLU returns max(t, 0); NaN stays NaN, as in PyTorch.
func ReLU(t *Tensor) *Tensor {
	if t.dtype != Float32 {
		return reluDtype(t)
	}
	return elementwise("ReLU", t, opReLU, opParams{}, false, true)
}

// LeakyReLU returns t where t > 0, else slope*t.
func LeakyReLU(t *Tensor, slope float32) *Tensor {
	return elementwise("LeakyReLU", t, opLeakyReLU, opParams{a: slope}, true, false)
}

// Sigmoid returns 1/(1+e^-t).
func Sigmoid(t *Tensor) *Tensor { return elementwise("Sigmoid", t, opSigmoid, opParams{}, false, true) }

// Tanh returns the hyperbolic tangent.
func Tanh(t *Tensor) *Tensor { return elementwise("Tanh", t, opTanh, opParams{}, false, true) }

// GELU is the exact form x·Φ(x) = x/2·(1 + erf(x/√2)), PyTorch's default.
func GELU(t *Tensor) *Tensor { return elementwise("GELU", t, opGELU, opParams{}, true, false) }

// SiLU (swish) returns x·sigmoid(x).
func SiLU(t *Tensor) *Tensor { return elementwise("SiLU", t, opSiLU, opParams{}, true, false) }

// ELU returns x for x > 0, else alpha·(e^x − 1).
func ELU(t *Tensor, alpha float32) *Tensor {
	return elementwise("ELU", t, opELU, opParams{a: alpha}, true, false)
}

// Softplus returns log(1 + e^x), computed without overflow.
func Softplus(t *Tensor) *Tensor {
	return elementwise("Softplus", t, opSoftplus, opParams{}, true, false)
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
	if len(x) >= 1<<16 {
		CheckInterrupt()
	}
	be.softmax(out.data, x, outer, r, inner, logOut)
	return Record(name, out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		res := newTensorRaw(t.shape)
		be.softmaxGrad(res.data, g.contiguousData(), out.data, outer, r, inner, logOut)
		return []*Tensor{res}
	})
}

// GELU is GELU(t).
func (t *Tensor) GELU() *Tensor { return GELU(t) }
