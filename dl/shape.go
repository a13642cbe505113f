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

// binary computes op over the broadcast of a and b into a new tensor, with
// no graph.
func binary(name string, a, b *Tensor, op binaryOp) *Tensor {
	shape := a.shape
	if !sameShape(a.shape, b.shape) {
		shape = broadcastShapes(name, a.shape, b.shape)
	}
	out := newTensorRaw(shape) // the backend writes every element
	binaryInto(out, a, b, op)
	return out
}

// binaryInto writes op over the broadcast of a and b into the contiguous
// tensor out, whose shape is the broadcast shape. out may be a itself.
func binaryInto(out, a, b *Tensor, op binaryOp) {
	shape := out.shape
	if out.Numel() >= 1<<16 {
		CheckInterrupt()
	}
	be.binary(op, out.RawData(), shape, a.viewAt(shape), b.viewAt(shape))
}

// viewAt is t as a view broadcast to shape.
func (t *Tensor) viewAt(shape []int) view {
	if sameShape(t.shape, shape) {
		return view{data: t.data, off: t.offset, strides: t.strides}
	}
	if t.Numel() == 1 && len(shape) <= len(zeroStrides) {
		return view{data: t.data, off: t.offset, strides: zeroStrides[:len(shape)]}
	}
	return view{data: t.data, off: t.offset, strides: broadcastStrides(t.shape, t.strides, shape)}
}

// zeroStrides views one element at any shape of up to 16 dimensions; it is
// never written.
var zeroStrides [16]int
