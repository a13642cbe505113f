package data

import (
	"iter"
	"math/rand/v2"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/option"
)

// Loader yields mini-batches of a Dataset, like torch.utils.data.DataLoader.
//
//	for xb, yb := range data.NewLoader(ds, 64, data.Shuffle(true)).All() { ... }
type Loader struct {
	ds        Dataset
	batchSize int
	shuffle   bool
	dropLast  bool
	rng       *rand.Rand // nil: shuffle with dl's global generator
}

// LoaderOption configures a Loader.
type LoaderOption = option.Option[Loader]

// Shuffle makes every pass visit the examples in a new random order.
func Shuffle(on bool) LoaderOption { return option.New("Shuffle", func(l *Loader) { l.shuffle = on }) }

// DropLast skips the last batch of a pass when it is smaller than the
// batch size.
func DropLast(on bool) LoaderOption {
	return option.New("DropLast", func(l *Loader) { l.dropLast = on })
}

// Seed gives the Loader its own generator for shuffling, so its order does
// not depend on other random draws. Without it, shuffling uses dl's global
// generator (repeatable after dl.Seed).
func Seed(seed int64) LoaderOption {
	return option.New("Seed", func(l *Loader) { l.rng = rand.New(rand.NewPCG(uint64(seed), 0x2545f4914f6cdd1d)) })
}

// NewLoader returns a Loader over ds with the given batch size.
func NewLoader(ds Dataset, batchSize int, opts ...LoaderOption) *Loader {
	if ds == nil {
		dl.Panicf("Loader", "dataset is nil")
	}
	if batchSize <= 0 {
		dl.Panicf("Loader", "batch size must be positive, got %d", batchSize)
	}
	l := &Loader{ds: ds, batchSize: batchSize}
	if err := option.Set("Loader", l, opts); err != nil {
		dl.Panicf("Loader", "%v", err)
	}
	return l
}

// Len returns the number of batches in one pass.
func (l *Loader) Len() int {
	n := l.ds.Len()
	if l.dropLast {
		return n / l.batchSize
	}
	return (n + l.batchSize - 1) / l.batchSize
}

// BatchSize returns the batch size.
func (l *Loader) BatchSize() int { return l.batchSize }

// Dataset returns the dataset the Loader reads.
func (l *Loader) Dataset() Dataset { return l.ds }

// order returns the example indices of one pass.
func (l *Loader) order() []int {
	n := l.ds.Len()
	switch {
	case !l.shuffle:
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	case l.rng != nil:
		return l.rng.Perm(n)
	}
	return dl.RandPerm(n)
}

// All returns an iterator over one pass of batches (xb, yb). Each call is a
// new pass, reshuffled when Shuffle is on. The batch tensors are fresh each
// time, so they may be kept.
func (l *Loader) All() iter.Seq2[*dl.Tensor, *dl.Tensor] {
	return func(yield func(*dl.Tensor, *dl.Tensor) bool) {
		idx := l.order()
		for start := 0; start < len(idx); start += l.batchSize {
			end := min(start+l.batchSize, len(idx))
			if l.dropLast && end-start < l.batchSize {
				return
			}
			dl.CheckInterrupt()
			xb, yb := l.batch(idx[start:end])
			if !yield(xb, yb) {
				return
			}
		}
	}
}

func (l *Loader) batch(idx []int) (x, y *dl.Tensor) {
	if b, ok := l.ds.(Batcher); ok {
		return b.Batch(idx)
	}
	xs, ys := make([]*dl.Tensor, len(idx)), make([]*dl.Tensor, len(idx))
	for k, i := range idx {
		xs[k], ys[k] = l.ds.Item(i)
	}
	return dl.Stack(0, xs...), dl.Stack(0, ys...)
}
