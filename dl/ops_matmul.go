package dl

import "github.com/godl-dev/godl/dl/internal/kernels"

// MatMul multiplies matrices as torch.matmul: 2-D × 2-D; batched, with the
// leading dimensions broadcast ([B m k] × [B k n], [B m k] × [k n]); a 1-D
// operand is a row (left) or column (right) vector and its dimension is
// dropped from the result. Transposed views are passed to the GEMM as they
// are, without a copy.
func MatMul(a, b *Tensor) *Tensor {
	a, b = asFloat(a), asFloat(b)
	if a.Dim() == 0 || b.Dim() == 0 {
		Panicf("MatMul", "%v x %v: both arguments need at least 1 dimension", a.shape, b.shape)
	}
	switch {
	case a.Dim() == 1 && b.Dim() == 1:
		return matmul(a.Unsqueeze(0), b.Unsqueeze(1), a.shape, b.shape).Reshape()
	case a.Dim() == 1:
		return matmul(a.Unsqueeze(0), b, a.shape, b.shape).Squeeze(-2)
	case b.Dim() == 1:
		return matmul(a, b.Unsqueeze(1), a.shape, b.shape).Squeeze(-1)
	}
	// [... m k] × [k n] with a contiguous is one large GEMM.
	if b.Dim() == 2 && a.Dim() > 2 && a.IsContiguous() && a.shape[a.Dim()-1] == b.shape[0] {
		lead := a.shape[:a.Dim()-1]
		out := matmul(a.Reshape(-1, a.shape[a.Dim()-1]), b, a.shape, b.shape)
		return out.Reshape(append(append([]int(nil), lead...), b.shape[1])...)
	}
	return matmul(a, b, a.shape, b.shape)
}

// matLayout tells how a rows×cols matrix with strides rs, cs can be read by
// the GEMM: row-major with leading dimension ld, or transposed (column-major)
// with leading dimension ld. ok is false when neither holds.
func matLayout(rows, cols, rs, cs int) (trans bool, ld int, ok bool) {
	if (cols <= 1 || cs == 1) && (rows <= 1 || rs >= max(cols, 1)) {
		if rows <= 1 {
			return false, max(cols, 1), true
		}
		return false, rs, true
	}
	if (rows <= 1 || rs == 1) && (cols <= 1 || cs >= max(rows, 1)) {
		if cols <= 1 {
			return true, max(rows, 1), true
		}
		return true, cs, true
	}
	return false, 0, false
}

// matmul multiplies tensors of at least 2 dimensions; sa and sb are the
// shapes the user passed, for error messages.
func matmul(a, b *Tensor, sa, sb []int) *Tensor {
	na, nb := a.Dim(), b.Dim()
	k, k2 := a.shape[na-1], b.shape[nb-2]
	if k != k2 {
		Panicf("MatMul", "%v x %v: inner dimensions %d and %d differ", sa, sb, sa[len(sa)-1], k2)
	}
	out := matmulNoGrad(a, b)
	return Record("MatMul", out, []*Tensor{a, b}, func(g *Tensor) []*Tensor {
		// dA = g·Bᵀ and dB = Aᵀ·g. When an operand is itself a transposed
		// view (x·Wᵀ in a linear layer), its gradient is computed transposed
		// so that it lands contiguous in the layout of the underlying
		// tensor: (Aᵀ·g)ᵀ = gᵀ·A.
		var ga, gb *Tensor
		if a.TracksGrad() {
			if isTransposed(a) {
				ga = matmulNoGrad(b, g.Transpose(-1, -2)).Transpose(-1, -2)
			} else {
				ga = matmulNoGrad(g, b.Transpose(-1, -2))
			}
		}
		if b.TracksGrad() {
			if isTransposed(b) {
				gb = matmulNoGrad(g.Transpose(-1, -2), a).Transpose(-1, -2)
			} else {
				gb = matmulNoGrad(a.Transpose(-1, -2), g)
			}
		}
		return []*Tensor{ga, gb}
	})
}

// isTransposed reports whether the last two dimensions of t are stored
// column-major (t is a transposed view).
func isTransposed(t *Tensor) bool {
	n := t.Dim()
	rows, cols := t.shape[n-2], t.shape[n-1]
	trans, _, ok := matLayout(rows, cols, t.strides[n-2], t.strides[n-1])
	return ok && trans && rows > 1 && cols > 1
}

// matmulNoGrad computes the (batched, broadcast) product with kernels.Sgemm.
func matmulNoGrad(a, b *Tensor) *Tensor {
	na, nb := a.Dim(), b.Dim()
	m, k := a.shape[na-2], a.shape[na-1]
	n := b.shape[nb-1]
	ta, lda, ok := matLayout(m, k, a.strides[na-2], a.strides[na-1])
	if !ok {
		a = fromData(a.copyData(), a.shape)
		ta, lda, _ = matLayout(m, k, a.strides[na-2], a.strides[na-1])
	}
	tb, ldb, ok := matLayout(k, n, b.strides[nb-2], b.strides[nb-1])
	if !ok {
		b = fromData(b.copyData(), b.shape)
		tb, ldb, _ = matLayout(k, n, b.strides[nb-2], b.strides[nb-1])
	}
	batch := broadcastShapes("MatMul", a.shape[:na-2], b.shape[:nb-2])
	shape := append(append([]int(nil), batch...), m, n)
	if m == 0 || n == 0 || k == 0 {
		return newTensor(shape)
	}
	out := newTensorRaw(shape) // beta = 0: Sgemm writes every element
	CheckInterrupt()
	bsa := broadcastStrides(a.shape[:na-2], a.strides[:na-2], batch)
	bsb := broadcastStrides(b.shape[:nb-2], b.strides[:nb-2], batch)
	idx := make([]int, len(batch))
	pa, pb := a.offset, b.offset
	for bi := range numel(batch) {
		kernels.Sgemm(ta, tb, m, n, k, 1, a.data[pa:], lda, b.data[pb:], ldb, 0, out.data[bi*m*n:(bi+1)*m*n], n)
		for d := len(batch) - 1; d >= 0; d-- {
			idx[d]++
			pa += bsa[d]
			pb += bsb[d]
			if idx[d] < batch[d] {
				break
			}
			pa -= bsa[d] * batch[d]
			pb -= bsb[d] * batch[d]
			idx[d] = 0
		}
	}
	return out
}
