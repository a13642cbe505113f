package optim

import (
	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/option"
)

// Optimizer updates parameters from their gradients. Schedulers take one and
// change its learning rate between steps.
type Optimizer interface {
	// ZeroGrad clears the gradients of every parameter.
	ZeroGrad()
	// Step applies one update from the current gradients; parameters
	// without a gradient are left alone, as in PyTorch.
	Step()
	// LR returns the learning rate (of the first parameter group).
	LR() float64
	// SetLR sets the learning rate (of every parameter group).
	SetLR(lr float64)
}

// Option sets a hyper-parameter of an optimizer, or of one parameter group
// (see Group). Options an optimizer does not use are rejected with a panic
// naming it, so typos are not silent.
type Option = option.Option[hyper]

// hyper holds every optimizer's hyper-parameters.
type hyper struct {
	lr, momentum, dampening, weightDecay float64
	beta1, beta2, eps, alpha             float64
	nesterov, centered, amsgrad          bool
}

// LR sets the learning rate.
func LR(lr float64) Option { return option.New("LR", func(h *hyper) { h.lr = lr }) }

// Momentum sets the momentum factor (SGD, RMSprop).
func Momentum(m float64) Option { return option.New("Momentum", func(h *hyper) { h.momentum = m }) }

// Dampening sets SGD's dampening for momentum.
func Dampening(d float64) Option { return option.New("Dampening", func(h *hyper) { h.dampening = d }) }

// Nesterov turns on Nesterov momentum (SGD).
func Nesterov() Option { return option.New("Nesterov", func(h *hyper) { h.nesterov = true }) }

// WeightDecay sets the weight decay: an L2 term added to the gradient for
// SGD, Adam and RMSprop, decoupled decay for AdamW.
func WeightDecay(wd float64) Option {
	return option.New("WeightDecay", func(h *hyper) { h.weightDecay = wd })
}

// Betas sets Adam's and AdamW's coefficients of the running averages.
func Betas(b1, b2 float64) Option {
	return option.New("Betas", func(h *hyper) { h.beta1, h.beta2 = b1, b2 })
}

// Eps sets the term added to the denominator for stability.
func Eps(eps float64) Option { return option.New("Eps", func(h *hyper) { h.eps = eps }) }

// Alpha sets RMSprop's smoothing constant.
func Alpha(a float64) Option { return option.New("Alpha", func(h *hyper) { h.alpha = a }) }

// Centered makes RMSprop normalise by an estimate of the gradient's variance.
func Centered() Option { return option.New("Centered", func(h *hyper) { h.centered = true }) }

// AMSGrad turns on the AMSGrad variant of Adam and AdamW.
func AMSGrad() Option { return option.New("AMSGrad", func(h *hyper) { h.amsgrad = true }) }

// apply runs opts over h and panics on options op does not take.
func apply(op string, h hyper, allowed []string, opts []Option) hyper {
	if err := option.Apply(op, &h, allowed, opts); err != nil {
		dl.Panicf(op, "%v", err)
	}
	if h.lr < 0 {
		dl.Panicf(op, "invalid learning rate %v", h.lr)
	}
	if h.weightDecay < 0 {
		dl.Panicf(op, "invalid weight decay %v", h.weightDecay)
	}
	return h
}

// ParamGroup is one group of parameters and the hyper-parameters they are
// updated with: an entry of PyTorch's optimizer.param_groups. Change the
// fields between steps to change the update (schedulers set LR); fields
// an optimizer does not use are ignored (and not printed).
type ParamGroup struct {
	Params      []*dl.Tensor
	LR          float64
	WeightDecay float64
	Eps         float64 // Adam, AdamW, RMSprop
	Momentum    float64 // SGD, RMSprop
	Dampening   float64 // SGD
	Nesterov    bool    // SGD
	Beta1       float64 // Adam, AdamW
	Beta2       float64 // Adam, AdamW
	AMSGrad     bool    // Adam, AdamW
	Alpha       float64 // RMSprop
	Centered    bool    // RMSprop

	// initialLR is PyTorch's initial_lr: the rate when the first
	// scheduler was attached, which schedulers count from.
	initialLR    float64
	hasInitialLR bool
}

func newGroup(params []*dl.Tensor, h hyper) *ParamGroup {
	return &ParamGroup{Params: params, LR: h.lr, WeightDecay: h.weightDecay, Eps: h.eps,
		Momentum: h.momentum, Dampening: h.dampening, Nesterov: h.nesterov,
		Beta1: h.beta1, Beta2: h.beta2, AMSGrad: h.amsgrad, Alpha: h.alpha, Centered: h.centered}
}

// GroupSpec is a parameter group as given to a constructor: parameters and
// the options that differ from the constructor's. Make one with Group.
type GroupSpec struct {
	params []*dl.Tensor
	opts   []Option
}

// GroupSpecs is a list of parameter groups, the first argument of an
// optimizer's constructor in place of the parameters. Make one with Groups.
type GroupSpecs []GroupSpec

// Group makes a parameter group: params (a []*dl.Tensor such as
// nn.Parameters(layer), or one *dl.Tensor) with options that override the
// constructor's for them, as a dict in PyTorch's params list:
//
//	optim.NewSGD(optim.Groups(
//		optim.Group(nn.Parameters(model.Base)),
//		optim.Group(nn.Parameters(model.Head), optim.LR(1e-2)),
//	), optim.LR(1e-3), optim.Momentum(0.9))
func Group[P *dl.Tensor | []*dl.Tensor](params P, opts ...Option) GroupSpec {
	var ps []*dl.Tensor
	switch p := any(params).(type) {
	case *dl.Tensor:
		ps = []*dl.Tensor{p}
	case []*dl.Tensor:
		ps = append(ps, p...)
	}
	return GroupSpec{params: ps, opts: append([]Option(nil), opts...)}
}

// Groups lists parameter groups for an optimizer's constructor.
func Groups(groups ...GroupSpec) GroupSpecs { return append(GroupSpecs(nil), groups...) }

// Params is what an optimizer is made from: its parameters
// (nn.Parameters(model)), all in one group, or parameter groups (Groups).
type Params interface {
	[]*dl.Tensor | GroupSpecs
}

// base holds what every optimizer shares: its parameter groups and the
// state of each parameter.
type base struct {
	name     string // PyTorch's class name, for errors and String
	allowed  []string
	defaults hyper
	groups   []*ParamGroup
	state    map[*dl.Tensor]*paramState
}

// paramState is one parameter's optimizer state: its step count and its
// buffers under PyTorch's names (exp_avg, momentum_buffer, ...).
type paramState struct {
	step int
	bufs map[string][]float32
}

// buf returns the named buffer of n zeros, making it the first time.
func (s *paramState) buf(name string, n int) []float32 {
	b, ok := s.bufs[name]
	if !ok {
		b = make([]float32, n)
		s.bufs[name] = b
	}
	return b
}

// newBase makes the groups from params, each group's options applied over
// the constructor's (defaults).
func newBase[P Params](name string, params P, defaults hyper, allowed []string) base {
	b := base{name: name, allowed: allowed, defaults: defaults, state: map[*dl.Tensor]*paramState{}}
	switch ps := any(params).(type) {
	case []*dl.Tensor:
		b.addGroup(GroupSpec{params: ps})
	case GroupSpecs:
		for _, g := range ps {
			b.addGroup(g)
		}
	}
	return b
}

// AddParamGroup adds a group of parameters, as PyTorch's add_param_group:
// the group's options override the optimizer's defaults (the options its
// constructor was given). A parameter may belong to one group only.
func (b *base) AddParamGroup(g GroupSpec) { b.addGroup(g) }

func (b *base) addGroup(g GroupSpec) {
	h := apply(b.name, b.defaults, b.allowed, g.opts)
	b.check(h)
	seen := map[*dl.Tensor]bool{}
	for _, grp := range b.groups {
		for _, p := range grp.Params {
			seen[p] = true
		}
	}
	for i, p := range g.params {
		if p == nil {
			dl.Panicf(b.name, "parameter %d of group %d is nil", i, len(b.groups))
		}
		if seen[p] {
			dl.Panicf(b.name, "parameter %d of group %d (shape %v) appears in more than one parameter group", i, len(b.groups), p.Shape())
		}
		seen[p] = true
	}
	b.groups = append(b.groups, newGroup(append([]*dl.Tensor(nil), g.params...), h))
}

// check validates one group's hyper-parameters for the optimizer.
func (b *base) check(h hyper) {
	switch b.name {
	case "SGD":
		if h.nesterov && (h.momentum <= 0 || h.dampening != 0) {
			dl.Panicf(b.name, "Nesterov momentum requires a momentum and zero dampening")
		}
	case "Adam", "AdamW":
		if h.beta1 < 0 || h.beta1 >= 1 || h.beta2 < 0 || h.beta2 >= 1 {
			dl.Panicf(b.name, "invalid betas (%v, %v): each must be in [0, 1)", h.beta1, h.beta2)
		}
	}
	if h.eps < 0 {
		dl.Panicf(b.name, "invalid epsilon %v", h.eps)
	}
	if h.momentum < 0 {
		dl.Panicf(b.name, "invalid momentum %v", h.momentum)
	}
}

// ParamGroups returns the optimizer's parameter groups, live: PyTorch's
// optimizer.param_groups.
func (b *base) ParamGroups() []*ParamGroup { return b.groups }

// ZeroGrad clears the gradients of every parameter.
func (b *base) ZeroGrad() {
	for _, g := range b.groups {
		for _, p := range g.Params {
			p.ZeroGrad()
		}
	}
}

// LR returns the learning rate of the first parameter group (0 if there
// is none).
func (b *base) LR() float64 {
	if len(b.groups) == 0 {
		return 0
	}
	return b.groups[0].LR
}

// SetLR sets the learning rate of every parameter group.
func (b *base) SetLR(lr float64) {
	for _, g := range b.groups {
		g.LR = lr
	}
}

// Params returns the parameters the optimizer updates, group by group.
func (b *base) Params() []*dl.Tensor {
	var ps []*dl.Tensor
	for _, g := range b.groups {
		ps = append(ps, g.Params...)
	}
	return ps
}

// grads calls f with every group, and for each parameter of it that has a
// gradient, its live data, its gradient (contiguous) and its state.
func (b *base) grads(f func(g *ParamGroup, w, grad []float32, st *paramState)) {
	for gi, g := range b.groups {
		for i, p := range g.Params {
			gt := p.Grad()
			if gt == nil {
				continue
			}
			if !p.IsContiguous() {
				dl.Panicf(b.name, "parameter %d of group %d (shape %v) is a non-contiguous view; optimizers update parameters in place", i, gi, p.Shape())
			}
			if !gt.IsContiguous() {
				gt = gt.Contiguous()
			}
			w, grad := p.RawData(), gt.RawData()
			if len(w) != len(grad) {
				dl.Panicf(b.name, "parameter %d of group %d has shape %v but its gradient %v", i, gi, p.Shape(), gt.Shape())
			}
			st := b.state[p]
			if st == nil {
				st = &paramState{bufs: map[string][]float32{}}
				b.state[p] = st
			}
			f(g, w, grad, st)
		}
	}
}

// groupsOf returns opt's parameter groups when it has them.
func groupsOf(opt Optimizer) ([]*ParamGroup, bool) {
	if g, ok := opt.(interface{ ParamGroups() []*ParamGroup }); ok {
		return g.ParamGroups(), true
	}
	return nil, false
}
