package data

import (
	"math"

	"github.com/godl-dev/godl/dl"
)

// Dataset is a collection of (input, target) examples addressed by index,
// like torch.utils.data.Dataset.
type Dataset interface {
	Len() int
	// Item returns example i: its input and its target.
	Item(i int) (x, y *dl.Tensor)
}

// Batcher is a Dataset that can gather many examples at once, which saves
// the Loader stacking them one by one.
type Batcher interface {
	Dataset
	// Batch returns the examples at idx stacked along a new first dimension.
	Batch(idx []int) (x, y *dl.Tensor)
}

// TensorDataset pairs the rows of X with the rows of Y: example i is
// (X[i], Y[i]). For classification Y holds class indices (Int64, as the
// generated sets and Fashion-MNIST give them; whole float32 numbers work
// too). Each keeps the dtype it was given, and so do its batches.
type TensorDataset struct {
	X, Y *dl.Tensor
}

var _ Batcher = (*TensorDataset)(nil)

// NewTensorDataset returns a dataset over the first dimension of x and y,
// which must agree. The tensors are shared, not copied.
func NewTensorDataset(x, y *dl.Tensor) *TensorDataset {
	if x == nil || y == nil {
		dl.Panicf("TensorDataset", "x and y must not be nil")
	}
	if x.Dim() == 0 || y.Dim() == 0 || x.Size(0) != y.Size(0) {
		dl.Panicf("TensorDataset", "x %v and y %v must have the same first dimension", x.Shape(), y.Shape())
	}
	return &TensorDataset{X: x.Contiguous().Detach(), Y: y.Contiguous().Detach()}
}

// Len returns the number of examples.
func (d *TensorDataset) Len() int { return d.X.Size(0) }

// Item returns example i as copies.
func (d *TensorDataset) Item(i int) (x, y *dl.Tensor) {
	x, y = d.Batch([]int{i})
	return x.Reshape(d.X.Shape()[1:]...), y.Reshape(d.Y.Shape()[1:]...)
}

// Batch gathers the rows at idx into new tensors.
func (d *TensorDataset) Batch(idx []int) (x, y *dl.Tensor) {
	return gather(d.X, idx), gather(d.Y, idx)
}

// gather copies rows idx of t (contiguous) into a new tensor of t's dtype.
func gather(t *dl.Tensor, idx []int) *dl.Tensor {
	shape := t.Shape()
	n := shape[0]
	for _, i := range idx {
		if i < 0 || i >= n {
			dl.Panicf("Dataset", "index %d out of range for %d examples", i, n)
		}
	}
	if t.Dtype() != dl.Float32 {
		return t.IndexSelect(0, idx)
	}
	row := 1
	for _, d := range shape[1:] {
		row *= d
	}
	src := t.RawData()
	shape[0] = len(idx)
	out := dl.Zeros(shape...)
	dst := out.RawData()
	for k, i := range idx {
		copy(dst[k*row:(k+1)*row], src[i*row:(i+1)*row])
	}
	return out
}

// Split divides d at random into two datasets holding frac and 1-frac of
// its examples (copies), like torch.utils.data.random_split: generated sets
// such as Spirals are ordered by class, so a split in order would be
// useless. It draws from dl's generator, so dl.Seed makes it repeatable.
func (d *TensorDataset) Split(frac float64) (a, b *TensorDataset) {
	if frac < 0 || frac > 1 {
		dl.Panicf("Split", "fraction %v is not in [0, 1]", frac)
	}
	n := d.Len()
	k := int(math.Round(frac * float64(n)))
	perm := dl.RandPerm(n)
	first, rest := perm[:k], perm[k:]
	return &TensorDataset{X: gather(d.X, first), Y: gather(d.Y, first)},
		&TensorDataset{X: gather(d.X, rest), Y: gather(d.Y, rest)}
}
