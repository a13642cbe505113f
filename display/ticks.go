package display

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// niceTicks are the plot package's default ticks with labels no longer
// than their values need ("250", not "250.00"). On an integer axis (every
// value a whole number: steps, epochs, counts) only whole numbers are
// ticked.
type niceTicks struct{ integer bool }

func (t niceTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	if t.integer {
		kept := ts[:0]
		for _, tk := range ts {
			if tk.Value == math.Trunc(tk.Value) {
				kept = append(kept, tk)
			}
		}
		ts = kept
		if labelled(ts) < 2 {
			ts = wholeTicks(min, max)
		}
	}
	return shortLabels(ts)
}

// labelled counts the major (labelled) ticks.
func labelled(ts []plot.Tick) int {
	n := 0
	for _, t := range ts {
		if !t.IsMinor() {
			n++
		}
	}
	return n
}

// wholeTicks labels every whole number from min to max; it serves narrow
// integer ranges (one to a few steps), where the default ticks fall
// between whole numbers.
func wholeTicks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	step := math.Max(1, math.Ceil((max-min)/6))
	for v := math.Ceil(min); v <= max; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: "x"})
	}
	return ts
}

// shortLabels writes the labels of the major ticks with the fewest
// decimals that still tell each value exactly, keeping the exponent form
// the default ticks choose for very large or small values.
func shortLabels(ts []plot.Tick) []plot.Tick {
	for _, t := range ts {
		if strings.ContainsAny(t.Label, "eE") {
			return ts
		}
	}
	prec := 0
	for ; prec < 6; prec++ {
		exact := true
		for _, t := range ts {
			if t.IsMinor() {
				continue
			}
			back, _ := strconv.ParseFloat(strconv.FormatFloat(t.Value, 'f', prec, 64), 64)
			if math.Abs(back-t.Value) > 1e-9*math.Max(1, math.Abs(t.Value)) {
				exact = false
				break
			}
		}
		if exact {
			break
		}
	}
	for i, t := range ts {
		if t.IsMinor() {
			continue
		}
		v := t.Value
		if math.Abs(v) < 1e-12 {
			v = 0 // no "-0" from rounding in the tick search
		}
		ts[i].Label = strconv.FormatFloat(v, 'f', prec, 64)
	}
	return ts
}

// allIntegers reports whether every finite value is a whole number (and
// at least one is finite): the axis then ticks whole numbers only.
func allIntegers(vs ...[]float64) bool {
	seen := false
	for _, v := range vs {
		for _, x := range v {
			if !finite(x) {
				continue
			}
			if x != math.Trunc(x) {
				return false
			}
			seen = true
		}
	}
	return seen
}
