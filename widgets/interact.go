package widgets

import (
	"fmt"
	"reflect"

	"github.com/godl-dev/godl/display"
)

// valued is a widget with a value that Interact can pass on.
type valued interface {
	Widget
	value() any
	watch(o observer)
}

// Interact shows controls above an output area and runs f in that area
// with the controls' values as arguments: once now, and again whenever a
// value changes (ipywidgets' interact). Argument i of f takes control i's
// value: float64 from a FloatSlider, int from an IntSlider, string from a
// Dropdown or Text, bool from a Checkbox (or a type they convert to). Each
// run first clears the area (when the next output comes, so a plot is
// replaced without flicker); a result f returns is shown in it; a panic
// is shown in it as an error.
//
//	s := widgets.NewFloatSlider("slope", 0, 1, 0.01, 0.1)
//	widgets.Interact(func(slope float64) { display.Lines(...) }, s)
func Interact(f any, controls ...Widget) {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func || fv.IsNil() {
		panic(fmt.Errorf("widgets.Interact: the first argument must be a function, got %T", f))
	}
	ft := fv.Type()
	if ft.IsVariadic() || ft.NumIn() != len(controls) {
		panic(fmt.Errorf("widgets.Interact: the function %s takes %d arguments, but %d controls were given", ft, ft.NumIn(), len(controls)))
	}
	vals := make([]valued, len(controls))
	for i, c := range controls {
		v, ok := c.(valued)
		if !ok {
			panic(fmt.Errorf("widgets.Interact: control %d (%T) has no value to pass", i, c))
		}
		if have, want := reflect.TypeOf(v.value()), ft.In(i); !have.ConvertibleTo(want) {
			panic(fmt.Errorf("widgets.Interact: argument %d of %s is %s, but control %d (%T) gives %s", i, ft, want, i, c, have))
		}
		vals[i] = v
	}
	out := NewOutput()
	box := newBox("VBox", []any{"widget-interact"}, append(append([]Widget(nil), controls...), out))
	Show(box)
	update := func() {
		out.capture(func() {
			display.Clear(true)
			call(func() {
				args := make([]reflect.Value, len(vals))
				for i, v := range vals {
					args[i] = reflect.ValueOf(v.value()).Convert(ft.In(i))
				}
				res := fv.Call(args)
				if len(res) > 0 && !isNil(res[0]) {
					display.Publish(display.ValueBundle(res[0].Interface()))
				}
			})
		})
	}
	for _, v := range vals {
		v.watch(observer{fn: update, captures: true})
	}
	update()
}

func isNil(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}
