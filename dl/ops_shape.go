package dl

import "github.com/godl-dev/godl/dl/internal/kernels"

// Shape ops. Reshape/View/Flatten of contiguous tensors, Transpose, Permute,
// Select, Narrow, Squeeze, Unsqueeze and Expand return views that share
// storage; Cat and Stack copy.

// view returns a tensor sharing t's storage with a new layout, in the graph
// with the given backward.
func (t *Tensor) view(name string, offset int, shape, strides []int, backward func(g *Tensor) []*Tensor) *Tensor {
	out := t.alias(offset, shape, strides)
	return Record(name, out, []*Tensor{t}, backward)
}

// Reshape returns t with a new shape holding the same elements (one
// dimension may be -1). It is a view when t is contiguous, else a copy.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = inferShape("Reshape", shape, t.Numel())
	in := t.shape
	if !t.IsContiguous() {
		t = t.Contiguous()
	}
	return t.view("Reshape", t.offset, shape, contiguousStrides(shape), func(g *Tensor) []*Tensor {
		return []*Tensor{g.Reshape(in...)}
	})
}

// View is Reshape for contiguous tensors; it panics rather than copy.
func (t *Tensor) View(shape ...int) *Tensor {
	if !t.IsContiguous() {
		Panicf("View", "tensor of shape %v with strides %v is not contiguous; use Reshape", t.shape, t.strides)
	}
	return t.Reshape(shape...)
}

// Flatten merges dimensions startDim..endDim (default: the last) into one.
func (t *Tensor) Flatten(startDim int, endDim ...int) *Tensor {
	if t.Dim() == 0 {
		return t.Reshape(1)
	}
	s := t.normDim("Flatten", startDim)
	e := t.Dim() - 1
	if len(endDim) > 0 {
		e = t.normDim("Flatten", endDim[0])
	}
	if e < s {
		Panicf("Flatten", "start dimension %d after end dimension %d", s, e)
	}
	shape := append([]int(nil), t.shape[:s]...)
	shape = append(shape, numel(t.shape[s:e+1]))
	shape = append(shape, t.shape[e+1:]...)
	return t.Reshape(shape...)
}

// Permute reorders the dimensions: result dimension i is t's dims[i].
func (t *Tensor) Permute(dims ...int) *Tensor {
	if len(dims) != t.Dim() {
		Panicf("Permute", "%d dimensions %v for tensor of shape %v", len(dims), dims, t.shape)
	}
	shape := make([]int, len(dims))
	strides := make([]int, len(dims))
	inv := make([]int, len(dims))
	seen := make([]bool, len(dims))
	for i, d := range dims {
		d = t.normDim("Permute", d)
		if seen[d] {
			Panicf("Permute", "repeated dimension in %v", dims)
		}
		seen[d] = true
		shape[i], strides[i] = t.shape[d], t.strides[d]
		inv[d] = i
	}
	return t.view("Permute", t.offset, shape, strides, func(g *Tensor) []*Tensor {
		return []*Tensor{g.Permute(inv...)}
	})
}

// Transpose swaps two dimensions.
func (t *Tensor) Transpose(d0, d1 int) *Tensor {
	d0, d1 = t.normDim("Transpose", d0), t.normDim("Transpose", d1)
	p := make([]int, t.Dim())
	for i := range p {
		p[i] = i
	}
	p[d0], p[d1] = d1, d0
	return t.Permute(p...)
}

// T transposes a 2-D tensor; tensors with fewer dimensions are returned as
// they are and more dimensions are reversed, as torch.Tensor.T.
func (t *Tensor) T() *Tensor {
	if t.Dim() < 2 {
		return t
	}
	p := make([]int, t.Dim())
	for i := range p {
		p[i] = t.Dim() - 1 - i
	}
	return t.Permute(p...)
}

// scatterBack returns zeros of t's shape with g written into the part of it
// that sub (a view function) selects; it is the backward of Select/Narrow.
func scatterBack(t *Tensor, g *Tensor, sub func(z *Tensor) *Tensor) *Tensor {
	z := ZerosLike(t)
	dst := sub(z.Detach())
	assign(dst, g)
	return z
}

// assign copies src (broadcast to dst's shape) into the view dst.
func assign(dst, src *Tensor) {
	if dst.dtype|src.dtype != Float32 {
		assignDtype(dst, src)
		return
	}
	if !sameShape(dst.shape, src.shape) {
		src = src.Expand(dst.shape...)
	}
	vals := src.contiguousData()
	if len(dst.shape) == 0 {
		dst.data[dst.offset] = vals[0]
		return
	}
	n := len(dst.shape)
	inner, is := dst.shape[n-1], dst.strides[n-1]
	idx := make([]int, n-1)
	p, o := dst.offset, 0
	for range numel(dst.shape[:n-1]) {
		if is == 1 {
			copy(dst.data[p:p+inner], vals[o:o+inner])
		} else {
			q := p
			for j := range inner {
				dst.data[q] = vals[o+j]
				q += is
			}
		}
		o += inner
		for d := n - 2; d >= 0; d-- {
			idx[d]++
			p += dst.strides[d]
			if idx[d] < dst.shape[d] {
				break
			}
			p -= dst.strides[d] * dst.shape[d]
			idx[d] = 0
		}
	}
}

// Select returns the slice at index i along dim, without that dimension.
func (t *Tensor) Select(dim, i int) *Tensor {
	dim = t.normDim("Select", dim)
	if i < 0 {
		i += t.shape[dim]
	}
	if i < 0 || i >= t.shape[dim] {
		Panicf("Select", "index %d out of range for dimension %d of shape %v", i, dim, t.shape)
	}
	shape := append(append([]int(nil), t.shape[:dim]...), t.shape[dim+1:]...)
	strides := append(append([]int(nil), t.strides[:dim]...), t.strides[dim+1:]...)
	return t.view("Select", t.offset+i*t.strides[dim], shape, strides, func(g *Tensor) []*Tensor {
		return []*Tensor{scatterBack(t, g, func(z *Tensor) *Tensor { return z.Select(dim, i) })}
	})
}

// Narrow returns length elements of dim starting at start.
func (t *Tensor) Narrow(dim, start, length int) *Tensor {
	dim = t.normDim("Narrow", dim)
	if start < 0 {
		start += t.shape[dim]
	}
	if start < 0 || length < 0 || start+length > t.shape[dim] {
		Panicf("Narrow", "start %d length %d out of range for dimension %d of shape %v", start, length, dim, t.shape)
	}
	shape := append([]int(nil), t.shape...)
	shape[dim] = length
	strides := append([]int(nil), t.strides...)
	return t.view("Narrow", t.offset+start*t.strides[dim], shape, strides, func(g *Tensor) []*Tensor {
		return []*Tensor{scatterBack(t, g, func(z *Tensor) *Tensor { return z.Narrow(dim, start, length) })}
	})
}

// Unsqueeze inserts a dimension of size 1 at d (d may equal Dim()).
func (t *Tensor) Unsqueeze(d int) *Tensor {
	d = normDimN("Unsqueeze", d, t.Dim()+1, t.shape)
	shape := append(append(append([]int(nil), t.shape[:d]...), 1), t.shape[d:]...)
	st := 1
	if d < t.Dim() {
		st = t.strides[d] * t.shape[d]
	}
	strides := append(append(append([]int(nil), t.strides[:d]...), st), t.strides[d:]...)
	in := t.shape
	return t.view("Unsqueeze", t.offset, shape, strides, func(g *Tensor) []*Tensor {
		return []*Tensor{g.Reshape(in...)}
	})
}

// Squeeze removes dimensions of size 1: the given ones, or all with none.
// A given dimension whose size is not 1 is left alone, as in PyTorch.
func (t *Tensor) Squeeze(dims ...int) *Tensor {
	drop := make([]bool, t.Dim())
	if len(dims) == 0 {
		for i, d := range t.shape {
			drop[i] = d == 1
		}
	}
	for _, d := range dims {
		d = t.normDim("Squeeze", d)
		drop[d] = t.shape[d] == 1
	}
	var shape, strides []int
	for i := range t.shape {
		if !drop[i] {
			shape = append(shape, t.shape[i])
			strides = append(strides, t.strides[i])
		}
	}
	if shape == nil {
		shape, strides = []int{}, []int{}
	}
	in := t.shape
	return t.view("Squeeze", t.offset, shape, strides, func(g *Tensor) []*Tensor {
		return []*Tensor{g.Reshape(in...)}
	})
}

// Expand returns a broadcast view of t at a larger shape (stride 0 along
// stretched dimensions); -1 keeps a dimension. Writing into it is undefined.
func (t *Tensor) Expand(shape ...int) *Tensor {
	shape = append([]int(nil), shape...)
	lead := len(shape) - t.Dim()
	if lead < 0 {
		Panicf("Expand", "cannot expand shape %v to %v", t.shape, shape)
	}
	for i := range shape {
		if shape[i] == -1 && i >= lead {
			shape[i] = t.shape[i-lead]
		}
		if i >= lead && t.shape[i-lead] != 1 && t.shape[i-lead] != shape[i] {
			Panicf("Expand", "cannot expand shape %v to %v", t.shape, shape)
		}
	}
	if sameShape(shape, t.shape) {
		return t
	}
	strides := broadcastStrides(t.shape, t.strides, shape)
	return t.view("Expand", t.offset, shape, strides, func(g *Tensor) []*Tensor { return []*Tensor{g} })
}

// Cat joins tensors along an existing dimension; all other dimensions must
// agree.
func Cat(dim int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		Panicf("Cat", "no tensors")
	}
	first := ts[0]
	dim = first.normDim("Cat", dim)
	shape := append([]int(nil), first.shape...)
	shape[dim] = 0
	for _, x := range ts {
		if x.Dim() != first.Dim() {
			Panicf("Cat", "%v and %v: different number of dimensions", first.shape, x.shape)
		}
		for i := range x.shape {
			if i != dim && x.shape[i] != first.shape[i] {
				Panicf("Cat", "%v and %v: sizes differ in dimension %d", first.shape, x.shape, i)
			}
		}
		shape[dim] += x.shape[dim]
	}
	ts, d := catDtype(ts) // mixed dtypes promote, as torch.cat
	out := newTensorOf(d, shape)
	start := 0
	starts := make([]int, len(ts))
	for i, x := range ts {
		starts[i] = start
		assign(out.Narrow(dim, start, x.shape[dim]), x)
		start += x.shape[dim]
	}
	return Record("Cat", out, ts, func(g *Tensor) []*Tensor {
		gs := make([]*Tensor, len(ts))
		for i, x := range ts {
			if x.TracksGrad() {
				gs[i] = g.Narrow(dim, starts[i], x.shape[dim])
			}
		}
		return gs
	})
}

// Stack joins tensors of equal shape along a new dimension dim.
func Stack(dim int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		Panicf("Stack", "no tensors")
	}
	us := make([]*Tensor, len(ts))
	for i, x := range ts {
		if !sameShape(x.shape, ts[0].shape) {
			Panicf("Stack", "%v and %v: shapes differ", ts[0].shape, x.shape)
		}
		us[i] = x.Unsqueeze(dim)
	}
	return Cat(dim, us...)
}

// IndexSelect picks the entries idx along dim (rows of a batch, embedding
// vectors); the gradient is scattered back, adding for repeated indices.
func (t *Tensor) IndexSelect(dim int, idx []int) *Tensor {
	if t.dtype != Float32 {
		return indexSelectDtype(t, dim, idx)
	}
	dim = t.normDim("IndexSelect", dim)
	n := t.shape[dim]
	for _, i := range idx {
		if i < 0 || i >= n {
			Panicf("IndexSelect", "index %d out of range for dimension %d of shape %v", i, dim, t.shape)
		}
	}
	outer, r, inner := softmaxLayout(t, dim)
	x := t.contiguousData()
	shape := append([]int(nil), t.shape...)
	shape[dim] = len(idx)
	out := newTensor(shape)
	for o := range outer {
		for j, i := range idx {
			copy(out.data[(o*len(idx)+j)*inner:(o*len(idx)+j+1)*inner], x[(o*r+i)*inner:(o*r+i+1)*inner])
		}
	}
	idx = append([]int(nil), idx...)
	return Record("IndexSelect", out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		gd := g.contiguousData()
		res := newTensor(t.shape)
		for o := range outer {
			for j, i := range idx {
				d := res.data[(o*r+i)*inner : (o*r+i+1)*inner]
				s := gd[(o*len(idx)+j)*inner : (o*len(idx)+j+1)*inner]
				kernels.Add(d, d, s)
			}
		}
		return []*Tensor{res}
	})
}
