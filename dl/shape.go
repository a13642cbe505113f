package dl

// Broadcasting, as NumPy and PyTorch define it: shapes are aligned at their
// last dimension; a dimension of size 1 (or a missing one) stretches.

// broadcastShapes returns the shape both a and b broadcast to.
func broadcastShapes(op string, a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			Panicf(op, "%v and %v: shapes cannot be broadcast (dimension %d: %d vs %d)", a, b, i, da, db)
		}
	}
	return out
}

// broadcastStrides returns strides that view a tensor of shape/strides at
// the larger shape out, with stride 0 along broadcast dimensions.
func broadcastStrides(shape, strides, out []int) []int {
	s := make([]int, len(out))
	lead := len(out) - len(shape)
	for i := range out {
		if i < lead {
			continue
		}
		if shape[i-lead] != 1 {
			s[i] = strides[i-lead]
		}
	}
	return s
}

// coalesce merges adjacent dimensions that can be walked as one for every
// stride set, and drops dimensions of size 1, so that the common broadcast
// patterns ([N M]+[M], [N M]+[N 1]) become one outer loop over plain rows.
func coalesce(shape []int, strides ...[]int) ([]int, [][]int) {
	var sh []int
	st := make([][]int, len(strides))
	for i, d := range shape {
		if d == 1 {
			continue
		}
		if k := len(sh) - 1; k >= 0 {
			merge := true
			for j := range strides {
				if st[j][k] != strides[j][i]*d {
					merge = false
					break
				}
			}
			if merge {
				sh[k] *= d
				for j := range strides {
					st[j][k] = strides[j][i]
				}
				continue
			}
		}
		sh = append(sh, d)
		for j := range strides {
			st[j] = append(st[j], strides[j][i])
		}
	}
	return sh, st
}

// binKernel is the inner loop of a binary op in its three row forms:
// vector-vector, vector-scalar and scalar-vector.
type binKernel struct {
	vv func(dst, a, b []float32)
	vs func(dst, a []float32, s float32)
	sv func(dst []float32, s float32, b []float32)
}

// kernelOf builds a binKernel from a per-element function, for the ops that
// are not hot enough to deserve hand-written loops.
func kernelOf(f func(a, b float32) float32) *binKernel {
	return &binKernel{
		vv: func(dst, a, b []float32) {
			b = b[:len(a)]
			for i := range a {
				dst[i] = f(a[i], b[i])
			}
		},
		vs: func(dst, a []float32, s float32) {
			for i := range a {
				dst[i] = f(a[i], s)
			}
		},
		sv: func(dst []float32, s float32, b []float32) {
			for i := range b {
				dst[i] = f(s, b[i])
			}
		},
	}
}

// binary computes k over the broadcast of a and b into a new tensor, with no
// graph. Contiguous operands of equal shape or with a scalar take one flat
// loop; other broadcasts walk rows.
func binary(op string, a, b *Tensor, k *binKernel) *Tensor {
	shape := a.shape
	if !sameShape(a.shape, b.shape) {
		shape = broadcastShapes(op, a.shape, b.shape)
	}
	out := newTensorRaw(shape)
	binaryInto(out, a, b, k)
	return out
}

// binaryInto writes k over the broadcast of a and b into the contiguous
// tensor out, whose shape is the broadcast shape. out may be a itself.
func binaryInto(out, a, b *Tensor, k *binKernel) {
	shape := out.shape
	n := out.Numel()
	if n == 0 {
		return
	}
	if n >= 1<<16 {
		CheckInterrupt()
	}
	ac, bc := a.IsContiguous(), b.IsContiguous()
	switch {
	case ac && bc && sameShape(a.shape, b.shape):
		od, ad, bd := out.RawData(), a.RawData(), b.RawData()
		parallelFor(n, func(lo, hi int) { k.vv(od[lo:hi], ad[lo:hi], bd[lo:hi]) })
		return
	case ac && b.Numel() == 1 && a.Numel() == n:
		od, ad, s := out.RawData(), a.RawData(), b.data[b.offset]
		parallelFor(n, func(lo, hi int) { k.vs(od[lo:hi], ad[lo:hi], s) })
		return
	case bc && a.Numel() == 1 && b.Numel() == n:
		od, s, bd := out.RawData(), a.data[a.offset], b.RawData()
		parallelFor(n, func(lo, hi int) { k.sv(od[lo:hi], s, bd[lo:hi]) })
		return
	case ac && bc && a.Numel() == n && isRowOf(b, shape):
		// [... n] with [n]: the bias add, one row at a time
		od, ad, bd := out.RawData(), a.RawData(), b.RawData()
		for o := 0; o < n; o += len(bd) {
			k.vv(od[o:o+len(bd)], ad[o:o+len(bd)], bd)
		}
		return
	}
	od := out.RawData()
	sa := broadcastStrides(a.shape, a.strides, shape)
	sb := broadcastStrides(b.shape, b.strides, shape)
	sh, st := coalesce(shape, contiguousStrides(shape), sa, sb)
	if len(sh) == 0 { // every dimension was 1
		od[0] = binaryScalar(k, a.data[a.offset], b.data[b.offset])
		return
	}
	sa, sb = st[1], st[2]
	d := len(sh) - 1
	inner, ia, ib := sh[d], sa[d], sb[d]
	idx := make([]int, d)
	pa, pb := a.offset, b.offset
	var ta, tb []float32 // gathered rows when an inner stride is not 0 or 1
	for o := 0; o < n; o += inner {
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
		dst := od[o : o+inner]
		switch {
		case ia == 0 && ib == 0:
			v := binaryScalar(k, a.data[pa], b.data[pb])
			for i := range dst {
				dst[i] = v
			}
		case ib == 0:
			k.vs(dst, ra, b.data[pb])
		case ia == 0:
			k.sv(dst, a.data[pa], rb)
		default:
			k.vv(dst, ra, rb)
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

// isRowOf reports whether b broadcasts to shape as one row repeated: all
// its dimensions are 1 except the last, which matches.
func isRowOf(b *Tensor, shape []int) bool {
	if len(shape) == 0 || b.Dim() == 0 || b.shape[b.Dim()-1] != shape[len(shape)-1] || shape[len(shape)-1] == 0 {
		return false
	}
	return b.Numel() == b.shape[b.Dim()-1]
}

func binaryScalar(k *binKernel, a, b float32) float32 {
	var d [1]float32
	k.vv(d[:], []float32{a}, []float32{b})
	return d[0]
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
