package dl

import (
	"math"

	"github.com/godl-dev/godl/dl/internal/kernels"
)

// cpu is the backend on this machine's cores: vector kernels from
// internal/kernels, spread over threads with kernels.For when a tensor is
// large enough to be worth the hand-off.
type cpu struct{}

// Grains: elements per parallel chunk, chosen so that a chunk is 10-50 µs
// of work; below two chunks an op runs on the caller alone, so small
// tensors (a batch-1 step) never wait for another thread.
const (
	grainStream = 1 << 15 // memory-bound vector loops: add, ReLU (~0.3 ns/element)
	grainVector = 1 << 13 // vector exp, sigmoid, tanh (~1-2 ns/element)
	grainScalar = 1 << 11 // scalar float64 math: log, GELU, sin (~10 ns/element)
)

// rowsGrain is a grain in rows of n elements for a per-element grain.
func rowsGrain(grain, n int) int { return max(1, grain/max(n, 1)) }

// serial reports whether n elements are too few to split with this grain.
// Ops test it before they build the closure kernels.For takes, which
// would be allocated even when For runs it on the caller.
func serial(n, grain int) bool { return n < 2*grain || kernels.Threads() == 1 }

func (cpu) unary(op unaryOp, p opParams, dst, src []float32) {
	k, grain := unaryKernel(op, p)
	if serial(len(dst), grain) {
		k(dst, src)
		return
	}
	kernels.For(len(dst), grain, func(lo, hi int) { k(dst[lo:hi], src[lo:hi]) })
}

// unaryKernel returns the loop of op and its grain.
func unaryKernel(op unaryOp, p opParams) (func(dst, src []float32), int) {
	switch op {
	case opReLU:
		return kernels.ReLU, grainStream
	case opLeakyReLU:
		return func(d, s []float32) { kernels.LeakyReLU(d, s, p.a) }, grainStream
	case opSigmoid:
		return func(d, s []float32) { copy(d, s); kernels.Sigmoids(d) }, grainVector
	case opTanh:
		return func(d, s []float32) { copy(d, s); kernels.Tanhs(d) }, grainVector
	case opExp:
		return func(d, s []float32) { copy(d, s); kernels.Exps(d) }, grainVector
	case opLog:
		return mathMap(math.Log), grainScalar
	case opSqrt:
		return mathMap(math.Sqrt), grainStream
	case opAbs:
		return func(d, s []float32) {
			d = d[:len(s)]
			for i, v := range s {
				d[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
			}
		}, grainStream
	case opSin:
		return mathMap(math.Sin), grainScalar
	case opCos:
		return mathMap(math.Cos), grainScalar
	case opGELU:
		return mathMap(func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }), grainScalar
	case opSiLU:
		return mathMap(func(x float64) float64 { return x / (1 + math.Exp(-x)) }), grainScalar
	case opELU:
		a := float64(p.a)
		return mathMap(func(x float64) float64 {
			if x > 0 {
				return x
			}
			return a * math.Expm1(x)
		}), grainScalar
	case opSoftplus:
		return mathMap(func(x float64) float64 {
			if x > 20 { // PyTorch's threshold: linear beyond it
				return x
			}
			return math.Log1p(math.Exp(x))
		}), grainScalar
	case opClamp:
		lo, hi := float64(p.a), float64(p.b)
		return mathMap(func(x float64) float64 { return math.Min(math.Max(x, lo), hi) }), grainStream
	case opPow:
		switch p.a {
		case 2:
			return func(d, s []float32) { kernels.Mul(d, s, s) }, grainStream
		case 1:
			return func(d, s []float32) { copy(d, s) }, grainStream
		}
		e := float64(p.a)
		return mathMap(func(x float64) float64 { return math.Pow(x, e) }), grainScalar
	}
	panic("dl: unknown unary op")
}

// mathMap is a per-element loop over a float64 function.
func mathMap(f func(float64) float64) func(dst, src []float32) {
	return func(d, s []float32) {
		d = d[:len(s)]
		for i, x := range s {
			d[i] = float32(f(float64(x)))
		}
	}
}

func (cpu) unaryGrad(op unaryOp, p opParams, dst, g, x, y []float32) {
	k, grain := unaryGradKernel(op, p)
	if serial(len(dst), grain) {
		k(dst, g, x, y)
		return
	}
	kernels.For(len(dst), grain, func(lo, hi int) {
		var xs, ys []float32
		if x != nil {
			xs = x[lo:hi]
		}
		if y != nil {
			ys = y[lo:hi]
		}
		k(dst[lo:hi], g[lo:hi], xs, ys)
	})
}

// unaryGradKernel returns the loop dst = g·op'(x, y) and its grain.
func unaryGradKernel(op unaryOp, p opParams) (func(dst, g, x, y []float32), int) {
	switch op {
	case opReLU:
		return func(d, g, _, y []float32) { kernels.ReLUGrad(d, g, y) }, grainStream
	case opLeakyReLU:
		return func(d, g, x, _ []float32) { kernels.LeakyReLUGrad(d, g, x, p.a) }, grainStream
	case opSigmoid:
		return func(d, g, _, y []float32) { kernels.SigmoidGrad(d, g, y) }, grainStream
	case opTanh:
		return func(d, g, _, y []float32) { kernels.TanhGrad(d, g, y) }, grainStream
	case opExp:
		return func(d, g, _, y []float32) { kernels.Mul(d, g, y) }, grainStream
	case opLog:
		return func(d, g, x, _ []float32) { kernels.Div(d, g, x) }, grainStream
	case opSqrt: // g/(2y); the halving is exact
		return func(d, g, _, y []float32) { kernels.Div(d, g, y); kernels.MulScalar(d, d, 0.5) }, grainStream
	case opAbs: // sign(x)·g, 0 at 0 as PyTorch
		return gradMap(func(x float64) float64 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return 0
		}), grainStream
	case opSin:
		return gradMap(math.Cos), grainScalar
	case opCos:
		return gradMap(func(x float64) float64 { return -math.Sin(x) }), grainScalar
	case opGELU:
		return gradMap(func(x float64) float64 {
			cdf := 0.5 * (1 + math.Erf(x/math.Sqrt2))
			pdf := math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi)
			return cdf + x*pdf
		}), grainScalar
	case opSiLU:
		return gradMap(func(x float64) float64 {
			s := 1 / (1 + math.Exp(-x))
			return s * (1 + x*(1-s))
		}), grainScalar
	case opELU:
		a := float64(p.a)
		return gradMap(func(x float64) float64 {
			if x > 0 {
				return 1
			}
			return a * math.Exp(x)
		}), grainScalar
	case opSoftplus:
		return gradMap(func(x float64) float64 {
			if x > 20 {
				return 1
			}
			return 1 / (1 + math.Exp(-x))
		}), grainScalar
	case opClamp:
		lo, hi := float64(p.a), float64(p.b)
		return gradMap(func(x float64) float64 {
			if x < lo || x > hi {
				return 0
			}
			return 1
		}), grainStream
	case opPow:
		e := float64(p.a)
		return gradMap(func(x float64) float64 {
			if e == 0 {
				return 0
			}
			return e * math.Pow(x, e-1)
		}), grainScalar
	}
	panic("dl: unknown unary op")
}

// gradMap is dst = g·f'(x) for a derivative given as a float64 function.
func gradMap(deriv func(x float64) float64) func(dst, g, x, y []float32) {
	return func(d, g, x, _ []float32) {
		d, g = d[:len(x)], g[:len(x)]
		for i, v := range x {
			d[i] = g[i] * float32(deriv(float64(v)))
		}
	}
}

func (cpu) accumulate(dst, src []float32) {
	if serial(len(dst), grainStream) {
		kernels.Add(dst, dst, src)
		return
	}
	kernels.For(len(dst), grainStream, func(lo, hi int) { kernels.Add(dst[lo:hi], dst[lo:hi], src[lo:hi]) })
}
