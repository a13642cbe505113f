package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ewImpls are the ways the element-wise kernels can run; each is forced in
// turn and compared with the reference loops.
var ewImpls = []struct {
	name string
	avx2 bool
	skip bool
}{{"go", false, false}, {"avx2", true, !haveAVX2}}

// ewInput returns n values mixing ordinary numbers with the special ones
// the kernels must treat as the loops do: ±0, ±Inf, NaN, tiny and huge.
func ewInput(rng *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), 1e-40, -1e-40, 3e38, -3e38, 1, -1}
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(8) == 0 {
			x[i] = special[rng.IntN(len(special))]
		} else {
			x[i] = rng.Float32()*4 - 2
		}
	}
	return x
}

// ewCase is one kernel and its reference, both writing dst from ins.
type ewCase struct {
	name  string
	run   func(dst []float32, ins [][]float32)
	ref   func(i int, ins [][]float32) float32
	nIns  int
	fused bool // within a few ulp of an exact result instead of bit-equal
}

var ewScalar = float32(-0.375)

var ewCases = []ewCase{
	{"Add", func(d []float32, in [][]float32) { Add(d, in[0], in[1]) }, func(i int, in [][]float32) float32 { return in[0][i] + in[1][i] }, 2, false},
	{"Sub", func(d []float32, in [][]float32) { Sub(d, in[0], in[1]) }, func(i int, in [][]float32) float32 { return in[0][i] - in[1][i] }, 2, false},
	{"Mul", func(d []float32, in [][]float32) { Mul(d, in[0], in[1]) }, func(i int, in [][]float32) float32 { return in[0][i] * in[1][i] }, 2, false},
	{"Div", func(d []float32, in [][]float32) { Div(d, in[0], in[1]) }, func(i int, in [][]float32) float32 { return in[0][i] / in[1][i] }, 2, false},
	{"AddScalar", func(d []float32, in [][]float32) { AddScalar(d, in[0], ewScalar) }, func(i int, in [][]float32) float32 { return in[0][i] + ewScalar }, 1, false},
	{"MulScalar", func(d []float32, in [][]float32) { MulScalar(d, in[0], ewScalar) }, func(i int, in [][]float32) float32 { return in[0][i] * ewScalar }, 1, false},
	{"DivScalar", func(d []float32, in [][]float32) { DivScalar(d, in[0], ewScalar) }, func(i int, in [][]float32) float32 { return in[0][i] / ewScalar }, 1, false},
	{"ScalarSub", func(d []float32, in [][]float32) { ScalarSub(d, ewScalar, in[0]) }, func(i int, in [][]float32) float32 { return ewScalar - in[0][i] }, 1, false},
	{"ScalarDiv", func(d []float32, in [][]float32) { ScalarDiv(d, ewScalar, in[0]) }, func(i int, in [][]float32) float32 { return ewScalar / in[0][i] }, 1, false},
	{"ReLU", func(d []float32, in [][]float32) { ReLU(d, in[0]) }, func(i int, in [][]float32) float32 {
		if x := in[0][i]; x > 0 || x != x {
			return x
		}
		return 0
	}, 1, false},
	{"ReLUGrad", func(d []float32, in [][]float32) { ReLUGrad(d, in[0], in[1]) }, func(i int, in [][]float32) float32 {
		if in[1][i] > 0 {
			return in[0][i]
		}
		return 0
	}, 2, false},
	{"LeakyReLU", func(d []float32, in [][]float32) { LeakyReLU(d, in[0], 0.01) }, func(i int, in [][]float32) float32 {
		if x := in[0][i]; x > 0 {
			return x
		}
		return 0.01 * in[0][i]
	}, 1, false},
	{"LeakyReLUGrad", func(d []float32, in [][]float32) { LeakyReLUGrad(d, in[0], in[1], 0.01) }, func(i int, in [][]float32) float32 {
		if in[1][i] > 0 {
			return in[0][i]
		}
		return 0.01 * in[0][i]
	}, 2, false},
	{"ScaleShift", func(d []float32, in [][]float32) { ScaleShift(d, in[0], 1.5, -0.25) }, func(i int, in [][]float32) float32 {
		return float32(float64(in[0][i])*1.5 - 0.25)
	}, 1, true},
	{"SigmoidGrad", func(d []float32, in [][]float32) { SigmoidGrad(d, in[0], in[1]) }, func(i int, in [][]float32) float32 {
		g, y := float64(in[0][i]), float64(in[1][i])
		return float32(g * y * (1 - y))
	}, 2, true},
	{"TanhGrad", func(d []float32, in [][]float32) { TanhGrad(d, in[0], in[1]) }, func(i int, in [][]float32) float32 {
		g, y := float64(in[0][i]), float64(in[1][i])
		return float32(g * (1 - y*y))
	}, 2, true},
}

// sameFloat is bit equality up to the payload of NaNs, and -0 ≠ +0.
func sameFloat(a, b float32) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

func TestElementwiseKernels(t *testing.T) {
	defer func(v bool) { useEwAVX2 = v }(useEwAVX2)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, impl := range ewImpls {
		if impl.skip {
			t.Logf("%s: not on this CPU", impl.name)
			continue
		}
		useEwAVX2 = impl.avx2
		for _, c := range ewCases {
			for n := range 70 {
				checkEw(t, impl.name, c, rng, n)
			}
			checkEw(t, impl.name, c, rng, 1000)
		}
	}
}

func checkEw(t *testing.T, impl string, c ewCase, rng *rand.Rand, n int) {
	t.Helper()
	ins := make([][]float32, c.nIns)
	for i := range ins {
		ins[i] = ewInput(rng, n)
		if c.fused && i == 1 { // an activation's output: in [-1, 1]
			for j := range ins[i] {
				ins[i][j] = rng.Float32()*2 - 1
			}
		}
	}
	g := newGuarded(nil, 1, n, n, 0)
	c.run(g.data, ins)
	g.checkGuards(t, impl+" "+c.name)
	for i, got := range g.data {
		want := c.ref(i, ins)
		if c.fused {
			// One rounding less or more than the loop: within a few ulp
			// of the magnitude of the first input (and of the result).
			tol := 3e-7*(math.Abs(float64(ins[0][i]))+math.Abs(float64(want))) + 1e-38 // absolute for subnormals
			if d := math.Abs(float64(got - want)); d > tol && !(got != got && want != want) && got != want {
				t.Fatalf("%s %s n=%d [%d]: %v, want %v (inputs %v %v)", impl, c.name, n, i, got, want, ins[0][i], ins[1][i])
			}
			continue
		}
		if !sameFloat(got, want) {
			t.Fatalf("%s %s n=%d [%d]: %v (%#x), want %v (%#x)", impl, c.name, n, i, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
}

// In place (dst aliasing an input) is how dl accumulates; it must work.
func TestElementwiseInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := ewInput(rng, 77), ewInput(rng, 77)
	want := make([]float32, 77)
	addVVGo(want, a, b)
	Add(a, a, b)
	for i := range a {
		if !sameFloat(a[i], want[i]) {
			t.Fatalf("[%d]: %v, want %v", i, a[i], want[i])
		}
	}
}

func BenchmarkElementwise(b *testing.B) {
	x, y, d := make([]float32, 16384), make([]float32, 16384), make([]float32, 16384)
	for i := range x {
		x[i], y[i] = float32(i%200-100)*0.05, float32(i%7)
	}
	defer func(v bool) { useEwAVX2 = v }(useEwAVX2)
	for _, impl := range ewImpls {
		if impl.skip {
			continue
		}
		useEwAVX2 = impl.avx2
		b.Run("ReLU/"+impl.name, func(b *testing.B) {
			b.SetBytes(8 * int64(len(x)))
			for b.Loop() {
				ReLU(d, x)
			}
		})
		b.Run("ReLUGrad/"+impl.name, func(b *testing.B) {
			b.SetBytes(12 * int64(len(x)))
			for b.Loop() {
				ReLUGrad(d, y, x)
			}
		})
		b.Run("Add/"+impl.name, func(b *testing.B) {
			b.SetBytes(12 * int64(len(x)))
			for b.Loop() {
				Add(d, x, y)
			}
		})
	}
}

// SumF64 and AccF64: the vector and Go versions add in the same order, so
// they agree to the bit; both are checked against a plain float64 sum.
func TestSumAndAccumulateF64(t *testing.T) {
	defer func(v bool) { useVecAVX2 = v }(useVecAVX2)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 3, 4, 5, 15, 16, 17, 33, 63, 64, 65, 1000} {
		x := make([]float32, n)
		for i := range x {
			x[i] = rng.Float32()*200 - 100
		}
		var want float64
		for _, v := range x {
			want += float64(v)
		}
		var sums []float64
		var accs [][]float64
		for _, impl := range []bool{false, true} {
			if impl && !haveAVX2 {
				continue
			}
			useVecAVX2 = impl
			s := SumF64(x)
			if math.Abs(s-want) > 1e-9*(1+math.Abs(want)) {
				t.Errorf("avx2=%v SumF64 of %d = %v, want %v", impl, n, s, want)
			}
			sums = append(sums, s)
			acc := make([]float64, n+2)
			for i := range acc {
				acc[i] = float64(i)
			}
			AccF64(acc, x)
			for i := range x {
				if acc[i] != float64(i)+float64(x[i]) {
					t.Fatalf("avx2=%v AccF64 n=%d [%d] = %v, want %v", impl, n, i, acc[i], float64(i)+float64(x[i]))
				}
			}
			if acc[n] != float64(n) || acc[n+1] != float64(n+1) {
				t.Fatalf("avx2=%v AccF64 n=%d wrote past len(x)", impl, n)
			}
			accs = append(accs, acc)
		}
		for _, s := range sums[1:] {
			if s != sums[0] {
				t.Errorf("n=%d: SumF64 differs between versions: %v vs %v", n, s, sums[0])
			}
		}
	}
}

// SumSqDiffF64 and DotF64: vector and Go versions in the same order, so
// equal to the bit, and both close to a plain float64 loop.
func TestVarianceAndDotF64(t *testing.T) {
	defer func(v bool) { useVecAVX2 = v }(useVecAVX2)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 3, 4, 5, 15, 16, 17, 33, 64, 65, 999} {
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], y[i] = rng.Float32()*20-7, rng.Float32()*4-2
		}
		mu := 3.25
		var wantSq, wantDot float64
		for i := range x {
			d := float64(x[i]) - mu
			wantSq += d * d
			wantDot += float64(x[i]) * float64(y[i])
		}
		var got [][2]float64
		for _, impl := range []bool{false, true} {
			if impl && !haveAVX2 {
				continue
			}
			useVecAVX2 = impl
			sq, dot := SumSqDiffF64(x, mu), DotF64(x, y)
			if math.Abs(sq-wantSq) > 1e-9*(1+wantSq) || math.Abs(dot-wantDot) > 1e-9*(1+math.Abs(wantDot)) {
				t.Errorf("avx2=%v n=%d: SumSqDiffF64 %v (want %v), DotF64 %v (want %v)", impl, n, sq, wantSq, dot, wantDot)
			}
			got = append(got, [2]float64{sq, dot})
		}
		for _, g := range got[1:] {
			if g != got[0] {
				t.Errorf("n=%d: versions differ: %v vs %v", n, g, got[0])
			}
		}
	}
}
