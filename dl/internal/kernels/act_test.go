package kernels

import (
	"math"
	"testing"

	"github.com/godl-dev/godl/dl/internal/mathf"
)

// actImpls are the ways Sigmoids and Tanhs can run; each is forced in turn.
var actImpls = []struct {
	name         string
	avx512, avx2 bool
	skip         bool
}{{"go", false, false, false}, {"avx2", false, true, !haveAVX2}, {"avx512", true, false, !haveAVX512}}

// closeTo reports whether got is within mathf's error bound of want, its
// own output (2.5 ulp each way, so 5 ulp between them; absolute for
// subnormal results).
func closeTo(got, want float32) bool {
	if got == want || (got != got && want != want) {
		return true
	}
	if math.Abs(float64(want)) < 1e-37 {
		return math.Abs(float64(got-want)) <= 1.2e-38
	}
	return math.Abs(float64(got-want))/math.Abs(float64(want)) <= 6e-7
}

func TestActivationsAgainstMathf(t *testing.T) {
	inputs := []float32{0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 0.3, -0.3, 0.624, 0.625, -0.626,
		9, -9.03, 20, -20, 87.9, 88.5, -88.5, 89.5, -104, -200, 200, 1e30, -1e30,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for i := -20000; i <= 20000; i++ {
		inputs = append(inputs, float32(i)*4.5e-3)
	}
	fns := []struct {
		name  string
		fn    func([]float32)
		scalr func(float32) float32
	}{{"Sigmoids", Sigmoids, mathf.Sigmoid}, {"Tanhs", Tanhs, mathf.Tanh}, {"Exps", Exps, mathf.Exp}}
	defer func(a, b bool) { useActAVX512, useActAVX2 = a, b }(useActAVX512, useActAVX2)
	for _, impl := range actImpls {
		if impl.skip {
			t.Logf("%s: not on this CPU", impl.name)
			continue
		}
		useActAVX512, useActAVX2 = impl.avx512, impl.avx2
		for _, f := range fns {
			for _, n := range []int{0, 1, 7, 15, 16, 17, 33, 257, len(inputs)} {
				for off := 0; off+n <= len(inputs); off += max(n, 1) * 97 {
					g := newGuarded(nil, 1, n, n, 0)
					copy(g.data, inputs[off:off+n])
					f.fn(g.data)
					g.checkGuards(t, impl.name+" "+f.name)
					for i, got := range g.data {
						x := inputs[off+i]
						if want := f.scalr(x); !closeTo(got, want) {
							t.Errorf("%s %s(%v) = %v, mathf: %v", impl.name, f.name, x, got, want)
						}
					}
				}
			}
		}
	}
}

func BenchmarkActivations(b *testing.B) {
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(i%200-100) * 0.05
	}
	defer func(a, b bool) { useActAVX512, useActAVX2 = a, b }(useActAVX512, useActAVX2)
	for _, impl := range actImpls {
		if impl.skip {
			continue
		}
		b.Run(impl.name, func(b *testing.B) {
			useActAVX512, useActAVX2 = impl.avx512, impl.avx2
			for b.Loop() {
				Sigmoids(x)
				Tanhs(x)
			}
		})
	}
}
