package optim

import "github.com/godl-dev/godl/dl"

// Optimizer updates parameters from their gradients. Schedulers take one and
// change its learning rate between steps.
type Optimizer interface {
	// ZeroGrad clears the gradients of every parameter.
	ZeroGrad()
	// Step applies one update from the current gradients; parameters
	// without a gradient are left alone, as in PyTorch.
	Step()
	// LR returns the learning rate.
	LR() float64
	// SetLR sets the learning rate.
	SetLR(lr float64)
}

// Option sets a hyper-parameter of an optimizer. Options an optimizer does
// not use are rejected with a panic naming it, so typos are not silent.
type Option func(*hyper)

// hyper holds every optimizer's hyper-parameters; set records which were
// given so each constructor can refuse the ones it does not understand.
type hyper struct {
	lr, momentum, dampening, weightDecay float64
	beta1, beta2, eps, alpha             float64
	nesterov, centered, amsgrad          bool
	set                                  map[string]bool
}

func (h *hyper) mark(name string) {
	if h.set == nil {
		h.set = map[string]bool{}
	}
	h.set[name] = true
}

// LR sets the learning rate.
func LR(lr float64) Option { return func(h *hyper) { h.lr = lr; h.mark("LR") } }

// Momentum sets the momentum factor (SGD, RMSprop).
func Momentum(m float64) Option { return func(h *hyper) { h.momentum = m; h.mark("Momentum") } }

// Dampening sets SGD's dampening for momentum.
func Dampening(d float64) Option { return func(h *hyper) { h.dampening = d; h.mark("Dampening") } }

// Nesterov turns on Nesterov momentum (SGD).
func Nesterov() Option { return func(h *hyper) { h.nesterov = true; h.mark("Nesterov") } }

// WeightDecay sets the weight decay: an L2 term added to the gradient for
// SGD, Adam and RMSprop, decoupled decay for AdamW.
func WeightDecay(wd float64) Option {
	return func(h *hyper) { h.weightDecay = wd; h.mark("WeightDecay") }
}

// Betas sets Adam's and AdamW's coefficients of the running averages.
func Betas(b1, b2 float64) Option {
	return func(h *hyper) { h.beta1, h.beta2 = b1, b2; h.mark("Betas") }
}

// Eps sets the term added to the denominator for stability.
func Eps(eps float64) Option { return func(h *hyper) { h.eps = eps; h.mark("Eps") } }

// Alpha sets RMSprop's smoothing constant.
func Alpha(a float64) Option { return func(h *hyper) { h.alpha = a; h.mark("Alpha") } }

// Centered makes RMSprop normalise by an estimate of the gradient's variance.
func Centered() Option { return func(h *hyper) { h.centered = true; h.mark("Centered") } }

// AMSGrad turns on the AMSGrad variant of Adam and AdamW.
func AMSGrad() Option { return func(h *hyper) { h.amsgrad = true; h.mark("AMSGrad") } }

// apply runs opts over defaults and panics on options op does not take.
func apply(op string, h hyper, allowed []string, opts []Option) hyper {
	for _, o := range opts {
		o(&h)
	}
	for name := range h.set {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			dl.Panicf(op, "option %s does not apply to %s (it takes %v)", name, op, allowed)
		}
	}
	if h.lr < 0 {
		dl.Panicf(op, "invalid learning rate %v", h.lr)
	}
	if h.weightDecay < 0 {
		dl.Panicf(op, "invalid weight decay %v", h.weightDecay)
	}
	return h
}

// base holds what every optimizer shares: its parameters and learning rate.
type base struct {
	params []*dl.Tensor
	lr     float64
}

func newBase(op string, params []*dl.Tensor) base {
	for i, p := range params {
		if p == nil {
			dl.Panicf(op, "parameter %d is nil", i)
		}
	}
	return base{params: append([]*dl.Tensor(nil), params...)}
}

// ZeroGrad clears the gradients of every parameter.
func (b *base) ZeroGrad() {
	for _, p := range b.params {
		p.ZeroGrad()
	}
}

// LR returns the learning rate.
func (b *base) LR() float64 { return b.lr }

// SetLR sets the learning rate.
func (b *base) SetLR(lr float64) { b.lr = lr }

// Params returns the parameters the optimizer updates.
func (b *base) Params() []*dl.Tensor { return b.params }

// grads calls f with the live data and gradient of every parameter that has
// a gradient, and its index (for per-parameter state).
func (b *base) grads(op string, f func(i int, w, g []float32)) {
	for i, p := range b.params {
		gt := p.Grad()
		if gt == nil {
			continue
		}
		if !gt.IsContiguous() {
			gt = gt.Contiguous()
		}
		w, g := p.RawData(), gt.RawData()
		if len(w) != len(g) {
			dl.Panicf(op, "parameter %d has shape %v but its gradient %v", i, p.Shape(), gt.Shape())
		}
		f(i, w, g)
	}
}

// state returns buf[i], allocating n zeros the first time.
func state(buf [][]float32, i, n int) []float32 {
	if buf[i] == nil {
		buf[i] = make([]float32, n)
	}
	return buf[i]
}
