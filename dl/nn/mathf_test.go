package nn

import (
	"math"
	"testing"
)

func TestFastMath(t *testing.T) {
	worst := [3]float64{}
	for i := -200000; i <= 200000; i++ {
		x := float32(i) * 1e-4
		check := func(k int, got float32, want float64) {
			if e := math.Abs(float64(got)-want) / math.Max(math.Abs(want), 1e-30); e > worst[k] {
				worst[k] = e
			}
		}
		check(0, expf(x), math.Exp(float64(x)))
		check(1, sigmoidf(x), 1/(1+math.Exp(-float64(x))))
		check(2, tanhf(x), math.Tanh(float64(x)))
	}
	for k, name := range []string{"exp", "sigmoid", "tanh"} {
		if worst[k] > 5e-7 {
			t.Errorf("%s: worst relative error %.3g on [-20, 20]", name, worst[k])
		}
	}
	if expf(-100) == 0 || expf(-110) != 0 || !math.IsInf(float64(expf(100)), 1) {
		t.Errorf("exp range: %v %v %v", expf(-100), expf(-110), expf(100))
	}
}

func BenchmarkSigmoidf(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = float32(i%200-100) * 0.05
	}
	var s float32
	for b.Loop() {
		for _, x := range xs {
			s += sigmoidf(x) + tanhf(x)
		}
	}
	_ = s
}
