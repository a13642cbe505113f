package data

import (
	"math"

	"github.com/godl-dev/godl/dl"
)

// SubsetDataset is the examples of Dataset at Indices, in that order, as
// torch.utils.data.Subset; Subset and RandomSplit make them. The examples
// are read from Dataset when asked for, not copied.
type SubsetDataset struct {
	Dataset Dataset
	Indices []int
}

var _ Batcher = (*SubsetDataset)(nil)

// Subset returns the examples of ds at indices (copied), as
// torch.utils.data.Subset(ds, indices).
func Subset(ds Dataset, indices []int) *SubsetDataset {
	if ds == nil {
		dl.Panicf("Subset", "dataset is nil")
	}
	n := ds.Len()
	for _, i := range indices {
		if i < 0 || i >= n {
			dl.Panicf("Subset", "index %d out of range for %d examples", i, n)
		}
	}
	return &SubsetDataset{Dataset: ds, Indices: append([]int(nil), indices...)}
}

// Len returns the number of examples.
func (s *SubsetDataset) Len() int { return len(s.Indices) }

// Item returns example i of the subset.
func (s *SubsetDataset) Item(i int) (x, y *dl.Tensor) {
	if i < 0 || i >= len(s.Indices) {
		dl.Panicf("Subset", "index %d out of range for %d examples", i, len(s.Indices))
	}
	return s.Dataset.Item(s.Indices[i])
}

// Batch gathers the examples at idx of the subset, through the underlying
// dataset's Batch when it has one.
func (s *SubsetDataset) Batch(idx []int) (x, y *dl.Tensor) {
	src := make([]int, len(idx))
	for k, i := range idx {
		if i < 0 || i >= len(s.Indices) {
			dl.Panicf("Subset", "index %d out of range for %d examples", i, len(s.Indices))
		}
		src[k] = s.Indices[i]
	}
	if b, ok := s.Dataset.(Batcher); ok {
		return b.Batch(src)
	}
	xs, ys := make([]*dl.Tensor, len(src)), make([]*dl.Tensor, len(src))
	for k, i := range src {
		xs[k], ys[k] = s.Dataset.Item(i)
	}
	return dl.Stack(0, xs...), dl.Stack(0, ys...)
}

// RandomSplit divides ds at random into non-overlapping subsets, as
// torch.utils.data.random_split: sizes are either fractions that sum to 1
// (each subset gets the floor of its share, and the examples left over go
// one each to the first subsets) or whole lengths that sum to ds.Len().
//
//	parts := data.RandomSplit(ds, 0.8, 0.2)   // or data.RandomSplit(ds, 800, 200)
//	train, val := parts[0], parts[1]
//
// It draws from dl's generator, so dl.Seed makes it repeatable.
func RandomSplit(ds Dataset, sizes ...float64) []*SubsetDataset {
	const op = "RandomSplit"
	if ds == nil {
		dl.Panicf(op, "dataset is nil")
	}
	if len(sizes) == 0 {
		dl.Panicf(op, "give the sizes of the subsets (fractions or lengths)")
	}
	n := ds.Len()
	var sum float64
	for _, s := range sizes {
		sum += s
	}
	lengths := make([]int, len(sizes))
	if math.Abs(sum-1) <= 1e-9 && sum <= 1 { // fractions, as torch decides
		taken := 0
		for i, f := range sizes {
			if f < 0 || f > 1 {
				dl.Panicf(op, "fraction %v at position %d is not between 0 and 1", f, i)
			}
			lengths[i] = int(math.Floor(float64(n) * f))
			taken += lengths[i]
		}
		for i := range n - taken {
			lengths[i%len(lengths)]++
		}
	} else {
		total := 0
		for i, s := range sizes {
			if s < 0 || s != math.Trunc(s) {
				dl.Panicf(op, "size %v at position %d is neither a fraction of a total of 1 nor a whole length", s, i)
			}
			lengths[i] = int(s)
			total += lengths[i]
		}
		if total != n {
			dl.Panicf(op, "lengths %v sum to %d, not to the dataset's %d examples", sizes, total, n)
		}
	}
	perm := dl.RandPerm(n)
	out := make([]*SubsetDataset, len(lengths))
	start := 0
	for i, l := range lengths {
		out[i] = &SubsetDataset{Dataset: ds, Indices: perm[start : start+l : start+l]}
		start += l
	}
	return out
}
