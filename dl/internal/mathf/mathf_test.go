package mathf

import (
	"math"
	"testing"
)

// The float32 functions against package math on a dense sweep of -90…90.
func TestAgainstMath(t *testing.T) {
	worst := map[string]float64{}
	check := func(name string, got float32, want float64) {
		want = float64(float32(want)) // what a float32 result can be
		if math.IsInf(want, 0) && float64(got) == want {
			return
		}
		if math.Abs(want) < 1e-37 { // subnormal results: absolute error
			if math.Abs(float64(got)-want) > 1.2e-38 {
				worst[name] = math.Inf(1)
			}
			return
		}
		d := math.Abs(float64(got)-want) / math.Abs(want)
		if d > worst[name] {
			worst[name] = d
		}
	}
	for i := -200000; i <= 200000; i++ {
		x := float32(i) * 4.5e-4
		check("Exp", Exp(x), math.Exp(float64(x)))
		check("Tanh", Tanh(x), math.Tanh(float64(x)))
		check("Sigmoid", Sigmoid(x), 1/(1+math.Exp(-float64(x))))
	}
	for name, w := range worst {
		if w > 3e-7 { // 2.5 ulp of float32
			t.Errorf("%s: worst relative error %.3g", name, w)
		}
	}
}

func TestSpecialValues(t *testing.T) {
	nan := float32(math.NaN())
	if !math.IsInf(float64(Exp(100)), 1) || Exp(-100) == 0 || Exp(-110) != 0 || Exp(nan) == Exp(nan) {
		t.Errorf("Exp: 100 → %v, -100 → %v, -110 → %v, NaN → %v", Exp(100), Exp(-100), Exp(-110), Exp(nan))
	}
	if Tanh(20) != 1 || Tanh(-20) != -1 || Sigmoid(-200) != 0 || Sigmoid(200) != 1 {
		t.Errorf("saturation: %v %v %v %v", Tanh(20), Tanh(-20), Sigmoid(-200), Sigmoid(200))
	}
}

func BenchmarkSigmoidTanh(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = float32(i%200-100) * 0.05
	}
	var s float32
	for b.Loop() {
		for _, x := range xs {
			s += Sigmoid(x) + Tanh(x)
		}
	}
	_ = s
}
