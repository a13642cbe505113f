package dl

import (
	"sync/atomic"
	"testing"
)

func TestParallelForCoversOnce(t *testing.T) {
	for _, n := range []int{0, 1, 100, parallelMin - 1, parallelMin, parallelMin*3 + 7} {
		hits := make([]atomic.Int32, n)
		parallelFor(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				hits[i].Add(1)
			}
		})
		for i := range hits {
			if hits[i].Load() != 1 {
				t.Fatalf("n=%d: element %d visited %d times", n, i, hits[i].Load())
			}
		}
	}
}

// Ops large enough to run in parallel chunks against the same ops on
// slices small enough to run in one piece.
func TestParallelOpsMatchSerial(t *testing.T) {
	Seed(5)
	n := parallelMin*2 + 37
	x, y := Randn(n).RequiresGrad(), Randn(n)
	outs := []*Tensor{Sigmoid(x), Tanh(x), ReLU(x), x.Add(y), x.Mul(Scalar(3)), Exp(x)}
	Sum(outs[0]).Add(outs[1].Sum()).Add(outs[2].Sum()).Backward()
	gx := x.Grad().Data()
	for _, lo := range []int{0, 1000, n - 500} {
		xs := x.Detach().Narrow(0, lo, 500).Contiguous().RequiresGrad()
		ys := y.Narrow(0, lo, 500).Contiguous()
		small := []*Tensor{Sigmoid(xs), Tanh(xs), ReLU(xs), xs.Add(ys), xs.Mul(Scalar(3)), Exp(xs)}
		for i := range small {
			if err := compare(outs[i].Narrow(0, lo, 500).Data(), small[i].Data(), 0); err != nil {
				t.Errorf("op %d at %d: %v", i, lo, err)
			}
		}
		Sum(small[0]).Add(small[1].Sum()).Add(small[2].Sum()).Backward()
		if err := compare(gx[lo:lo+500], xs.Grad().Data(), 0); err != nil {
			t.Errorf("gradient at %d: %v", lo, err)
		}
	}
}
