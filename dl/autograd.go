package dl

import "sync/atomic"

// node is one recorded op on the tape: its inputs and the function that
// turns the gradient of its output into gradients of its inputs.
type node struct {
	name     string
	inputs   []*Tensor
	backward func(gradOut *Tensor) []*Tensor
	freed    bool // a Backward already went through and dropped inputs
}

// allocGen numbers the periods between Backward passes; every tensor
// records the period its storage was allocated in, so that a pass can tell
// its own temporaries from buffers that callers may hold.
var allocGen atomic.Uint64

// noGradDepth counts nested NoGrad calls; grad mode is on at zero.
var noGradDepth atomic.Int32

// GradEnabled reports whether ops record the graph (false inside NoGrad).
func GradEnabled() bool { return noGradDepth.Load() == 0 }

// NoGrad runs f with graph recording off, as torch.no_grad(). The mode is
// process-wide (Go has no goroutine-local state): a NoGrad running in one
// goroutine also stops recording in others, so do not overlap it with a
// forward pass that needs gradients.
func NoGrad(f func()) {
	noGradDepth.Add(1)
	defer noGradDepth.Add(-1)
	f()
}

// Record attaches out to the graph as the result of op name applied to
// inputs, when grad mode is on and some input tracks gradients; it returns
// out. backward receives the gradient of out and returns one gradient per
// input (nil for none); a gradient may have out's broadcast shape, dl sums
// it down to the input's shape. Ops outside package dl (convolution, losses)
// use Record to join autograd.
func Record(name string, out *Tensor, inputs []*Tensor, backward func(gradOut *Tensor) []*Tensor) *Tensor {
	if !GradEnabled() {
		return out
	}
	tracks := false
	for _, in := range inputs {
		if in == out {
			Panicf(name, "Record: the output must be a new tensor, not one of the inputs (use Detach or a view)")
		}
		tracks = tracks || (in != nil && in.TracksGrad())
	}
	if tracks {
		out.node = &node{name: name, inputs: inputs, backward: backward}
	}
	return out
}

// NeedsGrad reports whether Record would put an op on these inputs into
// the graph: grad mode is on and some input tracks gradients. An op uses
// it to skip saving what only its backward needs (under NoGrad, in eval).
func NeedsGrad(inputs ...*Tensor) bool {
	if !GradEnabled() {
		return false
	}
	for _, in := range inputs {
		if in != nil && in.TracksGrad() {
			return true
		}
	}
	return false
}

// RequiresGrad marks t as a leaf that wants gradients and returns t.
func (t *Tensor) RequiresGrad() *Tensor {
	if t.dtype != Float32 {
		needGradDtype("RequiresGrad", t)
	}
	if t.node == nil {
		t.requiresGrad = true
	}
	return t
}

// SetRequiresGrad turns gradient tracking of a leaf on or off (to freeze a
// parameter) and returns t.
func (t *Tensor) SetRequiresGrad(on bool) *Tensor {
	if t.node != nil {
		Panicf("SetRequiresGrad", "tensor is not a leaf (made by %s); use Detach", t.node.name)
	}
	if on && t.dtype != Float32 {
		needGradDtype("SetRequiresGrad", t)
	}
	t.requiresGrad = on
	return t
}

// TracksGrad reports whether gradients flow to or through t: a leaf that
// requires grad, or the result of an op on such tensors.
func (t *Tensor) TracksGrad() bool { return t.requiresGrad || t.node != nil }

// IsLeaf reports whether t was not made by a recorded op.
func (t *Tensor) IsLeaf() bool { return t.node == nil }

// Grad returns the accumulated gradient of a leaf, or nil.
func (t *Tensor) Grad() *Tensor { return t.grad }

// SetGrad replaces the gradient (nil clears it). Optimizers and gradient
// clipping use it.
func (t *Tensor) SetGrad(g *Tensor) {
	if g != nil && !sameShape(g.shape, t.shape) {
		Panicf("SetGrad", "gradient of shape %v for tensor of shape %v", g.shape, t.shape)
	}
	t.grad = g
}

// ZeroGrad sets the gradient to zero in place (keeping its storage), as
// PyTorch 1.13's zero_grad().
func (t *Tensor) ZeroGrad() {
	if t.grad == nil {
		return
	}
	if t.grad.IsContiguous() {
		clear(t.grad.RawData())
	} else {
		t.grad = ZerosLike(t)
	}
}

// Detach returns a view of t's data outside the graph.
func (t *Tensor) Detach() *Tensor {
	return t.alias(t.offset, t.shape, t.strides)
}

// Backward computes the gradient of t, a one-element tensor, with respect to
// every leaf that requires grad, adding it into their Grad. The graph behind
// t is freed: a second Backward through it panics, as in PyTorch.
//
// Backward functions (of dl's ops and of Record) must not keep the gradient
// they receive or return: gradient buffers allocated during the pass go back
// to the storage pool as soon as no pending gradient refers to them.
func (t *Tensor) Backward() {
	if t.Numel() != 1 {
		Panicf("Backward", "gradient can only be computed for a scalar output, got shape %v", t.shape)
	}
	t.backward("Backward", nil)
}

// BackwardWith is Backward for a tensor of any shape, starting from the
// given gradient of t (PyTorch's t.backward(grad)): the leaves receive the
// vector-Jacobian product.
func (t *Tensor) BackwardWith(grad *Tensor) {
	if !sameShape(grad.shape, t.shape) {
		Panicf("BackwardWith", "gradient of shape %v for tensor of shape %v", grad.shape, t.shape)
	}
	t.backward("BackwardWith", grad)
}

func (t *Tensor) backward(op string, seed *Tensor) {
	if !t.TracksGrad() {
		Panicf(op, "tensor does not require grad and has no grad_fn")
	}
	order := topoOrder(t)
	noGradDepth.Add(1)
	defer noGradDepth.Add(-1)
	p := &gradPass{gen: allocGen.Add(1), refs: map[*float32]int{}, grads: map[*Tensor]*Tensor{}, released: map[*float32]bool{}}
	defer allocGen.Add(1) // later allocations are not this pass's

	if seed == nil {
		seed = Full(1, t.shape...)
	} else {
		seed = fromData(seed.copyData(), seed.shape) // ours to recycle
	}
	p.hold(t, seed)
	for i := len(order) - 1; i >= 0; i-- {
		CheckInterrupt()
		x := order[i]
		g := p.grads[x]
		delete(p.grads, x)
		n := x.node
		if g == nil { // no gradient reached x: nothing flows through it
			if n != nil {
				n.inputs, n.backward, n.freed = nil, nil, true
			}
			continue
		}
		if n == nil {
			p.accumulateLeaf(x, g)
			continue
		}
		gs := n.backward(g)
		if len(gs) != len(n.inputs) {
			Panicf("Backward", "%s returned %d gradients for %d inputs", n.name, len(gs), len(n.inputs))
		}
		var dead []*Tensor
		for j, in := range n.inputs {
			gj := gs[j]
			if in == nil || gj == nil || !in.TracksGrad() {
				continue
			}
			red := sumTo(n.name, gj, in.shape)
			if red != gj {
				dead = append(dead, gj)
			}
			p.hold(in, red)
		}
		n.inputs, n.backward, n.freed = nil, nil, true
		p.drop(g)
		for _, d := range dead {
			p.maybeRelease(d)
		}
	}
}

// gradPass is the bookkeeping of one Backward: pending gradients and how
// many of them share each storage buffer, so that a buffer allocated during
// the pass is recycled exactly when its last user is done.
type gradPass struct {
	gen      uint64
	refs     map[*float32]int
	grads    map[*Tensor]*Tensor
	released map[*float32]bool // a buffer must reach the pool only once
}

// release recycles g's buffer if this pass allocated it, at most once.
func (p *gradPass) release(g *Tensor) {
	k := storageKey(g)
	if k == nil || g.gen != p.gen || p.released[k] {
		return
	}
	p.released[k] = true
	release(g)
}

func storageKey(g *Tensor) *float32 {
	if cap(g.data) == 0 {
		return nil
	}
	return &g.data[:1][0]
}

// hold adds g to the pending gradient of x.
func (p *gradPass) hold(x, g *Tensor) {
	prev, ok := p.grads[x]
	if !ok {
		p.grads[x] = g
		p.refs[storageKey(g)]++
		return
	}
	if p.exclusive(prev) {
		addInto(prev, g)
		p.maybeRelease(g)
		return
	}
	sum := addNoGrad(prev, g)
	p.grads[x] = sum
	p.refs[storageKey(sum)]++
	p.drop(prev)
	p.maybeRelease(g)
}

// exclusive reports whether g's buffer was made in this pass, is contiguous
// and is referred to by this one pending gradient only: it may be written.
func (p *gradPass) exclusive(g *Tensor) bool {
	return g.gen == p.gen && g.IsContiguous() && p.refs[storageKey(g)] == 1
}

// drop ends one pending use of g and recycles its buffer if it was the last.
func (p *gradPass) drop(g *Tensor) {
	k := storageKey(g)
	if p.refs[k]--; p.refs[k] <= 0 {
		delete(p.refs, k)
		p.release(g)
	}
}

// maybeRelease recycles a temporary of this pass that no pending gradient
// refers to.
func (p *gradPass) maybeRelease(g *Tensor) {
	if p.refs[storageKey(g)] == 0 {
		p.release(g)
	}
}

// accumulateLeaf adds g into leaf.Grad. A new Grad takes over g's buffer
// only when nothing else refers to it, so that later in-place accumulation
// cannot write into another tensor.
func (p *gradPass) accumulateLeaf(leaf *Tensor, g *Tensor) {
	if !leaf.requiresGrad {
		p.drop(g)
		return
	}
	if leaf.grad == nil {
		if p.exclusive(g) && g.offset == 0 && len(g.data) == g.Numel() {
			leaf.grad = g // the pending reference becomes the leaf's: never recycled
			delete(p.refs, storageKey(g))
			return
		}
		leaf.grad = fromData(g.copyData(), g.shape)
		p.drop(g)
		return
	}
	if !leaf.grad.IsContiguous() {
		leaf.grad = fromData(leaf.grad.copyData(), leaf.grad.shape)
	}
	addInto(leaf.grad, g)
	p.drop(g)
}

// topoOrder returns the tensors reachable from root through recorded ops,
// inputs before the tensors made from them.
func topoOrder(root *Tensor) []*Tensor {
	type frame struct {
		t    *Tensor
		next int
	}
	var order []*Tensor
	seen := map[*Tensor]bool{root: true}
	stack := []frame{{t: root}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		n := f.t.node
		if n != nil && n.freed {
			Panicf("Backward", "trying to backward through the graph a second time (the graph of %s was freed by an earlier Backward); recompute the forward pass", n.name)
		}
		if n == nil || f.next >= len(n.inputs) {
			order = append(order, f.t)
			stack = stack[:len(stack)-1]
			continue
		}
		in := n.inputs[f.next]
		f.next++
		if in != nil && in.TracksGrad() && !seen[in] {
			seen[in] = true
			stack = append(stack, frame{t: in})
		}
	}
	return order
}

// sumTo reduces a gradient of a broadcast result to shape: leading extra
// dimensions and dimensions broadcast from 1 are summed away.
func sumTo(op string, g *Tensor, shape []int) *Tensor {
	if sameShape(g.shape, shape) {
		return g
	}
	lead := len(g.shape) - len(shape)
	if lead < 0 {
		Panicf(op, "gradient of shape %v does not match input of shape %v", g.shape, shape)
	}
	var dims []int
	for i := range g.shape {
		if i < lead {
			dims = append(dims, i)
			continue
		}
		switch s := shape[i-lead]; {
		case s == g.shape[i]:
		case s == 1:
			dims = append(dims, i)
		default:
			Panicf(op, "gradient of shape %v does not match input of shape %v", g.shape, shape)
		}
	}
	return sumDims(g, dims, false).Reshape(shape...)
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
