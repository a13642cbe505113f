package display

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
)

// Series is one named curve of a plot. Y is a []float64, []float32, []int
// or a 1-D tensor (anything with Data() []float32).
type Series struct {
	Name string
	Y    any
}

// dataTensor is what plots need of a *dl.Tensor. Asking for the methods,
// not the type, keeps plots working with any tensor-like value.
type dataTensor interface {
	Shape() []int
	Data() []float32
}

// float64er reads a tensor's elements whatever its dtype (integer labels
// stay exact); plots prefer it to Data.
type float64er interface {
	Float64s() []float64
}

// floats converts a numeric slice or tensor into []float64.
func floats(v any) ([]float64, error) {
	switch x := v.(type) {
	case []float64:
		return x, nil
	case []float32:
		out := make([]float64, len(x))
		for i, f := range x {
			out[i] = float64(f)
		}
		return out, nil
	case []int:
		out := make([]float64, len(x))
		for i, f := range x {
			out[i] = float64(f)
		}
		return out, nil
	case float64er:
		return x.Float64s(), nil
	case dataTensor:
		return floats(x.Data())
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("display: want []float64, []float32, []int or a tensor, got %T", v)
}

// mustFloats is floats for the notebook functions: misuse panics with a
// message the kernel shows as the cell's error.
func mustFloats(v any) []float64 {
	f, err := floats(v)
	if err != nil {
		panic(err)
	}
	return f
}

// plotArgs splits the variadic arguments of Lines and Scatter into
// series, in order, and options. A map gives one series per key, sorted
// by name; a bare slice or tensor gives a series named "y1", "y2", ...
func plotArgs(args []any) ([]namedFloats, []PlotOption) {
	var ss []namedFloats
	var opts []PlotOption
	add := func(name string, y any) {
		if name == "" {
			name = fmt.Sprintf("y%d", len(ss)+1)
		}
		ss = append(ss, namedFloats{name, mustFloats(y)})
	}
	for _, a := range args {
		switch x := a.(type) {
		case PlotOption:
			opts = append(opts, x)
		case Series:
			add(x.Name, x.Y)
		case []Series:
			for _, s := range x {
				add(s.Name, s.Y)
			}
		default:
			if m, ok := anyMap(a); ok {
				for _, k := range slices.Sorted(maps.Keys(m)) {
					add(k, m[k])
				}
				continue
			}
			add("", a)
		}
	}
	return ss, opts
}

// anyMap turns any map with string keys (map[string]*dl.Tensor,
// map[string][]int, ...) into map[string]any, so every such map is a set
// of named series without display naming each type.
func anyMap(a any) (map[string]any, bool) {
	v := reflect.ValueOf(a)
	if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	out := make(map[string]any, v.Len())
	for it := v.MapRange(); it.Next(); {
		out[it.Key().String()] = it.Value().Interface()
	}
	return out, true
}

type namedFloats struct {
	name string
	y    []float64
}

// xValues returns x, or 0..n-1 when x is nil, checking the length.
func xValues(x any, n int) []float64 {
	xs := mustFloats(x)
	if xs == nil {
		xs = make([]float64, n)
		for i := range xs {
			xs[i] = float64(i)
		}
	}
	if len(xs) != n {
		panic(fmt.Errorf("display: x has %d values but a series has %d", len(xs), n))
	}
	return xs
}

// minMax is the range of the finite values, 0, 0 when there are none.
func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if finite(x) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return 0, 0
	}
	return lo, hi
}
