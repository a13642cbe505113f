package dl

import (
	"math"

	"github.com/godl-dev/godl/dl/internal/kernels"
)

// Reductions. Sum(dims...) and Mean(dims...) drop the reduced dimensions;
// SumKeep and MeanKeep keep them with size 1 (PyTorch's keepdim=True).
// With no dims every dimension is reduced.

// reduceMask normalises dims (negative allowed, no dims = all) into a
// sorted, duplicate-free mask.
func reduceMask(op string, t *Tensor, dims []int) []bool {
	mask := make([]bool, t.Dim())
	if len(dims) == 0 {
		for i := range mask {
			mask[i] = true
		}
		return mask
	}
	for _, d := range dims {
		mask[t.normDim(op, d)] = true
	}
	return mask
}

// reducedShape is t's shape with masked dimensions removed or set to 1.
func reducedShape(shape []int, mask []bool, keep bool) []int {
	out := []int{}
	for i, d := range shape {
		switch {
		case !mask[i]:
			out = append(out, d)
		case keep:
			out = append(out, 1)
		}
	}
	return out
}

// sumDims sums t over dims with no graph. Adjacent dimensions with the same
// fate are merged, then each reduced block is summed out as an
// [outer, r, inner] problem, last block first. Sums accumulate in float64.
func sumDims(t *Tensor, dims []int, keep bool) *Tensor {
	mask := reduceMask("Sum", t, dims)
	return sumMask(t, mask, keep)
}

func sumMask(t *Tensor, mask []bool, keep bool) *Tensor {
	x := t.contiguousData()
	var blocks []int
	var red []bool
	for i, d := range t.shape {
		if len(blocks) > 0 && red[len(red)-1] == mask[i] {
			blocks[len(blocks)-1] *= d
			continue
		}
		blocks = append(blocks, d)
		red = append(red, mask[i])
	}
	if len(x) >= 1<<16 {
		CheckInterrupt()
	}
	cur := x
	reduced := false
	for j := len(blocks) - 1; j >= 0; j-- {
		if !red[j] {
			continue
		}
		outer, inner := numel(blocks[:j]), numel(blocks[j+1:])
		r := blocks[j]
		next := getBuf(outer * inner) // the backend writes every element
		be.sum(next, cur, outer, r, inner)
		if reduced {
			putBuf(cur) // an intermediate of ours
		}
		cur, reduced = next, true
		blocks = append(blocks[:j], blocks[j+1:]...)
		red = append(red[:j], red[j+1:]...)
	}
	if !reduced { // nothing to sum: still a new tensor
		cur = getBuf(len(x), t.shape...)
		copy(cur, x)
	}
	return fromData(cur, reducedShape(t.shape, mask, keep))
}

// expandGrad broadcasts the gradient of a reduction back to t's shape.
func expandGrad(g *Tensor, t *Tensor, mask []bool) *Tensor {
	return g.Reshape(reducedShape(t.shape, mask, true)...).Expand(t.shape...)
}

// Sum sums over dims (all when none), dropping them.
func (t *Tensor) Sum(dims ...int) *Tensor { return sumOp(t, dims, false) }

// SumKeep sums over dims, keeping them with size 1.
func (t *Tensor) SumKeep(dims ...int) *Tensor { return sumOp(t, dims, true) }

// Sum is the function spelling of t.Sum(dims...).
func Sum(t *Tensor, dims ...int) *Tensor { return sumOp(t, dims, false) }

func sumOp(t *Tensor, dims []int, keep bool) *Tensor {
	if t.dtype != Float32 {
		return sumDtype(t, dims, keep)
	}
	mask := reduceMask("Sum", t, dims)
	out := sumMask(t, mask, keep)
	return Record("Sum", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		return []*Tensor{expandGrad(g, t, mask)}
	})
}

// Mean averages over dims (all when none), dropping them.
func (t *Tensor) Mean(dims ...int) *Tensor { return meanOp(t, dims, false) }

// MeanKeep averages over dims, keeping them with size 1.
func (t *Tensor) MeanKeep(dims ...int) *Tensor { return meanOp(t, dims, true) }

// Mean is the function spelling of t.Mean(dims...).
func Mean(t *Tensor, dims ...int) *Tensor { return meanOp(t, dims, false) }

func meanOp(t *Tensor, dims []int, keep bool) *Tensor {
	t = asFloat(t)
	mask := reduceMask("Mean", t, dims)
	count := 1
	for i, d := range t.shape {
		if mask[i] {
			count *= d
		}
	}
	out := sumMask(t, mask, keep)
	inv := float32(1 / float64(count))
	if count == 0 {
		inv = float32(math.NaN())
	}
	kernels.MulScalar(out.data, out.data, inv)
	return Record("Mean", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		return []*Tensor{expandGrad(MulScalar(g, inv), t, mask)}
	})
}

// Var returns the variance over dims (all when none), unbiased (divided by
// n−1) as torch.var; VarKeep keeps the dims. Composed from Mean and Sum.
func (t *Tensor) Var(dims ...int) *Tensor { return varOp(t, dims, false, true) }

// VarKeep is Var keeping the reduced dims with size 1.
func (t *Tensor) VarKeep(dims ...int) *Tensor { return varOp(t, dims, true, true) }

func varOp(t *Tensor, dims []int, keep, unbiased bool) *Tensor {
	mask := reduceMask("Var", t, dims)
	count := 1
	for i, d := range t.shape {
		if mask[i] {
			count *= d
		}
	}
	d := t.Sub(t.MeanKeep(dims...))
	s := d.Mul(d).sumOrKeep(dims, keep)
	n := count
	if unbiased {
		n--
	}
	return s.MulScalar(1 / float32(n))
}

func (t *Tensor) sumOrKeep(dims []int, keep bool) *Tensor {
	if keep {
		return t.SumKeep(dims...)
	}
	return t.Sum(dims...)
}

// argLayout is the layout of an arg-reduction of t along dims (none:
// everything): the result's shape, and t seen as outer × r × inner with r
// the reduced extent. It refuses more than one dimension and an empty one.
func argLayout(op string, t *Tensor, dims []int, keep bool) (shape []int, outer, r, inner int) {
	switch len(dims) {
	case 0:
		outer, r, inner = 1, t.Numel(), 1
		shape = []int{}
		if keep {
			shape = make([]int, t.Dim())
			for i := range shape {
				shape[i] = 1
			}
		}
	case 1:
		d := t.normDim(op, dims[0])
		outer, r, inner = softmaxLayout(t, d)
		mask := make([]bool, t.Dim())
		mask[d] = true
		shape = reducedShape(t.shape, mask, keep)
	default:
		Panicf(op, "takes at most one dimension, got %v", dims)
	}
	if r == 0 {
		Panicf(op, "cannot reduce an empty dimension of shape %v", t.shape)
	}
	return shape, outer, r, inner
}

// maxArg finds the maximum along one dimension (or over everything when dim
// is nil), returning values, their index along the dimension, and the
// position of each in t's contiguous layout (pos, computed when asked).
func maxArg(op string, t *Tensor, dims []int, keep bool) (vals *Tensor, idx []int, pos func(j int) int) {
	x := t.contiguousData()
	shape, outer, r, inner := argLayout(op, t, dims, keep)
	vals = newTensorRaw(shape)
	idx = make([]int, outer*inner)
	be.maxArg(vals.data, idx, x, outer, r, inner)
	return vals, idx, func(j int) int { return (j/inner)*r*inner + j%inner + idx[j]*inner }
}

// Max returns the maximum over dim (or over all elements with no argument),
// dropping that dimension. The gradient flows to the first maximal element.
func (t *Tensor) Max(dim ...int) *Tensor { return maxOp("Max", t, dim, false) }

// MaxKeep is Max keeping the reduced dimension with size 1.
func (t *Tensor) MaxKeep(dim ...int) *Tensor { return maxOp("Max", t, dim, true) }

// Min returns the minimum over dim (or over everything), as Max.
func (t *Tensor) Min(dim ...int) *Tensor {
	if t.dtype != Float32 {
		return extremeDtype("Min", t, dim, false, false)
	}
	return Neg(maxOp("Min", Neg(t), dim, false))
}

// MinKeep is Min keeping the reduced dimension.
func (t *Tensor) MinKeep(dim ...int) *Tensor {
	if t.dtype != Float32 {
		return extremeDtype("Min", t, dim, true, false)
	}
	return Neg(maxOp("Min", Neg(t), dim, true))
}

func maxOp(op string, t *Tensor, dims []int, keep bool) *Tensor {
	if t.dtype != Float32 {
		return extremeDtype(op, t, dims, keep, true)
	}
	vals, _, pos := maxArg(op, t, dims, keep)
	return Record(op, vals, []*Tensor{t}, func(g *Tensor) []*Tensor {
		gd := g.contiguousData()
		r := newTensor(t.shape)
		for j, v := range gd {
			r.data[pos(j)] += v
		}
		return []*Tensor{r}
	})
}

// Argmax returns the index of the maximum along dim (or the flat index over
// all elements with no argument) as an Int64 tensor, as PyTorch.
func (t *Tensor) Argmax(dim ...int) *Tensor { return argOp("Argmax", t, dim, false) }

// ArgmaxKeep is Argmax keeping the reduced dimension with size 1.
func (t *Tensor) ArgmaxKeep(dim ...int) *Tensor { return argOp("Argmax", t, dim, true) }

// Argmin returns the index of the minimum, as Argmax.
func (t *Tensor) Argmin(dim ...int) *Tensor {
	if t.dtype != Float32 {
		return argDtype("Argmin", t, dim, false, false)
	}
	return argOp("Argmin", Neg(t.Detach()), dim, false)
}

func argOp(op string, t *Tensor, dims []int, keep bool) *Tensor {
	if t.dtype != Float32 {
		return argDtype(op, t, dims, keep, true)
	}
	vals, idx, _ := maxArg(op, t, dims, keep)
	out := make([]int64, len(idx))
	for j, k := range idx {
		out[j] = int64(k)
	}
	release(vals)
	return fromInt64s(out, vals.shape)
}

// Function spellings.

// Max is t.Max(dim...).
func Max(t *Tensor, dim ...int) *Tensor { return t.Max(dim...) }

// Argmax is t.Argmax(dim...).
func Argmax(t *Tensor, dim ...int) *Tensor { return t.Argmax(dim...) }

// Std returns the unbiased standard deviation over dims (all when none).
func (t *Tensor) Std(dims ...int) *Tensor { return Sqrt(t.Var(dims...)) }
