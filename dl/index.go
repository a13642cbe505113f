package dl

import (
	"math"
	"unsafe"
)

// Indexing as PyTorch's t[...] and t[...] = v, spelled t.Index(...) and
// t.SetIndex(v, ...). Each argument indexes the next dimension:
//
//	x.Index(0)                        // t[0]           view
//	x.Index(All, 1)                   // t[:, 1]        view
//	x.Index(Sl(1, 10, 2))             // t[1:10:2]      view
//	x.Index(Sl(-3, End))              // t[-3:]         view
//	x.Index(Ellipsis, NewAxis)        // t[..., None]   view
//	x.Index(mask)                     // t[mask]        copy (mask a Bool tensor)
//	x.Index(idx)                      // t[idx]         copy (idx an Int64 tensor, []int too)
//	x.SetIndex(0, All, 1)             // t[:, 1] = 0
//
// Ints, slices, All, Ellipsis and NewAxis ("basic" indexing) give a view
// that shares t's storage; index tensors ("advanced" indexing) give a
// copy. As in PyTorch, integers are applied first (they select), then the
// index tensors are broadcast together and their result dimensions go
// where the index tensors stood when they are next to each other, else in
// front. Gradients flow back through both kinds.

// Slice is start:stop:step along one dimension, made by Sl. Negative
// bounds count from the end and bounds past either end are clipped, as in
// Python; End as stop means "to the end".
type Slice struct{ Start, Stop, Step int }

// End is a stop that reaches the end of any dimension: Sl(2, End) is t[2:].
const End = math.MaxInt

// Sl returns the slice start:stop, or start:stop:step with a step (which
// must be positive, as in PyTorch).
func Sl(start, stop int, step ...int) Slice {
	s := Slice{Start: start, Stop: stop, Step: 1}
	switch len(step) {
	case 0:
	case 1:
		s.Step = step[0]
	default:
		Panicf("Sl", "takes at most one step, got %v", step)
	}
	return s
}

// IndexMarker is the type of All, Ellipsis and NewAxis.
type IndexMarker uint8

// The index markers.
const (
	// All takes a whole dimension, ":" in Python.
	All IndexMarker = iota + 1
	// Ellipsis stands for as many whole dimensions as the other
	// arguments leave, "..." in Python.
	Ellipsis
	// NewAxis inserts a dimension of size 1, None in Python.
	NewAxis
)

// Index returns t[args...] (see the package's indexing notes above): a
// view for ints, slices and markers, a copy with index tensors.
func (t *Tensor) Index(args ...any) *Tensor {
	p := planIndex("Index", t.shape, args)
	if p.advAt < 0 {
		off, shape, strides := p.view(t.offset, t.strides)
		name := p.last
		if name == "" {
			name = "Index"
		}
		v := t.view(name, off, shape, strides, func(g *Tensor) []*Tensor {
			return []*Tensor{scatterBack(t, g, func(z *Tensor) *Tensor {
				return z.alias(p.view(z.offset, z.strides))
			})}
		})
		if p.copy {
			return v.Clone()
		}
		return v
	}
	out := gatherValues(t, p.offsets(t.offset, t.strides), p.shape())
	return Record("Index", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		gd := g.contiguousData()
		r := newTensor(t.shape)
		for i, q := range p.offsets(0, contiguousStrides(t.shape)) {
			r.data[q] += gd[i] // repeated indices add up
		}
		return []*Tensor{r}
	})
}

// SetIndex writes value into t[args...] in place, as t[args...] = value
// in PyTorch: value is a number or a tensor that broadcasts to the indexed
// shape, converted to t's dtype. Every view sharing t's storage sees the
// change.
//
// With gradients on, t may be the result of an op: it then stands for the
// assignment in the graph (gradients reach its earlier value everywhere
// except the written elements, and reach value from them). As in PyTorch
// a leaf that requires grad, or a view of one, cannot be written in place
// outside NoGrad, and neither can a view of another tensor in a graph.
func (t *Tensor) SetIndex(value any, args ...any) {
	const op = "SetIndex"
	p := planIndex(op, t.shape, args)
	shape := p.shape()
	v := valueTensor(op, value, t.dtype)
	if !canBroadcastTo(v.shape, shape) {
		Panicf(op, "value of shape %v cannot be broadcast to the indexed shape %v", v.shape, shape)
	}
	graph := GradEnabled() && t.dtype == Float32 && (t.TracksGrad() || v.TracksGrad())
	if graph {
		t.checkWritable(op)
	}
	scatterValues(t, p.offsets(t.offset, t.strides), v.Detach().To(t.dtype).Expand(shape...))
	if !graph {
		return
	}
	old := *t // the tensor as it was: its node and storage
	t.node = nil
	Record(op, t, []*Tensor{&old, v}, func(g *Tensor) []*Tensor {
		pos := p.offsets(0, contiguousStrides(t.shape))
		gd := g.contiguousData()
		var gOld, gVal *Tensor
		if old.TracksGrad() {
			gOld = fromData(g.Data(), t.shape)
			for _, q := range pos {
				gOld.data[q] = 0 // overwritten: no gradient to the old value
			}
		}
		if v.TracksGrad() {
			gVal = newTensorRaw(shape)
			for i, q := range pos {
				gVal.data[i] = gd[q]
			}
		}
		return []*Tensor{gOld, gVal}
	})
}

// checkWritable refuses, as PyTorch does, an in-place write into a tensor
// of a graph that the graph cannot follow: a leaf that requires grad, or a
// view of another tensor in the graph.
func (t *Tensor) checkWritable(op string) {
	if t.requiresGrad {
		Panicf(op, "a leaf tensor that requires grad (shape %v) cannot be changed in place; change it inside dl.NoGrad, or write into a Clone", t.shape)
	}
	if t.node == nil {
		return
	}
	for _, in := range t.node.inputs {
		if in == nil || !sameStorage(in, t) {
			continue
		}
		if in.requiresGrad {
			Panicf(op, "a view of a leaf tensor that requires grad (made by %s) cannot be changed in place; change it inside dl.NoGrad", t.node.name)
		}
		Panicf(op, "cannot change in place a view (made by %s) of a tensor in an autograd graph; index the tensor it views instead", t.node.name)
	}
}

// sameStorage reports whether a and b share their storage.
func sameStorage(a, b *Tensor) bool {
	if a.dtype != b.dtype {
		return false
	}
	if a.dtype != Float32 {
		return a.ext == b.ext
	}
	return len(a.data) > 0 && unsafe.SliceData(a.data) == unsafe.SliceData(b.data)
}

// canBroadcastTo reports whether shape from broadcasts to shape to.
func canBroadcastTo(from, to []int) bool {
	if len(from) > len(to) {
		return false
	}
	lead := len(to) - len(from)
	for i, d := range from {
		if d != 1 && d != to[lead+i] {
			return false
		}
	}
	return true
}

// valueTensor turns SetIndex's value into a tensor: a number becomes a
// 0-d tensor of dtype d.
func valueTensor(op string, value any, d Dtype) *Tensor {
	if v, ok := value.(*Tensor); ok {
		if v == nil {
			Panicf(op, "value is a nil tensor")
		}
		return v
	}
	if b, ok := value.(bool); ok {
		return fromBools([]bool{b}, nil).To(d)
	}
	x, ok := number(value)
	if !ok {
		Panicf(op, "value must be a number, a bool or a *dl.Tensor, got %T", value)
	}
	return scalarOf(x, d)
}

// scalarOf returns a 0-d tensor of dtype d holding x.
func scalarOf(x float64, d Dtype) *Tensor {
	t := newTensorOf(d, nil)
	t.setElement(0, x)
	return t
}
