package dl

// The op runtime's seam. Every op of dl reaches its arithmetic through be:
// ops check shapes, allocate results and record the graph; the backend
// fills buffers. The CPU backend (backend_cpu*.go) is the only one; a
// device backend would implement the same methods over its own buffers,
// and ops would not change.

// backend does the arithmetic of dl's ops on float32 buffers. dst never
// overlaps an input unless a method says so; lengths agree unless shapes
// say otherwise.
type backend interface {
	// unary sets dst[i] = op(src[i]) with the op's parameters p.
	unary(op unaryOp, p opParams, dst, src []float32)
	// unaryGrad sets dst[i] = g[i]·op'(x[i]), from the op's input x or
	// output y, whichever the op's derivative needs (the other may be nil).
	unaryGrad(op unaryOp, p opParams, dst, g, x, y []float32)
	// binary sets dst = a op b over shape; a and b are strided views
	// already broadcast to shape (stride 0 along stretched dimensions).
	// dst may be a's own buffer when a is contiguous (in-place ops).
	binary(op binaryOp, dst []float32, shape []int, a, b view)
	// accumulate adds src into dst (gradient accumulation).
	accumulate(dst, src []float32)
	// sum sets dst[o·inner+i] = Σ_k src[(o·r+k)·inner+i], in float64.
	sum(dst, src []float32, outer, r, inner int)
	// maxArg sets vals[j] and idx[j] to the maximum of each [outer r inner]
	// row along r and its first position (NaN wins, as in PyTorch).
	maxArg(vals []float32, idx []int, src []float32, outer, r, inner int)
	// softmax sets dst to softmax (or log-softmax) of src along r.
	softmax(dst, src []float32, outer, r, inner int, log bool)
	// softmaxGrad sets dst to the gradient of softmax (log-softmax) from
	// its output y and the gradient g of the output.
	softmaxGrad(dst, g, y []float32, outer, r, inner int, log bool)
}

var be backend = cpu{}

// view is a strided window onto a buffer: element idx of an n-dimensional
// view is data[off + Σ idx[d]·strides[d]].
type view struct {
	data    []float32
	off     int
	strides []int
}

// unaryOp names an element-wise function of one tensor.
type unaryOp uint8

const (
	opReLU      unaryOp = iota
	opLeakyReLU         // p.a: slope
	opSigmoid
	opTanh
	opExp
	opLog
	opSqrt
	opAbs
	opSin
	opCos
	opGELU
	opSiLU
	opELU      // p.a: alpha
	opSoftplus // PyTorch's beta 1, threshold 20
	opClamp    // p.a, p.b: lo, hi
	opPow      // p.a: exponent
)

// opParams are the constants of a unary op (slope, bounds, exponent).
type opParams struct{ a, b float32 }

// binaryOp names an element-wise function of two tensors.
type binaryOp uint8

const (
	opAdd binaryOp = iota
	opSub
	opMul
	opDiv
)
