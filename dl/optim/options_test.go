package optim

import (
	"testing"

	"github.com/godl-dev/godl/dl"
)

// Constructors refuse options they do not take and bad values, naming the
// optimizer; a group's options are checked like the constructor's.
func TestOptionErrors(t *testing.T) {
	p := func() []*dl.Tensor { return []*dl.Tensor{dl.Zeros(2).RequiresGrad()} }
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { NewSGD(p(), Betas(0.9, 0.99)) }, "SGD: option Betas does not apply to SGD (it takes [LR Momentum Dampening Nesterov WeightDecay])"},
		{func() { NewAdam(p(), Momentum(0.9)) }, "Adam: option Momentum does not apply to Adam (it takes [LR Betas Eps WeightDecay AMSGrad])"},
		{func() { NewAdamW(p(), Centered()) }, "AdamW: option Centered does not apply to AdamW (it takes [LR Betas Eps WeightDecay AMSGrad])"},
		{func() { NewRMSprop(p(), AMSGrad()) }, "RMSprop: option AMSGrad does not apply to RMSprop (it takes [LR Alpha Eps WeightDecay Momentum Centered])"},
		{func() { NewSGD(Groups(Group(p()), Group(p(), Alpha(0.5))), LR(0.1)) }, "SGD: option Alpha does not apply to SGD (it takes [LR Momentum Dampening Nesterov WeightDecay])"},
		{func() { NewSGD(p(), LR(-1)) }, "SGD: invalid learning rate -1"},
		{func() { NewAdam(p(), WeightDecay(-0.5)) }, "Adam: invalid weight decay -0.5"},
		{func() { NewSGD(Groups(Group(p(), LR(-2))), LR(0.1)) }, "SGD: invalid learning rate -2"},
		{func() { NewSGD(p(), Nesterov()) }, "SGD: Nesterov momentum requires a momentum and zero dampening"},
		{func() { NewAdam(p(), Betas(1, 0.5)) }, "Adam: invalid betas (1, 0.5): each must be in [0, 1)"},
		{func() { NewRMSprop(p(), Eps(-1)) }, "RMSprop: invalid epsilon -1"},
	} {
		err := dl.Maybe(c.f)
		if err == nil || err.Error() != c.want {
			t.Errorf("got error %v\nwant        %s", err, c.want)
		}
	}
}

// A group's options override the constructor's, which override the
// optimizer's defaults.
func TestGroupOptionsOverride(t *testing.T) {
	a, b := dl.Zeros(2).RequiresGrad(), dl.Zeros(3).RequiresGrad()
	o := NewAdam(Groups(Group(a), Group(b, LR(0.5), Betas(0.5, 0.6))), LR(0.1), Eps(1e-6))
	g := o.ParamGroups()
	if g[0].LR != 0.1 || g[0].Eps != 1e-6 || g[0].Beta1 != 0.9 || g[0].Beta2 != 0.999 {
		t.Errorf("group 0: %+v", *g[0])
	}
	if g[1].LR != 0.5 || g[1].Eps != 1e-6 || g[1].Beta1 != 0.5 || g[1].Beta2 != 0.6 {
		t.Errorf("group 1: %+v", *g[1])
	}
	o.AddParamGroup(Group(dl.Zeros(1).RequiresGrad(), AMSGrad()))
	if g := o.ParamGroups()[2]; g.LR != 0.1 || !g.AMSGrad {
		t.Errorf("added group: %+v", *g)
	}
}

// Schedulers refuse the options of other schedulers (they used to ignore
// them: a Patience given to CosineAnnealingLR did nothing).
func TestSchedOptionErrors(t *testing.T) {
	o := NewSGD([]*dl.Tensor{dl.Zeros(2).RequiresGrad()}, LR(0.1))
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { NewCosineAnnealingLR(o, 10, Patience(3)) }, "CosineAnnealingLR: option Patience does not apply to CosineAnnealingLR (it takes [EtaMin])"},
		{func() { NewReduceLROnPlateau(o, Factor(0.5), EtaMin(0.1)) }, "ReduceLROnPlateau: option EtaMin does not apply to ReduceLROnPlateau (it takes [Mode Factor Patience Threshold ThresholdMode Cooldown MinLR MinDelta])"},
		{func() { NewReduceLROnPlateau(o, Factor(2)) }, "ReduceLROnPlateau: factor must be below 1, got 2"},
	} {
		err := dl.Maybe(c.f)
		if err == nil || err.Error() != c.want {
			t.Errorf("got error %v\nwant        %s", err, c.want)
		}
	}
	r := NewReduceLROnPlateau(o, Mode("max"), Factor(0.5), Patience(2), Threshold(0.01), ThresholdMode("abs"), Cooldown(1), MinLR(1e-3), MinDelta(1e-6))
	if r.Mode != "max" || r.Factor != 0.5 || r.Patience != 2 || r.Threshold != 0.01 || r.ThresholdMode != "abs" || r.Cooldown != 1 || r.MinLR != 1e-3 || r.Eps != 1e-6 {
		t.Errorf("ReduceLROnPlateau: %+v", r)
	}
	if s := NewCosineAnnealingLR(o, 10, EtaMin(0.01)); s.EtaMin != 0.01 {
		t.Errorf("EtaMin: %v", s.EtaMin)
	}
}
