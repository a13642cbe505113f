// Package dl is godl's tensor library: tensors, broadcasting ops and
// reverse-mode automatic differentiation, mirroring PyTorch.
//
// # Tensors
//
// A *Tensor is an n-dimensional array in row-major order of float32 (the
// default, and the only dtype with gradients), int64 (class labels,
// indices: Argmax, RandInt, data loaders) or bool (masks: comparisons).
// From builds one from nested Go slices as torch.tensor does; To converts;
// mixed dtypes promote as in PyTorch (see Dtype). Shape ops
// (Reshape and View of contiguous tensors, T, Transpose, Permute, Select,
// Narrow, Squeeze, Unsqueeze, Expand) return views that share storage;
// everything else returns a new tensor and leaves its arguments alone. The
// few methods that write into the receiver say so (Set, ZeroGrad, SetGrad).
// RawData exposes the live storage of a contiguous tensor for code that
// fills or updates tensors in place (optimizers, data loaders, layers).
//
// # Ops
//
// Binary ops broadcast as in NumPy and PyTorch and come as functions and
// methods: Add(a, b) and a.Add(b). Reductions take dimensions as variadic
// ints, none meaning all of them: x.Sum(), x.Sum(0), x.Mean(0, 2). They drop
// the reduced dimensions; the Keep spellings (SumKeep, MeanKeep, MaxKeep,
// VarKeep, ArgmaxKeep) keep them with size 1, PyTorch's keepdim=True.
// Max(dim) returns values only and Argmax(dim) the indices, as an Int64
// tensor. Sum of Int64 or Bool is Int64, so x.Eq(y).Sum() counts matches.
//
// # Indexing
//
// t.Index(...) is t[...] and t.SetIndex(v, ...) is t[...] = v: ints,
// Sl(start, stop, step), All, Ellipsis and NewAxis give views; Bool masks
// and Int64 index tensors give copies; both carry gradients. See Index.
//
// # Autograd
//
// x.RequiresGrad() marks a leaf; every op on tensors that track gradients
// records itself on a tape, and loss.Backward() (loss must hold one element)
// walks it in reverse topological order, adding gradients into the leaves'
// Grad. Gradients accumulate across Backward calls until ZeroGrad. The graph
// is freed by Backward; NoGrad(f) records nothing while f runs, and Detach
// cuts a tensor out of the graph. Ops written outside this package join
// autograd through Record.
//
// # Errors
//
// Misuse (mismatched shapes, bad dimensions, out-of-range indices) panics
// with a *Error naming the op and the shapes, e.g.
// "MatMul: [10 5] x [3 2]: inner dimensions 5 and 3 differ". Maybe turns such
// a panic into an error value and lets any other panic through.
//
// # Interrupts, threads and memory
//
// Long ops call CheckInterrupt, which panics with ErrInterrupted once
// Interrupt was called, so a notebook kernel can stop a training loop and
// keep its state.
//
// Ops with enough work run on all threads (SetNumThreads); small ones stay
// on the caller. Results do not depend on the thread count.
//
// Tensor storage comes from a pool, since touching fresh memory costs more
// than the arithmetic done on it: buffers dl knows to be dead (gradient
// temporaries in Backward, scratch inside ops) go back at once, and every
// other one (a step's activations) when the garbage collector finds that
// nothing refers to it any more, so a tensor, a view or a RawData slice a
// program holds is never handed out again. With SetMemoryLimit, an op
// whose result would not fit fails with an *Error before allocating.
package dl
