package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// optimImpls are the ways the optimizer kernels can run; each is forced in
// turn, so every implementation is compared with the Go loops whatever
// the machine's fastest is.
var optimImpls = []struct {
	name         string
	avx512, avx2 bool
	skip         bool
}{{"go", false, false, false}, {"avx2", false, true, !haveAVX2}, {"avx512", true, false, !haveAVX512}}

func forceOptim(avx512, avx2 bool) (restore func()) {
	o512, o2 := useOptimAVX512, useOptimAVX2
	useOptimAVX512, useOptimAVX2 = avx512, avx2
	return func() { useOptimAVX512, useOptimAVX2 = o512, o2 }
}

func TestOptimScalarsLayout(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[AdamScalars](), reflect.TypeFor[SGDScalars](), reflect.TypeFor[RMSpropScalars]()} {
		want := optimFieldOrder[typ.Name()]
		if typ.NumField() != len(want) {
			t.Fatalf("%s has %d fields, the kernels read %d: rerun go generate", typ.Name(), typ.NumField(), len(want))
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Name != want[i] || f.Type.Kind() != reflect.Float32 || f.Offset != uintptr(4*i) {
				t.Fatalf("%s field %d is %s %s at offset %d; the kernels read %s, a float32, at %d",
					typ.Name(), i, f.Name, f.Type, f.Offset, want[i], 4*i)
			}
		}
	}
}

// optimValues returns n values for weights, gradients or state: mostly
// ordinary ones, with zeros, subnormals, the smallest normals, huge values,
// infinities and NaN among them.
func optimValues(rng *rand.Rand, n int, nonNegative bool) []float32 {
	specials := []float32{0, float32(math.Copysign(0, -1)), 1e-39, -3e-40, math.SmallestNonzeroFloat32,
		1.1754944e-38, -1.1754944e-38, 1.2e-38, 1e-20, -1e-20, 1e30, -1e30,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	s := make([]float32, n)
	for i := range s {
		if rng.IntN(8) == 0 {
			s[i] = specials[rng.IntN(len(specials))]
		} else {
			s[i] = float32(rng.NormFloat64())
		}
		if nonNegative && s[i] < 0 {
			s[i] = -s[i]
		}
	}
	return s
}

// sameBits compares two results: identical bits, or both NaN (the payload
// of a NaN depends on operand order, which the compiler may choose).
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// optimCase is one run of a kernel over guarded buffers against its
// reference loop on copies.
type optimCase struct {
	name   string
	slices int                         // buffers: w, g, then state
	off    []bool                      // state buffers that are nil in this variant
	run    func(bufs [][]float32)      // the public entry point
	ref    func(bufs [][]float32)      // the reference loop
	nonNeg func(i int) bool            // buffer i holds non-negative values
	setup  func(rng *rand.Rand) string // sets the scalars, describes them
}

func checkOptimCase(t *testing.T, impl string, c optimCase, rng *rand.Rand) {
	t.Helper()
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 3*optimGrain + 37} {
		desc := c.setup(rng)
		bufs := make([]*guarded, c.slices)
		got, want := make([][]float32, c.slices), make([][]float32, c.slices)
		for i := range bufs {
			if c.off[i] {
				continue
			}
			bufs[i] = newGuarded(nil, 1, n, n, 0)
			copy(bufs[i].data, optimValues(rng, n, c.nonNeg(i)))
			got[i] = bufs[i].data
			want[i] = append([]float32(nil), bufs[i].data...)
		}
		c.run(got)
		c.ref(want)
		for i, b := range bufs {
			if b == nil {
				continue
			}
			b.checkGuards(t, fmt.Sprintf("%s %s n=%d buffer %d", impl, c.name, n, i))
			for j := range got[i] {
				if !sameBits(got[i][j], want[i][j]) {
					t.Fatalf("%s %s (%s) n=%d: buffer %d element %d = %v, reference %v",
						impl, c.name, desc, n, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
}

func TestOptimKernelsMatchReferenceLoops(t *testing.T) {
	defer SetThreads(0)
	SetThreads(3) // the large case is split, as it is in training
	rng := rand.New(rand.NewPCG(3, 9))
	var cases []optimCase
	nonNegState := func(first int) func(int) bool { return func(i int) bool { return i >= first } }
	for _, ams := range []bool{false, true} {
		var s AdamScalars
		setup := func(rng *rand.Rand) string {
			b1, b2 := 0.5+0.49*rng.Float64(), 0.9+0.0999*rng.Float64()
			step := float64(1 + rng.IntN(1000))
			s = AdamScalars{Beta1: float32(b1), OneMinusBeta1: float32(1 - b1), Beta2: float32(b2), OneMinusBeta2: float32(1 - b2),
				Eps: 1e-8, BiasCorrection2: float32(math.Sqrt(1 - math.Pow(b2, step))), StepSize: float32(1e-3 / (1 - math.Pow(b1, step))), Shrink: 1}
			switch rng.IntN(3) {
			case 1:
				s.WeightDecay = 1e-2
			case 2:
				s.Shrink = 1 - 1e-4
			}
			return fmt.Sprintf("%+v", s)
		}
		cases = append(cases, optimCase{
			name: fmt.Sprintf("Adam ams=%v", ams), slices: 5, off: []bool{false, false, false, false, !ams},
			run: func(b [][]float32) { AdamStep(s, b[0], b[1], b[2], b[3], b[4]) },
			ref: func(b [][]float32) { adamGo(&s, b[0], b[1], b[2], b[3], b[4]) },
			// v and vmax are sums of squares: non-negative.
			nonNeg: nonNegState(3), setup: setup,
		})
	}
	for _, mom := range []bool{false, true} {
		var s SGDScalars
		setup := func(rng *rand.Rand) string {
			s = SGDScalars{LR: 0.1, GradScale: 1}
			if rng.IntN(2) == 0 {
				s.WeightDecay = 1e-3
			}
			if mom && rng.IntN(3) > 0 { // else the first step: Decay 0, GradScale 1
				s.Decay, s.GradScale = 0.9, 0.7
			}
			if mom && rng.IntN(2) == 0 {
				s.Nesterov, s.GradScale = 0.9, 1
			}
			return fmt.Sprintf("%+v", s)
		}
		cases = append(cases, optimCase{
			name: fmt.Sprintf("SGD momentum=%v", mom), slices: 3, off: []bool{false, false, !mom},
			run:    func(b [][]float32) { SGDStep(s, b[0], b[1], b[2]) },
			ref:    func(b [][]float32) { sgdGo(&s, b[0], b[1], b[2]) },
			nonNeg: func(int) bool { return false }, setup: setup,
		})
	}
	for _, centered := range []bool{false, true} {
		for _, mom := range []bool{false, true} {
			var s RMSpropScalars
			setup := func(rng *rand.Rand) string {
				a := 0.9 + 0.09*rng.Float64()
				s = RMSpropScalars{LR: 1e-2, Alpha: float32(a), OneMinusAlpha: float32(1 - a), Eps: 1e-8}
				if rng.IntN(2) == 0 {
					s.WeightDecay = 1e-3
				}
				if mom {
					s.Momentum = 0.5
				}
				return fmt.Sprintf("%+v", s)
			}
			cases = append(cases, optimCase{
				name: fmt.Sprintf("RMSprop centered=%v momentum=%v", centered, mom), slices: 5,
				off: []bool{false, false, false, !centered, !mom},
				run: func(b [][]float32) { RMSpropStep(s, b[0], b[1], b[2], b[3], b[4]) },
				ref: func(b [][]float32) { rmspropGo(&s, b[0], b[1], b[2], b[3], b[4]) },
				// sq is a running mean of squares.
				nonNeg: func(i int) bool { return i == 2 }, setup: setup,
			})
		}
	}
	for _, impl := range optimImpls {
		if impl.skip {
			t.Logf("%s: not on this CPU", impl.name)
			continue
		}
		restore := forceOptim(impl.avx512, impl.avx2)
		for _, c := range cases {
			for range 4 {
				checkOptimCase(t, impl.name, c, rng)
			}
		}
		restore()
	}
}

// TestOptimStateNeverSubnormal runs each optimizer's kernel for thousands
// of steps on weights whose gradient becomes exactly zero (a dead input),
// and checks that no state element is ever left subnormal: unflushed, Adam's
// first moment would be subnormal from about step 850 on.
func TestOptimStateNeverSubnormal(t *testing.T) {
	const n, steps = 1000, 3000
	subnormal := func(x float32) bool { return x != 0 && math.Abs(float64(x)) < 0x1p-126 }
	for _, impl := range optimImpls {
		if impl.skip {
			continue
		}
		restore := forceOptim(impl.avx512, impl.avx2)
		w, g := make([]float32, n), make([]float32, n)
		state := make([][]float32, 8)
		for i := range state {
			state[i] = make([]float32, n)
		}
		for i := range w {
			w[i] = float32(i%7) * 0.1
		}
		for step := 1; step <= steps; step++ {
			for i := range g {
				g[i] = 0
				if step <= 5 {
					g[i] = float32(i%5-2) * 0.3 // live for a few steps, then dead
				}
			}
			t := float64(step)
			AdamStep(AdamScalars{Beta1: 0.9, OneMinusBeta1: 0.1, Beta2: 0.999, OneMinusBeta2: 1 - 0.999, Eps: 1e-8,
				BiasCorrection2: float32(math.Sqrt(1 - math.Pow(0.999, t))), StepSize: float32(1e-3 / (1 - math.Pow(0.9, t))), Shrink: 1},
				w, g, state[0], state[1], state[2])
			SGDStep(SGDScalars{LR: 0.01, Decay: 0.9, GradScale: 1}, w, g, state[3])
			SGDStep(SGDScalars{LR: 0.01, Decay: 0.5, GradScale: 1, Nesterov: 0.5}, w, g, state[4])
			RMSpropStep(RMSpropScalars{LR: 1e-3, Alpha: 0.9, OneMinusAlpha: 0.1, Eps: 1e-8, Momentum: 0.9},
				w, g, state[5], state[6], state[7])
		}
		for i, s := range state {
			for j, v := range s {
				if subnormal(v) {
					t.Fatalf("%s: state %d element %d is subnormal after %d steps: %g", impl.name, i, j, steps, v)
				}
			}
		}
		restore()
	}
}

// BenchmarkOptimKernels times one Adam step over a 784×256 weight (the
// MLP's first layer) with each implementation, on one thread.
func BenchmarkOptimKernels(b *testing.B) {
	const n = 784 * 256
	rng := rand.New(rand.NewPCG(1, 2))
	w, g := randFloats(rng, n), randFloats(rng, n)
	s := AdamScalars{Beta1: 0.9, OneMinusBeta1: 0.1, Beta2: 0.999, OneMinusBeta2: 1 - 0.999, Eps: 1e-8,
		BiasCorrection2: 0.5, StepSize: 1e-3, Shrink: 1}
	defer SetThreads(0)
	SetThreads(1)
	for _, impl := range optimImpls {
		if impl.skip {
			continue
		}
		b.Run("adam/"+impl.name, func(b *testing.B) {
			defer forceOptim(impl.avx512, impl.avx2)()
			m, v := make([]float32, n), make([]float32, n)
			for b.Loop() {
				AdamStep(s, w, g, m, v, nil)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}
