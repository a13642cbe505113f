package dl

import (
	"math"
	"testing"
)

// The float32 kernels against package math on a dense sweep.
func TestFastMath(t *testing.T) {
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
		x := float32(i) * 4.5e-4 // -90 … 90
		check("expf", expf(x), math.Exp(float64(x)))
		check("tanhf", tanhf(x), math.Tanh(float64(x)))
		check("sigmoidf", sigmoidf(x), 1/(1+math.Exp(-float64(x))))
	}
	for name, w := range worst {
		if w > 3e-7 { // 2.5 ulp of float32
			t.Errorf("%s: worst relative error %.3g", name, w)
		}
	}
	if !math.IsInf(float64(expf(100)), 1) || expf(-200) != 0 || expf(float32(math.NaN())) == expf(float32(math.NaN())) {
		t.Error("expf special values")
	}
}
