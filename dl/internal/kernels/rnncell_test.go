package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// lstmImpls are the ways the LSTM cell kernels can run; each is forced in
// turn.
var lstmImpls = []struct {
	name         string
	avx512, avx2 bool
	skip         bool
}{{"go", false, false, false}, {"avx2", false, true, !haveAVX2}, {"avx512", true, false, !haveAVX512}}

func sigmoid64(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// lstmClose reports whether got is within float32 rounding of want, the
// float64 value of the reference loop (a few ulp, or absolute near 0).
func lstmClose(got float32, want float64) bool {
	return math.Abs(float64(got)-want) <= 4e-7*max(1, math.Abs(want))
}

// guardedRow is a guarded buffer of n values uniform in [-s, s).
func guardedRow(rng *rand.Rand, n int, s float32) *guarded {
	g := newGuarded(nil, 1, n, n, 0)
	for i := range g.data {
		g.data[i] = (rng.Float32()*2 - 1) * s
	}
	return g
}

// TestLSTMCell checks LSTMCell against its reference loop worked in
// float64, at widths that cover whole vectors and masked tails, and that
// nothing past the row is written.
func TestLSTMCell(t *testing.T) {
	defer func(a, a2 bool) { useActAVX512, useActAVX2 = a, a2 }(useActAVX512, useActAVX2)
	for _, impl := range lstmImpls {
		if impl.skip {
			t.Logf("%s: not on this CPU", impl.name)
			continue
		}
		useActAVX512, useActAVX2 = impl.avx512, impl.avx2
		for _, H := range []int{1, 5, 7, 8, 9, 15, 16, 17, 33, 64, 100} {
			name := fmt.Sprintf("%s H=%d", impl.name, H)
			rng := rand.New(rand.NewPCG(7, uint64(H)))
			g, cp := guardedRow(rng, 4*H, 6), guardedRow(rng, H, 3)
			cn, tc, h := guardedRow(rng, H, 0), guardedRow(rng, H, 0), guardedRow(rng, H, 0)
			g0 := append([]float32(nil), g.data...)
			LSTMCell(g.data, cp.data, cn.data, tc.data, h.data)
			for _, b := range []*guarded{g, cp, cn, tc, h} {
				b.checkGuards(t, name)
			}
			for j := range H {
				i, f := sigmoid64(float64(g0[j])), sigmoid64(float64(g0[H+j]))
				gg, o := math.Tanh(float64(g0[2*H+j])), sigmoid64(float64(g0[3*H+j]))
				c := f*float64(cp.data[j]) + i*gg
				for _, v := range []struct {
					what string
					got  float32
					want float64
				}{{"i", g.data[j], i}, {"f", g.data[H+j], f}, {"g", g.data[2*H+j], gg}, {"o", g.data[3*H+j], o},
					{"c", cn.data[j], c}, {"tanh c", tc.data[j], math.Tanh(c)}, {"h", h.data[j], o * math.Tanh(c)}} {
					if !lstmClose(v.got, v.want) {
						t.Errorf("%s unit %d: %s = %v, want %v", name, j, v.what, v.got, v.want)
					}
				}
			}
		}
	}
}

// TestLSTMCellBackward checks LSTMCellBackward against its reference loop
// worked in float64 from the same float32 inputs, and its gradients
// against central differences of LSTMCell's float64 reference.
func TestLSTMCellBackward(t *testing.T) {
	defer func(a, a2 bool) { useActAVX512, useActAVX2 = a, a2 }(useActAVX512, useActAVX2)
	for _, impl := range lstmImpls {
		if impl.skip {
			continue
		}
		useActAVX512, useActAVX2 = impl.avx512, impl.avx2
		for _, H := range []int{1, 5, 7, 8, 9, 16, 17, 23, 64, 100} {
			name := fmt.Sprintf("%s H=%d", impl.name, H)
			rng := rand.New(rand.NewPCG(9, uint64(H)))
			pre, cp := guardedRow(rng, 4*H, 3), guardedRow(rng, H, 2)
			gh, dh, dc := guardedRow(rng, H, 1), guardedRow(rng, H, 1), guardedRow(rng, H, 1)
			d := guardedRow(rng, 4*H, 0)
			// The forward in float64 gives the activations the backward reads.
			a, tc := guardedRow(rng, 4*H, 0), guardedRow(rng, H, 0)
			fwd := func(p []float64, j int, cpj float64) (i, f, g, o, c float64) {
				i, f = sigmoid64(p[j]), sigmoid64(p[H+j])
				g, o = math.Tanh(p[2*H+j]), sigmoid64(p[3*H+j])
				return i, f, g, o, f*cpj + i*g
			}
			p64 := make([]float64, 4*H)
			for k, v := range pre.data {
				p64[k] = float64(v)
			}
			for j := range H {
				i, f, g, o, c := fwd(p64, j, float64(cp.data[j]))
				a.data[j], a.data[H+j], a.data[2*H+j], a.data[3*H+j] = float32(i), float32(f), float32(g), float32(o)
				tc.data[j] = float32(math.Tanh(c))
			}
			dc0 := append([]float32(nil), dc.data...)
			// In place (d = a), as the recurrent layer calls it, and apart:
			// the same bits.
			inPlace, dcIn := a.clone(), dc.clone()
			LSTMCellBackward(a.data, cp.data, tc.data, gh.data, dh.data, dc.data, d.data)
			for _, b := range []*guarded{a, cp, tc, gh, dh, dc, d} {
				b.checkGuards(t, name)
			}
			LSTMCellBackward(inPlace.data, cp.data, tc.data, gh.data, dh.data, dcIn.data, inPlace.data)
			inPlace.checkGuards(t, name+" in place")
			for k, v := range d.data {
				if math.Float32bits(v) != math.Float32bits(inPlace.data[k]) {
					t.Fatalf("%s: in place, d[%d] = %v, apart %v", name, k, inPlace.data[k], v)
				}
			}
			// The AVX2 kernel computes as the AVX-512 one: the same bits.
			if impl.avx2 && haveAVX512 {
				useActAVX512 = true
				d512, dc512 := d.clone(), dc.clone()
				copy(dc512.data, dc0)
				LSTMCellBackward(a.data, cp.data, tc.data, gh.data, dh.data, dc512.data, d512.data)
				useActAVX512 = false
				for _, c := range [][2][]float32{{d.data, d512.data}, {dc.data, dc512.data}} {
					if k, differ := firstBitDiff(c[0], c[1]); differ {
						t.Fatalf("%s: element %d = %v, AVX-512 %v", name, k, c[0][k], c[1][k])
					}
				}
			}
			for j := range H {
				// The loss L = (gh+dh)·h + dc·c, whose gradients the kernel
				// gives: by central differences in float64.
				loss := func(p []float64, cpj float64) float64 {
					_, _, _, o, c := fwd(p, j, cpj)
					return float64(gh.data[j]+dh.data[j])*o*math.Tanh(c) + float64(dc0[j])*c
				}
				const eps = 1e-6
				for q := range 4 {
					k := q*H + j
					p := append([]float64(nil), p64...)
					p[k] += eps
					up := loss(p, float64(cp.data[j]))
					p[k] -= 2 * eps
					want := (up - loss(p, float64(cp.data[j]))) / (2 * eps)
					if math.Abs(float64(d.data[k])-want) > 2e-6*max(1, math.Abs(want)) {
						t.Errorf("%s unit %d gate %d: d = %v, finite differences %v", name, j, q, d.data[k], want)
					}
				}
				cpj := float64(cp.data[j])
				want := (loss(p64, cpj+1e-6) - loss(p64, cpj-1e-6)) / 2e-6
				if math.Abs(float64(dc.data[j])-want) > 2e-6*max(1, math.Abs(want)) {
					t.Errorf("%s unit %d: dc = %v, finite differences %v", name, j, dc.data[j], want)
				}
			}
		}
	}
}

// TestGRUCellBackward checks GRUCellBackward, in place and apart, against
// central differences of a GRU step worked in float64: h = (1-z)·n + z·hp
// with r, z = σ(x + u), n = tanh(xₙ + r·uₙ), the loss (gh+dh)·h.
func TestGRUCellBackward(t *testing.T) {
	defer func(a, a2 bool) { useActAVX512, useActAVX2 = a, a2 }(useActAVX512, useActAVX2)
	for _, impl := range lstmImpls {
		if impl.skip {
			continue
		}
		useActAVX512, useActAVX2 = impl.avx512, impl.avx2
		for _, H := range []int{1, 5, 7, 8, 9, 16, 17, 23, 64, 100} {
			name := fmt.Sprintf("%s H=%d", impl.name, H)
			rng := rand.New(rand.NewPCG(5, uint64(H)))
			xs, us, hp := guardedRow(rng, 3*H, 2), guardedRow(rng, 3*H, 2), guardedRow(rng, H, 1)
			gh, dh := guardedRow(rng, H, 1), guardedRow(rng, H, 1)
			a, un := guardedRow(rng, 3*H, 0), guardedRow(rng, H, 0)
			d, du := guardedRow(rng, 3*H, 0), guardedRow(rng, 3*H, 0)
			// step gives unit j's new state from the pre-activations.
			step := func(x, u []float64, hpj float64, j int) (r, z, n, h float64) {
				r, z = sigmoid64(x[j]+u[j]), sigmoid64(x[H+j]+u[H+j])
				n = math.Tanh(x[2*H+j] + r*u[2*H+j])
				return r, z, n, (1-z)*n + z*hpj
			}
			x64, u64 := make([]float64, 3*H), make([]float64, 3*H)
			for k := range x64 {
				x64[k], u64[k] = float64(xs.data[k]), float64(us.data[k])
			}
			for j := range H {
				r, z, n, _ := step(x64, u64, float64(hp.data[j]), j)
				a.data[j], a.data[H+j], a.data[2*H+j] = float32(r), float32(z), float32(n)
				un.data[j] = us.data[2*H+j]
			}
			dh0 := append([]float32(nil), dh.data...)
			inPlace, dhIn := a.clone(), dh.clone()
			GRUCellBackward(a.data, un.data, hp.data, gh.data, dh.data, d.data, du.data)
			for _, b := range []*guarded{a, un, hp, gh, dh, d, du} {
				b.checkGuards(t, name)
			}
			du2 := du.clone()
			GRUCellBackward(inPlace.data, un.data, hp.data, gh.data, dhIn.data, inPlace.data, du2.data)
			for k, v := range d.data {
				if math.Float32bits(v) != math.Float32bits(inPlace.data[k]) {
					t.Fatalf("%s: in place, d[%d] = %v, apart %v", name, k, inPlace.data[k], v)
				}
			}
			if impl.avx2 && haveAVX512 {
				useActAVX512 = true
				d512, du512, dh512 := d.clone(), du.clone(), dh.clone()
				copy(dh512.data, dh0)
				GRUCellBackward(a.data, un.data, hp.data, gh.data, dh512.data, d512.data, du512.data)
				useActAVX512 = false
				for _, c := range [][2][]float32{{d.data, d512.data}, {du.data, du512.data}, {dh.data, dh512.data}} {
					if k, differ := firstBitDiff(c[0], c[1]); differ {
						t.Fatalf("%s: element %d = %v, AVX-512 %v", name, k, c[0][k], c[1][k])
					}
				}
			}
			const eps = 1e-6
			near := func(what string, got float32, want float64) {
				if math.Abs(float64(got)-want) > 2e-6*max(1, math.Abs(want)) {
					t.Errorf("%s: %s = %v, finite differences %v", name, what, got, want)
				}
			}
			for j := range H {
				loss := func(x, u []float64, hpj float64) float64 {
					_, _, _, h := step(x, u, hpj, j)
					return float64(gh.data[j]+dh0[j]) * h
				}
				hpj := float64(hp.data[j])
				for q := range 3 {
					k := q*H + j
					x, u := append([]float64(nil), x64...), append([]float64(nil), u64...)
					x[k] += eps
					up := loss(x, u64, hpj)
					x[k] -= 2 * eps
					near(fmt.Sprintf("d[%d]", k), d.data[k], (up-loss(x, u64, hpj))/(2*eps))
					u[k] += eps
					up = loss(x64, u, hpj)
					u[k] -= 2 * eps
					near(fmt.Sprintf("du[%d]", k), du.data[k], (up-loss(x64, u, hpj))/(2*eps))
				}
				near(fmt.Sprintf("dh[%d]", j), dh.data[j], (loss(x64, u64, hpj+eps)-loss(x64, u64, hpj-eps))/(2*eps))
			}
		}
	}
}

// BenchmarkRNNCells times the cell kernels over the rows of one step of
// the step benchmarks' recurrent layers: 64 rows of H = 64 units.
func BenchmarkRNNCells(b *testing.B) {
	defer func(a, a2 bool) { useActAVX512, useActAVX2 = a, a2 }(useActAVX512, useActAVX2)
	const rows, H = 64, 64
	rng := rand.New(rand.NewPCG(1, 1))
	buf := func(n int, s float32) []float32 { return guardedRow(rng, n, s).data }
	g, g0, cp, cn, tc, h := buf(rows*4*H, 3), buf(rows*4*H, 3), buf(rows*H, 1), buf(rows*H, 0), buf(rows*H, 0), buf(rows*H, 0)
	gh, dh, dc, d, du := buf(rows*H, 1), buf(rows*H, 1), buf(rows*H, 1), buf(rows*4*H, 0), buf(rows*3*H, 0)
	for _, impl := range lstmImpls {
		if impl.skip {
			continue
		}
		for _, op := range []struct {
			name string
			run  func(r int)
		}{
			{"lstm", func(r int) {
				LSTMCell(g[r*4*H:(r+1)*4*H], cp[r*H:(r+1)*H], cn[r*H:(r+1)*H], tc[r*H:(r+1)*H], h[r*H:(r+1)*H])
			}},
			{"lstmback", func(r int) {
				LSTMCellBackward(g0[r*4*H:(r+1)*4*H], cp[r*H:(r+1)*H], tc[r*H:(r+1)*H], gh[r*H:(r+1)*H],
					dh[r*H:(r+1)*H], dc[r*H:(r+1)*H], d[r*4*H:(r+1)*4*H])
			}},
			{"gruback", func(r int) {
				GRUCellBackward(g0[r*3*H:(r+1)*3*H], cp[r*H:(r+1)*H], tc[r*H:(r+1)*H], gh[r*H:(r+1)*H],
					dh[r*H:(r+1)*H], d[r*3*H:(r+1)*3*H], du[r*3*H:(r+1)*3*H])
			}},
		} {
			b.Run(impl.name+"/"+op.name, func(b *testing.B) {
				useActAVX512, useActAVX2 = impl.avx512, impl.avx2
				// The forward leaves activations in g, the next pass's
				// pre-activations: values in range, as a layer's.
				for b.Loop() {
					for r := range rows {
						op.run(r)
					}
				}
			})
		}
	}
}
