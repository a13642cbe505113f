package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// guard is the bit pattern written around and between the rows of every
// buffer; a store outside the matrix changes it and fails the test.
const guard = 0x7fc0dead // a quiet NaN

const guardLen = 37 // odd, so the matrix start is misaligned too

// guarded is a rows×cols matrix with row stride ld, surrounded by guards.
type guarded struct {
	buf            []float32
	rows, cols, ld int
	data           []float32 // buf[guardLen:len-guardLen]
}

func newGuarded(rng *rand.Rand, rows, cols, ld int, fill float32) *guarded {
	size := 0
	if rows > 0 {
		size = (rows-1)*ld + cols
	}
	g := &guarded{buf: make([]float32, size+2*guardLen), rows: rows, cols: cols, ld: ld}
	for i := range g.buf {
		g.buf[i] = math.Float32frombits(guard)
	}
	g.data = g.buf[guardLen : guardLen+size : guardLen+size]
	for i := range rows {
		for j := range cols {
			v := fill
			if rng != nil {
				v = rng.Float32()*2 - 1
			}
			g.data[i*ld+j] = v
		}
	}
	return g
}

func (g *guarded) clone() *guarded {
	h := *g
	h.buf = append([]float32(nil), g.buf...)
	h.data = h.buf[guardLen : guardLen+len(g.data) : guardLen+len(g.data)]
	return &h
}

// checkGuards reports any guard or gap element that is no longer the guard.
func (g *guarded) checkGuards(t *testing.T, name string) {
	t.Helper()
	for i, v := range g.buf {
		j := i - guardLen
		inside := j >= 0 && j < len(g.data) && j%g.ld < g.cols
		if !inside && math.Float32bits(v) != guard {
			t.Fatalf("%s: stray store at offset %d (row stride %d, %d×%d): %v", name, j, g.ld, g.rows, g.cols, v)
		}
	}
}

// impls are the micro-kernels this build and CPU can run; each is tested,
// not only the one Sgemm would pick here.
func impls() []string {
	s := []string{"go"}
	if haveAVX2 {
		s = append(s, "avx2")
	}
	if haveAVX512 {
		s = append(s, "avx512")
	}
	return s
}

// force makes Sgemm choose the named kernel until the returned func runs;
// "go" also turns off the vector kernels.
// force picks one implementation and turns the plain loop for tiny
// products off, so that small test sizes exercise that implementation.
func force(name string) (restore func()) {
	old512, old2, oldVec, oldTiny := useAVX512, useAVX2, useVecAVX2, tinyWork
	useAVX512 = name == "avx512"
	useAVX2 = name == "avx2"
	useVecAVX2 = name != "go" && haveAVX2
	tinyWork = 0
	return func() { useAVX512, useAVX2, useVecAVX2, tinyWork = old512, old2, oldVec, oldTiny }
}

func withThreads(n int, minWork int) (restore func()) {
	oldT, oldW := threads.Load(), minParallelWork
	SetThreads(n)
	minParallelWork = minWork
	return func() { threads.Store(oldT); minParallelWork = oldW }
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	pad            int // extra row stride beyond the row length
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,m=%d,n=%d,k=%d,alpha=%v,beta=%v,pad=%d",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.pad)
}

// run checks Sgemm against sgemmRef for one case with the current kernel
// and thread settings.
func (tc gemmCase) run(t *testing.T, rng *rand.Rand) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	a := newGuarded(rng, ar, ac, max(1, ac)+tc.pad, 0)
	b := newGuarded(rng, br, bc, max(1, bc)+tc.pad, 0)
	var c *guarded
	if tc.beta == 0 {
		// beta 0 must overwrite, not scale: NaN*0 would stay NaN.
		c = newGuarded(nil, tc.m, tc.n, tc.n+tc.pad, float32(math.NaN()))
	} else {
		c = newGuarded(rng, tc.m, tc.n, tc.n+tc.pad, 0)
	}
	want := c.clone()
	sgemmRef(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data, a.ld, b.data, b.ld, tc.beta, want.data, want.ld)
	// The error bound of a k-term float32 dot product, scaled by the sum of
	// magnitudes; any wrong element or missed term is far outside it.
	absA, absB := a.clone(), b.clone()
	for _, m := range []*guarded{absA, absB} {
		for i := range m.data {
			m.data[i] = float32(math.Abs(float64(m.data[i])))
		}
	}
	mag := newGuarded(nil, tc.m, tc.n, tc.n+tc.pad, 0)
	sgemmRef(tc.transA, tc.transB, tc.m, tc.n, tc.k, 1, absA.data, absA.ld, absB.data, absB.ld, 0, mag.data, mag.ld)
	aBefore, bBefore := a.clone(), b.clone()

	Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data, a.ld, b.data, b.ld, tc.beta, c.data, c.ld)

	c.checkGuards(t, "C")
	for i := range a.buf {
		if math.Float32bits(a.buf[i]) != math.Float32bits(aBefore.buf[i]) {
			t.Fatalf("A modified at %d", i-guardLen)
		}
	}
	for i := range b.buf {
		if math.Float32bits(b.buf[i]) != math.Float32bits(bBefore.buf[i]) {
			t.Fatalf("B modified at %d", i-guardLen)
		}
	}
	eps := float64(math.Nextafter32(1, 2) - 1)
	for i := range tc.m {
		for j := range tc.n {
			got, w := float64(c.data[i*c.ld+j]), float64(want.data[i*want.ld+j])
			tol := float64(2*tc.k+4) * eps * (math.Abs(float64(tc.alpha))*float64(mag.data[i*mag.ld+j]) + math.Abs(w))
			if math.IsNaN(got) || math.Abs(got-w) > tol {
				t.Fatalf("C[%d][%d] = %v, want %v (tol %g)", i, j, got, w, tol)
			}
		}
	}
}

func TestSgemm(t *testing.T) {
	// Row-major A with alpha 1 is read in place, else packed: the scalars
	// below include alpha 1 and others.
	small := [][3]int{
		{1, 1, 1}, {1, 7, 3}, {7, 1, 5}, {7, 7, 7}, {2, 3, 0}, {33, 33, 33},
		{13, 37, 1}, {33, 7, 257}, {40, 33, 7}, {5, 100, 33}, {6, 16, 4}, {12, 32, 9},
		{24, 64, 3}, {25, 65, 2},
		{2, 300, 70}, {3, 65, 257}, {4, 40, 9}, {5, 40, 9}, // around smallM
		{150, 40, 300}, // narrow, m over blockMC, k over blockKC: a transposed A read in place
	}
	big := [][3]int{
		{257, 257, 257},     // every edge at once
		{65, 129, 300},      // k over blockKC
		{300, 70, 40},       // m over blockMC
		{3, blockNC + 5, 5}, // n over blockNC
		{129, 47, 520},
	}
	scalars := [][2]float32{{1, 0}, {0.5, 2}, {-1.5, 1}, {0, -1}}
	for _, impl := range impls() {
		t.Run(impl, func(t *testing.T) {
			defer force(impl)()
			rng := rand.New(rand.NewPCG(1, 2))
			// Threads 1, and 2 and 3 with the parallel cut-off removed so
			// that even small products are split (3 gives uneven strips).
			for _, th := range []int{1, 2, 3} {
				defer withThreads(th, 0)()
				for _, s := range small {
					for tr := range 4 {
						for _, ab := range scalars {
							for _, pad := range []int{0, 3} {
								tc := gemmCase{tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], ab[0], ab[1], pad}
								t.Run(fmt.Sprintf("threads=%d/%v", th, tc), func(t *testing.T) { tc.run(t, rng) })
							}
						}
					}
				}
				if th == 3 || testing.Short() {
					continue
				}
				for _, s := range big {
					for tr := range 4 {
						tc := gemmCase{tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], 0.5, 2, 5}
						if tr == 0 {
							tc.beta = 0
						}
						t.Run(fmt.Sprintf("threads=%d/%v", th, tc), func(t *testing.T) { tc.run(t, rng) })
					}
				}
			}
		})
	}
}

// TestSgemmColumnBlocks shrinks the shared packed B so that products are
// done in several column blocks, on one thread and on two.
func TestSgemmColumnBlocks(t *testing.T) {
	old, oldSerial := sharedBFloats, serialGridWork
	defer func() { sharedBFloats, serialGridWork = old, oldSerial }()
	sharedBFloats = 3000
	serialGridWork = 0 // one thread goes through gemmGrid too
	for _, impl := range impls() {
		defer force(impl)()
		rng := rand.New(rand.NewPCG(5, 6))
		for _, th := range []int{1, 2} {
			defer withThreads(th, 0)()
			for tr := range 4 {
				tc := gemmCase{tr&1 != 0, tr&2 != 0, 50, 200, 40, 0.5, 2, 3}
				t.Run(fmt.Sprintf("%s/threads=%d/%v", impl, th, tc), func(t *testing.T) { tc.run(t, rng) })
			}
		}
	}
}

// TestSgemmGrid runs the parallel grid with up to 16 goroutines (taking
// turns on a small machine) over products that reach each way of reading
// the operands: A in place, packed and shared by several column chunks
// (alpha ≠ 1, or rows 4 KiB apart), packed by its one reader; B in place,
// shared by several row blocks, packed by its one reader; and several
// column blocks.
func TestSgemmGrid(t *testing.T) {
	defer func(l bool, s int) { limitToProcs, sharedBFloats = l, s }(limitToProcs, sharedBFloats)
	limitToProcs = false
	cases := []gemmCase{
		{false, false, 150, 200, 260, 0.5, 2, 1}, // shared A (alpha), shared B
		{false, false, 150, 200, 260, 1, 0, 0},   // A in place
		{false, false, 150, 40, 1000, 1, 1, 24},  // rows of A 1024 floats apart: packed
		{true, true, 150, 200, 260, 1, 0.5, 3},   // transposed: both packed
		{false, true, 64, 700, 100, 1, 0, 0},     // one row block: B packed privately
		{true, false, 64, 700, 100, -1, 1, 2},    // one row block: B in place
		{false, false, 300, 70, 300, 0.5, 0, 0},  // few columns
		{true, false, 2, 900, 40, 1, 0, 0},       // fewer rows than a tile... of 5 for smallM
		{false, true, 500, 33, 257, 1, 0, 0},     // one partial panel
		{true, true, 145, 1000, 7, 2, -1, 1},     // two row blocks, one short; k in one slab
	}
	for _, impl := range impls() {
		defer force(impl)()
		rng := rand.New(rand.NewPCG(13, 14))
		for _, th := range []int{1, 3, 16} {
			defer withThreads(th, 0)()
			for _, bfloats := range []int{1 << 20, 5000} { // one column block, several
				sharedBFloats = bfloats
				for _, tc := range cases {
					t.Run(fmt.Sprintf("%s/threads=%d/sharedB=%d/%v", impl, th, bfloats, tc), func(t *testing.T) { tc.run(t, rng) })
				}
			}
		}
	}
}

// TestSgemmKSplit checks products split along k (small C, long k) on 1, 3
// and 16 goroutines, and that the thread count changes no bit.
func TestSgemmKSplit(t *testing.T) {
	defer func(l bool) { limitToProcs = l }(limitToProcs)
	limitToProcs = false
	rng := rand.New(rand.NewPCG(17, 18))
	for _, impl := range impls() {
		defer force(impl)()
		for _, th := range []int{1, 3, 16} {
			defer withThreads(th, minParallelWork)()
			for tr := range 4 {
				for _, ab := range [][2]float32{{1, 0}, {0.5, 2}} {
					tc := gemmCase{tr&1 != 0, tr&2 != 0, 40, 100, 2*kPart + 77, ab[0], ab[1], 2}
					if !useKSplit(tc.m, tc.n, tc.k) {
						t.Fatalf("%v is not split", tc)
					}
					t.Run(fmt.Sprintf("%s/threads=%d/%v", impl, th, tc), func(t *testing.T) { tc.run(t, rng) })
				}
			}
		}
	}
	const m, n, k = 40, 60, 3*kPart + 5
	a, b := randSlice(rng, m*k), randSlice(rng, k*n)
	var want []float32
	for _, th := range []int{1, 2, 16} {
		defer withThreads(th, minParallelWork)()
		c := make([]float32, m*n)
		Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
		if want == nil {
			want = c
		}
		for i := range c {
			if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
				t.Fatalf("threads=%d: C[%d] = %v, on one thread %v", th, i, c[i], want[i])
			}
		}
	}
}

// TestSgemmSameBitsAnyThreads checks that the thread count does not change
// a single bit of the result: every element is summed in the same order
// whatever the grid.
func TestSgemmSameBitsAnyThreads(t *testing.T) {
	defer func(l bool) { limitToProcs = l }(limitToProcs)
	limitToProcs = false
	rng := rand.New(rand.NewPCG(15, 16))
	const m, n, k = 301, 517, 600
	a, b := randSlice(rng, m*k), randSlice(rng, k*n)
	var want []float32
	for _, th := range []int{1, 2, 3, 7, 16} {
		defer withThreads(th, 0)()
		c := make([]float32, m*n)
		Sgemm(false, false, m, n, k, 0.5, a, k, b, n, 0, c, n)
		if want == nil {
			want = c
			continue
		}
		for i := range c {
			if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
				t.Fatalf("threads=%d: C[%d] = %v, on one thread %v", th, i, c[i], want[i])
			}
		}
	}
}

// TestMicroKernels checks each micro-kernel alone against its reference loop,
// with a C tile whose row stride leaves gaps that must stay untouched.
func TestMicroKernels(t *testing.T) {
	kernels := []*microKernel{&kernelGo}
	if haveAVX2 {
		kernels = append(kernels, &kernelAVX2)
	}
	if haveAVX512 {
		kernels = append(kernels, &kernelAVX512)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kn := range kernels {
		for _, k := range []int{0, 1, 2, 7, 64, 257} {
			for _, inPlace := range []bool{false, true} {
				for rows := 1; rows <= kn.mr; rows++ {
					// Packed: mr values per column of A. In place: rows
					// rows of a row-major A with stride k+3 (no padding
					// rows to read past).
					a := newGuarded(rng, 1, kn.mr*k, max(1, kn.mr*k), 0)
					rs, cs := 1, kn.mr
					if inPlace {
						a = newGuarded(rng, rows, k, k+3, 0)
						rs, cs = k+3, 1
					}
					// B packed (rsB = nr) or in place in a wider matrix.
					b := newGuarded(rng, 1, kn.nr*k, max(1, kn.nr*k), 0)
					rsB := kn.nr
					if inPlace {
						b = newGuarded(rng, max(1, k), kn.nr, kn.nr+7, 0)
						rsB = kn.nr + 7
					}
					c := newGuarded(rng, rows, kn.nr, kn.nr+5, 0)
					// Half the runs store, over a C of NaNs that must vanish.
					acc := rows%2 == 0
					if !acc {
						for i := range c.data {
							if i%c.ld < kn.nr {
								c.data[i] = float32(math.NaN())
							}
						}
					}
					want := c.clone()
					sgemmKernelRef(rows, kn.nr, k, a.data, rs, cs, b.data, rsB, want.data, want.ld, acc)
					kn.fn(k, rows, a.data, rs, cs, b.data, rsB, c.data, c.ld, acc)
					c.checkGuards(t, kn.name)
					for i := range c.data {
						if i%c.ld >= kn.nr {
							continue
						}
						if d := math.Abs(float64(c.data[i] - want.data[i])); d > 1e-4 {
							t.Fatalf("%s k=%d rows=%d inPlace=%v: c[%d] = %v, want %v", kn.name, k, rows, inPlace, i, c.data[i], want.data[i])
						}
					}
				}
			}
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	for _, f := range []func(){
		func() { Sgemm(false, false, -1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) },
		func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 1, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		func() {
			Sgemm(true, false, 2, 3, 2, 1, make([]float32, 4), 2, make([]float32, 6), 3, 0, make([]float32, 5), 3)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

func TestThreads(t *testing.T) {
	defer withThreads(0, minParallelWork)()
	if Threads() < 1 {
		t.Fatalf("default Threads() = %d", Threads())
	}
	SetThreads(3)
	if Threads() != 3 {
		t.Fatalf("Threads() = %d after SetThreads(3)", Threads())
	}
}

// TestTransposeBlock checks the packing transpose (packT4 and its ragged
// edges) against its loop, with guards around and between the rows of dst.
func TestTransposeBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for rows := 1; rows <= 13; rows++ {
		for k := 1; k <= 11; k++ {
			src := newGuarded(rng, rows, k, k+2, 0)
			dst := newGuarded(nil, k, rows, rows+3, 0)
			transposeBlock(dst.data, dst.ld, src.data, src.ld, rows, k, 0.5)
			dst.checkGuards(t, "transposeBlock")
			for r := range rows {
				for p := range k {
					if got, want := dst.data[p*dst.ld+r], 0.5*src.data[r*src.ld+p]; got != want {
						t.Fatalf("rows=%d k=%d: dst[%d][%d] = %v, want %v", rows, k, p, r, got, want)
					}
				}
			}
		}
	}
}

// TestSgemmConcurrent runs parallel products from several goroutines at
// once: they share the helper goroutines and the buffer free lists.
func TestSgemmConcurrent(t *testing.T) {
	defer withThreads(2, 0)()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(9, uint64(g)))
			for i := range 20 {
				tc := gemmCase{i%2 == 1, i%3 == 1, 20 + g*7 + i, 30 + i*3, 17 + g, 1, 0.5, 1}
				t.Run(fmt.Sprintf("g=%d/%v", g, tc), func(t *testing.T) { tc.run(t, rng) })
			}
		})
	}
	wg.Wait()
}

// TestVectorKernels checks Saxpy and Sdot, assembly and Go, against their
// loops for every length up to a few vectors and at every alignment.
func TestVectorKernels(t *testing.T) {
	impls := []bool{false}
	if haveAVX2 {
		impls = append(impls, true)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, vec := range impls {
		old := useVecAVX2
		useVecAVX2 = vec
		for n := range 75 {
			x := newGuarded(rng, 1, n, max(1, n), 0)
			y := newGuarded(rng, 1, n, max(1, n), 0)
			want := y.clone()
			var dot float64
			var mag float64
			for i := range n {
				want.data[i] += 1.5 * x.data[i]
				dot += float64(x.data[i]) * float64(y.data[i])
				mag += math.Abs(float64(x.data[i]) * float64(y.data[i]))
			}
			if got := Sdot(x.data, y.data); math.Abs(float64(got)-dot) > 1e-6*float64(n+1)*mag+1e-30 {
				t.Fatalf("vec=%v n=%d: Sdot = %v, want %v", vec, n, got, dot)
			}
			Saxpy(1.5, x.data, y.data)
			y.checkGuards(t, "Saxpy")
			for i := range n {
				if d := math.Abs(float64(y.data[i] - want.data[i])); d > 1e-6 {
					t.Fatalf("vec=%v n=%d: Saxpy y[%d] = %v, want %v", vec, n, i, y.data[i], want.data[i])
				}
			}
		}
		useVecAVX2 = old
	}
}

// Few rows of C take the Saxpy/Sdot path. Exact-size operands (no guard
// slack to read into) with k smaller than m catch an index computed for
// the wrong layout even when its value would be thrown away.
func TestSgemmSmallMExactOperands(t *testing.T) {
	oldTiny := tinyWork
	tinyWork = 0 // these sizes would take the plain loop
	defer func() { tinyWork = oldTiny }()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, transA := range []bool{false, true} {
		for _, transB := range []bool{false, true} {
			for m := 1; m <= smallM; m++ {
				for k := 1; k <= 3; k++ {
					for _, n := range []int{1, 5, 17} {
						a := randSlice(rng, m*k)
						b := randSlice(rng, k*n)
						lda, ldb := k, n
						if transA {
							lda = m
						}
						if transB {
							ldb = k
						}
						got, want := randSlice(rng, m*n), make([]float32, m*n)
						copy(want, got)
						Sgemm(transA, transB, m, n, k, 1.5, a, lda, b, ldb, 0.5, got, n)
						sgemmRef(transA, transB, m, n, k, 1.5, a, lda, b, ldb, 0.5, want, n)
						for i := range want {
							if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
								t.Fatalf("transA=%v transB=%v m=%d n=%d k=%d: C[%d] = %v, want %v", transA, transB, m, n, k, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}
