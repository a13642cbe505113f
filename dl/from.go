package dl

import (
	"fmt"
	"reflect"
	"strings"
)

// From returns a new tensor holding the values of data, as torch.tensor:
// data is a number, a bool, or a slice or array of them nested to any
// depth ([][]float32, []int, [][]bool, [][]any ...), and the shape is the
// nesting's. Integers give an Int64 tensor, floats Float32, bools Bool; a
// mix takes the highest of bool < integer < float, as torch.tensor([1,
// 2.5]) is a float tensor. Slices of one level must all have the same
// length: a ragged nesting is an error naming the first place it differs.
// A *Tensor gives a copy of it, outside the graph.
func From(data any) *Tensor {
	if t, ok := fromFlat(data); ok {
		return t
	}
	v := reflect.ValueOf(data)
	c := &collector{shape: probeShape(v), kind: kindBool}
	c.walk(v, nil)
	if len(c.ints) == 0 { // no element to look at: the Go type decides
		c.kind = leafKind(reflect.TypeOf(data))
	}
	switch c.kind {
	case kindBool:
		b := make([]bool, len(c.ints))
		for i, v := range c.ints {
			b[i] = v != 0
		}
		return fromBools(b, c.shape)
	case kindInt:
		return fromInt64s(c.ints, c.shape)
	}
	f := make([]float32, len(c.floats))
	for i, v := range c.floats {
		f[i] = float32(v)
	}
	return fromData(f, c.shape)
}

// probeShape follows the first element down the nesting: the lengths met
// are the shape every other path must match.
func probeShape(v reflect.Value) []int {
	shape := []int{}
	for {
		for v.IsValid() && v.Kind() == reflect.Interface {
			v = v.Elem()
		}
		if !v.IsValid() || (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) {
			return shape
		}
		shape = append(shape, v.Len())
		if v.Len() == 0 {
			return shape
		}
		v = v.Index(0)
	}
}

// fromFlat handles the common one-level slices without reflection.
func fromFlat(data any) (*Tensor, bool) {
	switch d := data.(type) {
	case *Tensor: // torch.tensor(t): a copy outside the graph
		if d == nil {
			Panicf("From", "nil tensor")
		}
		return d.copyContiguous(), true
	case []float32:
		return FromSlice(d), true
	case []float64:
		return FromFloat64s(d), true
	case []int64:
		return FromInt64s(d), true
	case []int:
		return fromInt64s(toInt64s(d), []int{len(d)}), true
	case []bool:
		return FromBools(d), true
	}
	return nil, false
}

type leafCategory uint8

const (
	kindBool leafCategory = iota
	kindInt
	kindFloat
)

// collector gathers the leaves of a nested value in row-major order,
// checking the nesting against shape.
type collector struct {
	shape  []int
	floats []float64
	ints   []int64
	kind   leafCategory // the highest category met
}

func (c *collector) walk(v reflect.Value, path []int) {
	const op = "From"
	for v.IsValid() && v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if !v.IsValid() {
		Panicf(op, "nil element at %s", pathString(path))
	}
	depth := len(path)
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		if depth >= len(c.shape) {
			Panicf(op, "ragged nesting: a list at %s where a number was expected (shape %v)", pathString(path), c.shape)
		}
		if n := v.Len(); n != c.shape[depth] {
			Panicf(op, "ragged nesting: length %d at %s, expected %d (shape %v)", n, pathString(path), c.shape[depth], c.shape)
		}
		for i := range v.Len() {
			c.walk(v.Index(i), append(path, i))
		}
		return
	}
	if depth != len(c.shape) {
		Panicf(op, "ragged nesting: a number at %s where a list of length %d was expected (shape %v)", pathString(path), c.shape[depth], c.shape)
	}
	switch v.Kind() {
	case reflect.Bool:
		b := int64(0)
		if v.Bool() {
			b = 1
		}
		c.leaf(float64(b), b, kindBool)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.leaf(float64(v.Int()), v.Int(), kindInt)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		c.leaf(float64(v.Uint()), int64(v.Uint()), kindInt)
	case reflect.Float32, reflect.Float64:
		c.leaf(v.Float(), floatToInt64(v.Float()), kindFloat)
	default:
		Panicf(op, "element of type %s at %s: want numbers, bools, or slices of them", v.Type(), pathString(path))
	}
}

func (c *collector) leaf(f float64, i int64, k leafCategory) {
	c.floats = append(c.floats, f)
	c.ints = append(c.ints, i)
	c.kind = max(c.kind, k)
}

func pathString(path []int) string {
	if len(path) == 0 {
		return "the top level"
	}
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return "[" + strings.Join(parts, "][") + "]"
}

// leafKind is the dtype category of a Go type's innermost element; an
// interface element (no value to look at) counts as float, as torch's
// default dtype.
func leafKind(t reflect.Type) leafCategory {
	for t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Pointer) {
		t = t.Elem()
	}
	if t == nil {
		return kindFloat
	}
	switch t.Kind() {
	case reflect.Bool:
		return kindBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return kindInt
	}
	return kindFloat
}
