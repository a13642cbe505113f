package dl

import "github.com/godl-dev/godl/dl/internal/kernels"

// Binary ops with broadcasting on the CPU. Shapes are coalesced first, so
// the common patterns become one flat loop (equal shapes, a scalar) or
// rows of one (a bias row added to every row of a batch), and the rows are
// spread over threads.

// rowKernels is the inner loop of a binary op in its three row forms:
// vector-vector, vector-scalar and scalar-vector.
type rowKernels struct {
	vv func(dst, a, b []float32)
	vs func(dst, a []float32, s float32)
	sv func(dst []float32, s float32, b []float32)
}

var binaryKernels = [...]rowKernels{
	opAdd: {kernels.Add, kernels.AddScalar, func(d []float32, s float32, b []float32) { kernels.AddScalar(d, b, s) }},
	opSub: {kernels.Sub, func(d, a []float32, s float32) { kernels.AddScalar(d, a, -s) }, kernels.ScalarSub},
	opMul: {kernels.Mul, kernels.MulScalar, func(d []float32, s float32, b []float32) { kernels.MulScalar(d, b, s) }},
	opDiv: {kernels.Div, kernels.DivScalar, kernels.ScalarDiv},
}

func (cpu) binary(op binaryOp, dst []float32, shape []int, a, b view) {
	n := len(dst)
	if n == 0 {
		return
	}
	k := binaryKernels[op]
	// The common cases, found without allocating (small ops are mostly
	// this bookkeeping): equal contiguous layouts, or one side a scalar.
	ac, bc := contiguousIn(a.strides, shape), contiguousIn(b.strides, shape)
	ad, bd := a.data[a.off:], b.data[b.off:]
	switch {
	case ac && bc:
		if serial(n, grainStream) {
			k.vv(dst, ad, bd)
			return
		}
		kernels.For(n, grainStream, func(lo, hi int) { k.vv(dst[lo:hi], ad[lo:hi], bd[lo:hi]) })
		return
	case ac && zeroIn(b.strides, shape):
		if serial(n, grainStream) {
			k.vs(dst, ad, bd[0])
			return
		}
		kernels.For(n, grainStream, func(lo, hi int) { k.vs(dst[lo:hi], ad[lo:hi], bd[0]) })
		return
	case bc && zeroIn(a.strides, shape):
		if serial(n, grainStream) {
			k.sv(dst, ad[0], bd)
			return
		}
		kernels.For(n, grainStream, func(lo, hi int) { k.sv(dst[lo:hi], ad[0], bd[lo:hi]) })
		return
	}
	sh, st := coalesce(shape, contiguousStrides(shape), a.strides, b.strides)
	if len(sh) == 0 { // every dimension was 1
		k.vv(dst, a.data[a.off:a.off+1], b.data[b.off:b.off+1])
		return
	}
	sa, sb := st[1], st[2]
	d := len(sh) - 1
	inner, ia, ib := sh[d], sa[d], sb[d]
	if d == 0 && ia <= 1 && ib <= 1 { // one flat loop
		kernels.For(n, grainStream, func(lo, hi int) {
			switch {
			case ia == 1 && ib == 1:
				k.vv(dst[lo:hi], a.data[a.off+lo:a.off+hi], b.data[b.off+lo:b.off+hi])
			case ia == 1:
				k.vs(dst[lo:hi], a.data[a.off+lo:a.off+hi], b.data[b.off])
			case ib == 1:
				k.sv(dst[lo:hi], a.data[a.off], b.data[b.off+lo:b.off+hi])
			default:
				k.vv(dst[lo:lo+1], a.data[a.off:a.off+1], b.data[b.off:b.off+1])
				for i := lo + 1; i < hi; i++ {
					dst[i] = dst[lo]
				}
			}
		})
		return
	}
	rows := n / inner
	if serial(n, grainStream) {
		binaryRows(k, dst, sh, sa, sb, a, b, 0, rows)
		return
	}
	kernels.For(rows, rowsGrain(grainStream, inner), func(r0, r1 int) {
		binaryRows(k, dst, sh, sa, sb, a, b, r0, r1)
	})
}

// binaryRows computes rows [r0, r1) of a coalesced broadcast: row r is
// dst[r·inner:(r+1)·inner], read from a and b at the offsets the outer
// dimensions give.
func binaryRows(k rowKernels, dst []float32, sh, sa, sb []int, a, b view, r0, r1 int) {
	d := len(sh) - 1
	inner, ia, ib := sh[d], sa[d], sb[d]
	// the outer index of row r0, and the offsets it gives
	idx := make([]int, d)
	pa, pb := a.off, b.off
	for j, r := d-1, r0; j >= 0; j-- {
		idx[j] = r % sh[j]
		r /= sh[j]
		pa += idx[j] * sa[j]
		pb += idx[j] * sb[j]
	}
	var ta, tb []float32 // gathered rows when an inner stride is not 0 or 1
	for r := r0; r < r1; r++ {
		var ra, rb []float32
		if ia > 1 {
			ta = gather(ta, a.data, pa, ia, inner)
			ra = ta
		} else if ia == 1 {
			ra = a.data[pa : pa+inner]
		}
		if ib > 1 {
			tb = gather(tb, b.data, pb, ib, inner)
			rb = tb
		} else if ib == 1 {
			rb = b.data[pb : pb+inner]
		}
		out := dst[r*inner : (r+1)*inner]
		switch {
		case ia == 0 && ib == 0:
			k.vv(out[:1], a.data[pa:pa+1], b.data[pb:pb+1])
			for i := 1; i < len(out); i++ {
				out[i] = out[0]
			}
		case ib == 0:
			k.vs(out, ra, b.data[pb])
		case ia == 0:
			k.sv(out, a.data[pa], rb)
		default:
			k.vv(out, ra, rb)
		}
		for j := d - 1; j >= 0; j-- {
			idx[j]++
			pa += sa[j]
			pb += sb[j]
			if idx[j] < sh[j] {
				break
			}
			pa -= sa[j] * sh[j]
			pb -= sb[j] * sh[j]
			idx[j] = 0
		}
	}
}

// contiguousIn reports whether strides walk shape in row-major order
// without gaps (dimensions of size 1 may have any stride).
func contiguousIn(strides, shape []int) bool {
	st := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && strides[i] != st {
			return false
		}
		st *= shape[i]
	}
	return true
}

// zeroIn reports whether strides stay on one element over shape.
func zeroIn(strides, shape []int) bool {
	for i, s := range strides {
		if s != 0 && shape[i] != 1 {
			return false
		}
	}
	return true
}

// gather copies n elements of src starting at p with stride s into buf.
func gather(buf, src []float32, p, s, n int) []float32 {
	if cap(buf) < n {
		buf = make([]float32, n)
	}
	buf = buf[:n]
	for i := range buf {
		buf[i] = src[p]
		p += s
	}
	return buf
}
