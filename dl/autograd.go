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

// noGradDepth counts nested NoGrad calls; grad mode is on at zero.
var noGradDepth atomic.Int32

// GradEnabled reports whether ops record the graph (false inside NoGrad).
func GradEnabled() bool { return noGradDepth.Load() == 0 }

// NoGrad runs f with graph recording off, as torch.no_grad().
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
	for _, in := range inputs {
		if in != nil && in.TracksGrad() {
			out.node = &node{name: name, inputs: inputs, backward: backward}
			return out
		}
	}
	return out
}

// RequiresGrad marks t as a leaf that wants gradients and returns t.
func (t *Tensor) RequiresGrad() *Tensor {
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
	return &Tensor{data: t.data, offset: t.offset, shape: t.shape, strides: t.strides}
}

// Backward computes the gradient of t, a one-element tensor, with respect to
// every leaf that requires grad, adding it into their Grad. The graph behind
// t is freed: a second Backward through it panics, as in PyTorch.
func (t *Tensor) Backward() {
	if t.Numel() != 1 {
		Panicf("Backward", "gradient can only be computed for a scalar output, got shape %v", t.shape)
	}
	if !t.TracksGrad() {
		Panicf("Backward", "tensor does not require grad and has no grad_fn")
	}
	order := topoOrder(t)
	noGradDepth.Add(1)
	defer noGradDepth.Add(-1)

	grads := map[*Tensor]*Tensor{t: Full(1, t.shape...)}
	owned := map[*Tensor]bool{} // grads that this pass allocated and may add into
	for i := len(order) - 1; i >= 0; i-- {
		CheckInterrupt()
		x := order[i]
		g := grads[x]
		delete(grads, x)
		if g == nil {
			continue
		}
		if x.node == nil {
			accumulateLeaf(x, g, owned[g])
			continue
		}
		n := x.node
		gs := n.backward(g)
		if len(gs) != len(n.inputs) {
			Panicf("Backward", "%s returned %d gradients for %d inputs", n.name, len(gs), len(n.inputs))
		}
		for j, in := range n.inputs {
			gj := gs[j]
			if in == nil || gj == nil || !in.TracksGrad() {
				continue
			}
			gj = sumTo(n.name, gj, in.shape)
			if prev, ok := grads[in]; ok {
				if owned[prev] {
					addInto(prev, gj)
				} else {
					sum := addNoGrad(prev, gj)
					owned[sum] = true
					grads[in] = sum
				}
			} else {
				grads[in] = gj
			}
		}
		n.inputs, n.backward, n.freed = nil, nil, true
	}
}

// accumulateLeaf adds g into leaf.Grad. A new Grad gets its own storage so
// that later in-place accumulation cannot write into another tensor.
func accumulateLeaf(leaf *Tensor, g *Tensor, own bool) {
	if !leaf.requiresGrad {
		return
	}
	if leaf.grad == nil {
		if !own || !g.IsContiguous() {
			g = fromData(g.Data(), g.shape)
		}
		leaf.grad = g
		return
	}
	if !leaf.grad.IsContiguous() {
		leaf.grad = fromData(leaf.grad.Data(), leaf.grad.shape)
	}
	addInto(leaf.grad, g)
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
