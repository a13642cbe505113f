package engine

import (
	"strings"
	"testing"
)

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

// Parameter names of a model declared in a cell are the user's field
// names, though the fields were exported behind the user's back.
func TestNamedParametersOfCellModel(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "type mlp struct {\n\tlayer1 *nn.Linear\n\tout    *nn.Linear\n}\nnet := &mlp{nn.NewLinear(2, 3), nn.NewLinear(3, 1)}")
	r := ok(t, e, "var names []string\nfor _, p := range nn.NamedParameters(net) {\n\tnames = append(names, p.Name)\n}\nstrings.Join(names, \" \")")
	if want := "layer1.weight layer1.bias out.weight out.bias"; strings.Trim(r.text(), `"`) != want {
		t.Errorf("names = %s, want %q", r.text(), want)
	}
}
