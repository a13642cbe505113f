package engine

import "testing"

// The point of the engine: a model made in one cell, trained in another,
// is seen trained in a third.
func TestModelSurvivesCells(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "dl.Seed(1)\nmodel := nn.NewLinear(3, 2)\nbefore := model.Weight.Data()")
	ok(t, e, `x := dl.Randn(8, 3)
y := dl.Randn(8, 2)
opt := optim.NewSGD(nn.Parameters(model), optim.LR(0.1))
for range 5 {
	opt.ZeroGrad()
	loss := nn.MSELoss(model.Forward(x), y)
	loss.Backward()
	opt.Step()
}`)
	r := ok(t, e, "changed := false\nfor i, w := range model.Weight.Data() {\n\tchanged = changed || w != before[i]\n}\nchanged")
	if r.text() != "true" {
		t.Errorf("weights changed = %q, want true", r.text())
	}
}
