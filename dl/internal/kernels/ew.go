package kernels

// Element-wise kernels: the inner loops of dl's arithmetic and
// activations. Each writes len(dst) elements and panics if an input is
// shorter. They run on the calling goroutine; dl splits large tensors
// across threads with For.

// useEwAVX2 picks the AVX2 kernels; tests switch it off.
var useEwAVX2 = haveAVX2

// Add sets dst[i] = a[i] + b[i].
func Add(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	if useEwAVX2 {
		addVVAVX2(dst, a, b)
		return
	}
	addVVGo(dst, a, b)
}

// Sub sets dst[i] = a[i] - b[i].
func Sub(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	if useEwAVX2 {
		subVVAVX2(dst, a, b)
		return
	}
	subVVGo(dst, a, b)
}

// Mul sets dst[i] = a[i] * b[i].
func Mul(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	if useEwAVX2 {
		mulVVAVX2(dst, a, b)
		return
	}
	mulVVGo(dst, a, b)
}

// Div sets dst[i] = a[i] / b[i].
func Div(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	if useEwAVX2 {
		divVVAVX2(dst, a, b)
		return
	}
	divVVGo(dst, a, b)
}

// AddScalar sets dst[i] = a[i] + s.
func AddScalar(dst, a []float32, s float32) {
	a = a[:len(dst)]
	if useEwAVX2 {
		addVSAVX2(dst, a, s)
		return
	}
	addVSGo(dst, a, s)
}

// MulScalar sets dst[i] = a[i] * s.
func MulScalar(dst, a []float32, s float32) {
	a = a[:len(dst)]
	if useEwAVX2 {
		mulVSAVX2(dst, a, s)
		return
	}
	mulVSGo(dst, a, s)
}

// DivScalar sets dst[i] = a[i] / s (a true division, not a[i]·(1/s)).
func DivScalar(dst, a []float32, s float32) {
	a = a[:len(dst)]
	if useEwAVX2 {
		divVSAVX2(dst, a, s)
		return
	}
	divVSGo(dst, a, s)
}

// ScalarSub sets dst[i] = s - b[i].
func ScalarSub(dst []float32, s float32, b []float32) {
	b = b[:len(dst)]
	if useEwAVX2 {
		subSVAVX2(dst, b, s)
		return
	}
	subSVGo(dst, b, s)
}

// ScalarDiv sets dst[i] = s / b[i].
func ScalarDiv(dst []float32, s float32, b []float32) {
	b = b[:len(dst)]
	if useEwAVX2 {
		divSVAVX2(dst, b, s)
		return
	}
	divSVGo(dst, b, s)
}

// ReLU sets dst[i] = x[i] where it is positive or NaN (as PyTorch), else +0.
func ReLU(dst, x []float32) {
	x = x[:len(dst)]
	if useEwAVX2 {
		reluAVX2(dst, x)
		return
	}
	reluGo(dst, x)
}

// ReLUGrad sets dst[i] = g[i] where the ReLU's output y[i] > 0, else 0.
func ReLUGrad(dst, g, y []float32) {
	g, y = g[:len(dst)], y[:len(dst)]
	if useEwAVX2 {
		reluGradAVX2(dst, g, y)
		return
	}
	reluGradGo(dst, g, y)
}

// LeakyReLU sets dst[i] = x[i] where it is positive, else s·x[i].
func LeakyReLU(dst, x []float32, s float32) {
	x = x[:len(dst)]
	if useEwAVX2 {
		leakyReluAVX2(dst, x, s)
		return
	}
	leakyReluGo(dst, x, s)
}

// LeakyReLUGrad sets dst[i] = g[i] where x[i] > 0, else s·g[i].
func LeakyReLUGrad(dst, g, x []float32, s float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	if useEwAVX2 {
		leakyReluGradAVX2(dst, g, x, s)
		return
	}
	leakyReluGradGo(dst, g, x, s)
}

// ScaleShift sets dst[i] = x[i]·s + t (fused: one rounding).
func ScaleShift(dst, x []float32, s, t float32) {
	x = x[:len(dst)]
	if useEwAVX2 {
		scaleShiftAVX2(dst, x, s, t)
		return
	}
	scaleShiftGo(dst, x, s, t)
}

// SigmoidGrad sets dst[i] = g[i]·y[i]·(1 − y[i]) from the sigmoid's output y.
func SigmoidGrad(dst, g, y []float32) {
	g, y = g[:len(dst)], y[:len(dst)]
	if useEwAVX2 {
		sigmoidGradAVX2(dst, g, y)
		return
	}
	sigmoidGradGo(dst, g, y)
}

// TanhGrad sets dst[i] = g[i]·(1 − y[i]²) from the tanh's output y.
func TanhGrad(dst, g, y []float32) {
	g, y = g[:len(dst)], y[:len(dst)]
	if useEwAVX2 {
		tanhGradAVX2(dst, g, y)
		return
	}
	tanhGradGo(dst, g, y)
}

// The pure-Go twins: the reference loops of the assembly.

func addVVGo(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

func subVVGo(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

func mulVVGo(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

func divVVGo(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] / b[i]
	}
}

func addVSGo(dst, a []float32, s float32) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + s
	}
}

func mulVSGo(dst, a []float32, s float32) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * s
	}
}

func divVSGo(dst, a []float32, s float32) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] / s
	}
}

func subSVGo(dst, b []float32, s float32) {
	b = b[:len(dst)]
	for i := range dst {
		dst[i] = s - b[i]
	}
}

func divSVGo(dst, b []float32, s float32) {
	b = b[:len(dst)]
	for i := range dst {
		dst[i] = s / b[i]
	}
}

func reluGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		if !(v <= 0) {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

func reluGradGo(dst, g, y []float32) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		if y[i] > 0 {
			dst[i] = g[i]
		} else {
			dst[i] = 0
		}
	}
}

func leakyReluGo(dst, x []float32, s float32) {
	x = x[:len(dst)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = s * v
		}
	}
}

func leakyReluGradGo(dst, g, x []float32, s float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		if x[i] > 0 {
			dst[i] = g[i]
		} else {
			dst[i] = s * g[i]
		}
	}
}

func scaleShiftGo(dst, x []float32, s, t float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(float64(v)*float64(s) + float64(t)) // exact product: one rounding
	}
}

func sigmoidGradGo(dst, g, y []float32) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * (y[i] - y[i]*y[i])
	}
}

func tanhGradGo(dst, g, y []float32) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * (1 - y[i]*y[i])
	}
}
