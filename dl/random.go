package dl

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/godl-dev/godl/dl/internal/kernels"
)

// The global generator behind Randn, Rand, Uniform, RandPerm and Bernoulli.
// A mutex keeps it safe for data loaders running in goroutines.
var (
	rngMu sync.Mutex
	rng   = rand.New(rand.NewPCG(0x9e3779b97f4a7c15, 0))
)

// Seed makes the global generator repeatable.
func Seed(seed int64) {
	rngMu.Lock()
	rng = rand.New(rand.NewPCG(uint64(seed), 0x853c49e6748fea9b))
	rngMu.Unlock()
}

// fillRandom fills a fresh tensor of shape from f, holding the lock once.
func fillRandom(shape []int, f func(r *rand.Rand) float32) *Tensor {
	t := newTensorRaw(shape) // every element is drawn
	rngMu.Lock()
	for i := range t.data {
		t.data[i] = f(rng)
	}
	rngMu.Unlock()
	return t
}

// Randn returns a tensor of standard normal samples.
func Randn(shape ...int) *Tensor {
	return fillRandom(shape, func(r *rand.Rand) float32 { return float32(r.NormFloat64()) })
}

// Rand returns a tensor of samples uniform in [0, 1).
func Rand(shape ...int) *Tensor {
	return fillRandom(shape, func(r *rand.Rand) float32 { return r.Float32() })
}

// Uniform returns a tensor of samples uniform in [lo, hi).
func Uniform(lo, hi float32, shape ...int) *Tensor {
	return fillRandom(shape, func(r *rand.Rand) float32 { return lo + (hi-lo)*r.Float32() })
}

// Bernoulli returns a mask of ones (with probability p) and zeros.
//
// Masks are drawn in parallel (dropout makes one per activation, per
// step): in chunks of bernoulliChunk elements, each from its own generator
// seeded by one draw from the global one and the chunk's index, so the
// mask depends on Seed alone, not on the number of threads.
func Bernoulli(p float32, shape ...int) *Tensor {
	t := newTensorRaw(shape) // every element is drawn
	// x < p for x uniform on the multiples of 2⁻²⁴ in [0, 1), as
	// Rand.Float32 draws them: k·2⁻²⁴ < p  ⇔  k < ⌈p·2²⁴⌉.
	thr := uint64(0)
	if p > 0 {
		thr = uint64(min(math.Ceil(float64(p)*(1<<24)), 1<<24))
	}
	rngMu.Lock()
	seed := rng.Uint64()
	rngMu.Unlock()
	kernels.ForChunks(len(t.data), bernoulliChunk, func(c, lo, hi int) {
		r := rand.NewPCG(seed, uint64(c))
		d := t.data[lo:hi]
		for i := 0; i < len(d); i += 2 { // two 24-bit draws per 64 bits
			u := r.Uint64()
			d[i] = float32(b2u((u & (1<<24 - 1)) < thr))
			if i+1 < len(d) {
				d[i+1] = float32(b2u((u >> 40) < thr))
			}
		}
	})
	return t
}

// bernoulliChunk is the length of one independently seeded chunk of a mask.
const bernoulliChunk = 1 << 14

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// RandInt returns an Int64 tensor of integers drawn uniformly from
// [lo, hi), as torch.randint.
func RandInt(lo, hi int, shape ...int) *Tensor {
	if hi <= lo {
		Panicf("RandInt", "empty range [%d, %d)", lo, hi)
	}
	t := newTensorOf(Int64, shape)
	rngMu.Lock()
	for i := range t.ext.ints {
		t.ext.ints[i] = int64(lo + rng.IntN(hi-lo))
	}
	rngMu.Unlock()
	return t
}

// RandLike returns Float32 samples uniform in [0, 1) of x's shape, as
// torch.rand_like (for an Int64 or Bool x, as torch.rand_like(x,
// dtype=torch.float): integers have no uniform [0, 1)).
func RandLike(x *Tensor) *Tensor { return Rand(x.shape...) }

// RandnLike returns Float32 standard normal samples of x's shape, as
// torch.randn_like (Float32 whatever x's dtype, as RandLike).
func RandnLike(x *Tensor) *Tensor { return Randn(x.shape...) }

// RandPerm returns a random permutation of 0..n-1.
func RandPerm(n int) []int {
	rngMu.Lock()
	defer rngMu.Unlock()
	return rng.Perm(n)
}
