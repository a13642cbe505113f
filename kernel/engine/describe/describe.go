// Package describe tells what a notebook variable holds, for %whos: a
// tensor's shape, dtype, whether it tracks gradients, how many NaN and Inf
// it holds and its size; a module's parameter counts; a short form of
// anything else. The worker calls it through a hook, so the worker itself
// stays free of dl.
package describe

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// infoWidth bounds the short form of a value.
const infoWidth = 60

// Value describes v.
func Value(v any) wp.VarInfo {
	switch x := v.(type) {
	case *dl.Tensor:
		if x != nil {
			return tensor(x)
		}
	case nn.Module:
		if !isNil(x) {
			return module(x)
		}
	}
	return wp.VarInfo{Info: short(v)}
}

func tensor(t *dl.Tensor) wp.VarInfo {
	d := t.Dtype()
	info := wp.VarInfo{Kind: "tensor", Shape: t.Shape(), DType: d.Name(), RequiresGrad: t.TracksGrad()}
	info.Bytes = int64(t.Numel()) * elemSize(d)
	if d.IsFloat() {
		for _, f := range t.Data() {
			switch {
			case math.IsNaN(float64(f)):
				info.NaN++
			case math.IsInf(float64(f), 0):
				info.Inf++
			}
		}
	}
	return info
}

// elemSize is the bytes of one element, as PyTorch stores it.
func elemSize(d dl.Dtype) int64 {
	switch d {
	case dl.Int64:
		return 8
	case dl.Bool:
		return 1
	}
	return 4
}

func module(m nn.Module) wp.VarInfo {
	info := wp.VarInfo{Kind: "module"}
	for _, p := range nn.Parameters(m) {
		n := int64(p.Numel())
		info.Params += n
		info.Bytes += n * elemSize(p.Dtype())
		if p.TracksGrad() {
			info.Trainable += n
		}
	}
	return info
}

func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return v == nil
}

// short is a one-line form of v: the value of a number, bool or string;
// the length of a collection; a Stringer's String; nothing for other
// values (their type says enough, and printing them could take long).
func short(v any) string {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Invalid:
		return "nil"
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		if s, ok := v.(fmt.Stringer); ok {
			return clip(s.String())
		}
		return fmt.Sprint(v)
	case reflect.String:
		return clip(fmt.Sprintf("%q", rv.String()))
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Chan:
		if rv.Kind() != reflect.Array && rv.IsNil() {
			return "nil"
		}
		return fmt.Sprintf("len %d", rv.Len())
	case reflect.Pointer, reflect.Interface, reflect.Func:
		if rv.IsNil() {
			return "nil"
		}
	}
	if s, ok := v.(fmt.Stringer); ok {
		return clip(s.String())
	}
	return ""
}

// clip keeps the first line of s, at most infoWidth runes.
func clip(s string) string {
	cut := false
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s, cut = s[:i], true
	}
	if utf8.RuneCountInString(s) > infoWidth {
		s, cut = string([]rune(s)[:infoWidth]), true
	}
	if cut {
		s += "…"
	}
	return s
}
