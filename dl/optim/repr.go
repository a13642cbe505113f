package optim

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// repr is PyTorch's text for an optimizer (torch 2's Optimizer.__repr__):
// the class name, then every group's hyper-parameters sorted by name,
// including the flags torch 2 keeps in every group (foreach, maximize,
// ...), which are fixed here.
func (b *base) repr() string {
	var sb strings.Builder
	sb.WriteString(b.name + " (")
	for i, g := range b.groups {
		fmt.Fprintf(&sb, "\nParameter Group %d\n", i)
		items := b.groupItems(g)
		keys := make([]string, 0, len(items))
		for k := range items {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&sb, "    %s: %s\n", k, items[k])
		}
	}
	sb.WriteString(")")
	return sb.String()
}

// groupItems is a group as PyTorch's dict prints it, params left out.
func (b *base) groupItems(g *ParamGroup) map[string]string {
	it := map[string]string{
		"lr":             pyFloat(g.LR),
		"weight_decay":   pyZeroInt(g.WeightDecay),
		"differentiable": "False",
		"foreach":        "None",
		"maximize":       "False",
	}
	if g.hasInitialLR {
		it["initial_lr"] = pyFloat(g.initialLR)
	}
	switch b.name {
	case "SGD":
		it["momentum"] = pyZeroInt(g.Momentum)
		it["dampening"] = pyZeroInt(g.Dampening)
		it["nesterov"] = pyBool(g.Nesterov)
		it["fused"] = "None"
	case "Adam", "AdamW":
		it["betas"] = "(" + pyFloat(g.Beta1) + ", " + pyFloat(g.Beta2) + ")"
		it["eps"] = pyFloat(g.Eps)
		it["amsgrad"] = pyBool(g.AMSGrad)
		it["capturable"] = "False"
		it["decoupled_weight_decay"] = pyBool(b.name == "AdamW")
		it["fused"] = "None"
	case "RMSprop":
		it["alpha"] = pyFloat(g.Alpha)
		it["eps"] = pyFloat(g.Eps)
		it["momentum"] = pyZeroInt(g.Momentum)
		it["centered"] = pyBool(g.Centered)
		it["capturable"] = "False"
	}
	return it
}

// pyFloat formats v as Python's repr of a float: the shortest digits that
// read back to v, in positional notation from 1e-4 to below 1e16 (with
// ".0" when whole), in exponent notation with at least two exponent
// digits elsewhere.
func pyFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsNaN(v):
		return "nan"
	}
	// Go's shortest %e writes e-05 and e+16 as Python does.
	e := strconv.FormatFloat(v, 'e', -1, 64)
	if exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:]); v != 0 && (exp < -4 || exp >= 16) {
		return e
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyZeroInt is pyFloat, except that 0 prints as PyTorch's integer default
// of momentum, dampening and weight decay does: "0".
func pyZeroInt(v float64) string {
	if v == 0 {
		return "0"
	}
	return pyFloat(v)
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func pyFloats(vs []float64) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = pyFloat(v)
	}
	return "[" + strings.Join(s, ", ") + "]"
}
