package nn

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unsafe"

	"github.com/godl-dev/godl/dl"
)

// Module is anything with a forward pass: every layer here, Sequential,
// and the user's own model structs.
type Module interface {
	Forward(x *dl.Tensor) *dl.Tensor
}

// NamedParam is a parameter with its dotted name, e.g. "layer1.weight".
type NamedParam struct {
	Name  string
	Param *dl.Tensor
}

// NamedModule is a module with its dotted name; the root's name is "".
type NamedModule struct {
	Name   string
	Module Module
}

// Models need no registration: the helpers below find parameters by
// reflection, walking
//
//   - struct fields, exported or not (a *dl.Tensor field is a parameter),
//     named by the struct tag `nn:"name"` if present, else by the field name
//     in snake_case ("Layer1" -> "layer1", "ConvBlock" -> "conv_block");
//     `nn:"-"` skips a field, `nn:"name,buffer"` marks a tensor as state
//     that is saved but not trained (BatchNorm's running statistics), and
//     `nn:",inline"` (or an embedded field) adds no name part;
//   - slices and arrays, with the index as name part ("layers.0.weight");
//   - maps with string or integer keys, in sorted key order;
//   - pointers and interfaces, followed once: a tensor or module reached
//     twice is listed once, under its first name.
//
// Unexported fields count, as every attribute does in PyTorch: a Go user's
// `layer1 *nn.Linear` is as much a part of the model as an exported one.

// Parameters returns the trainable tensors of m in NamedParameters order.
func Parameters(m any) []*dl.Tensor {
	var ps []*dl.Tensor
	for _, np := range NamedParameters(m) {
		ps = append(ps, np.Param)
	}
	return ps
}

// NamedParameters returns the trainable tensors of m with dotted names.
func NamedParameters(m any) []NamedParam {
	var out []NamedParam
	walk(m, func(name string, t *dl.Tensor, buffer bool) {
		if !buffer {
			out = append(out, NamedParam{name, t})
		}
	}, nil)
	return out
}

// NamedBuffers returns the non-trainable state tensors of m (running
// statistics), which Save and Load keep alongside the parameters.
func NamedBuffers(m any) []NamedParam {
	var out []NamedParam
	walk(m, func(name string, t *dl.Tensor, buffer bool) {
		if buffer {
			out = append(out, NamedParam{name, t})
		}
	}, nil)
	return out
}

// StateDict returns parameters and buffers by name, like PyTorch's
// state_dict: the tensors themselves, not copies.
func StateDict(m any) []NamedParam {
	var out []NamedParam
	walk(m, func(name string, t *dl.Tensor, _ bool) { out = append(out, NamedParam{name, t}) }, nil)
	return out
}

// NumParams returns the number of trainable scalars in m.
func NumParams(m any) int {
	n := 0
	for _, p := range Parameters(m) {
		n += p.Numel()
	}
	return n
}

// NamedModules returns m and every module inside it, depth first, m first
// with name "".
func NamedModules(m any) []NamedModule {
	var out []NamedModule
	walk(m, nil, func(name string, mod Module) { out = append(out, NamedModule{name, mod}) })
	return out
}

// Trainer is implemented by modules whose behaviour differs between
// training and evaluation (Dropout, BatchNorm).
type Trainer interface {
	SetTraining(on bool)
}

// Train puts m and every module inside it in training mode.
func Train(m any) { setMode(m, true) }

// Eval puts m and every module inside it in evaluation mode: Dropout passes
// its input through, BatchNorm uses its running statistics.
func Eval(m any) { setMode(m, false) }

// WithEval runs fn with m in evaluation mode and then puts every module
// back in the mode it was in: for a look at the model (an accuracy, a
// summary of shapes) that must not move BatchNorm's running statistics.
func WithEval(m any, fn func()) {
	type moded interface {
		Trainer
		IsTraining() bool
	}
	var mods []moded
	var was []bool
	walkAll(m, func(v reflect.Value) {
		if t, ok := asInterface(v).(moded); ok {
			mods = append(mods, t)
			was = append(was, t.IsTraining())
		}
	})
	defer func() {
		for i, t := range mods {
			t.SetTraining(was[i])
		}
	}()
	for _, t := range mods {
		t.SetTraining(false)
	}
	fn()
}

func setMode(m any, on bool) {
	walkAll(m, func(v reflect.Value) {
		if t, ok := asInterface(v).(Trainer); ok {
			t.SetTraining(on)
		}
	})
}

var tensorType = reflect.TypeFor[*dl.Tensor]()

// tensorNamer is a module that names its own tensors instead of being
// walked field by field (the recurrent layers, whose PyTorch names
// "weight_ih_l0" do not follow a struct's shape).
type tensorNamer interface {
	namedTensors() []NamedParam
}

// skipPkg lists packages whose values never hold model parameters: a model
// that keeps its optimizer or data loader in a field does not thereby own
// the dataset's tensors, and a dl.Tensor's own fields (its gradient) are
// not parameters.
var skipPkg = map[string]bool{
	"github.com/godl-dev/godl/dl":       true,
	"github.com/godl-dev/godl/dl/optim": true,
	"github.com/godl-dev/godl/dl/data":  true,
}

type walker struct {
	param  func(name string, t *dl.Tensor, buffer bool)
	module func(name string, m Module)
	any    func(v reflect.Value)
	seen   map[seenKey]bool
}

// seenKey identifies a pointer by type too: a struct and its first field
// share an address.
type seenKey struct {
	t reflect.Type
	p uintptr
}

func walk(m any, param func(string, *dl.Tensor, bool), module func(string, Module)) {
	w := &walker{param: param, module: module, seen: map[seenKey]bool{}}
	w.visit(reflect.ValueOf(m), "", false)
}

// walkAll calls f on every value reachable from m that could be a module.
func walkAll(m any, f func(v reflect.Value)) {
	w := &walker{any: f, seen: map[seenKey]bool{}}
	w.visit(reflect.ValueOf(m), "", false)
}

// asInterface returns v as an interface value, reaching unexported fields
// through their address when it has one.
func asInterface(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.CanInterface() {
		return v.Interface()
	}
	if v.CanAddr() {
		return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem().Interface()
	}
	return nil
}

func join(prefix, name string) string {
	switch {
	case prefix == "":
		return name
	case name == "":
		return prefix
	}
	return prefix + "." + name
}

func (w *walker) visit(v reflect.Value, name string, buffer bool) {
	if !v.IsValid() {
		return
	}
	if v.Type() == tensorType {
		k := seenKey{v.Type(), v.Pointer()}
		if v.IsNil() || w.seen[k] {
			return
		}
		w.seen[k] = true
		if w.param != nil {
			w.param(name, asInterface(v).(*dl.Tensor), buffer)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Elem().Kind() == reflect.Struct {
			// The struct checks and reports itself through its address,
			// which covers structs held by value too.
			w.visit(v.Elem(), name, buffer)
			return
		}
		if !w.first(v) {
			return
		}
		w.self(v, name)
		w.visit(v.Elem(), name, buffer)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		w.visit(v.Elem(), name, buffer)
	case reflect.Struct:
		if skipPkg[v.Type().PkgPath()] {
			return
		}
		if !v.CanAddr() {
			// A struct held by value in an interface: copy it so that
			// fields are addressable (its tensors are pointers, shared).
			c := reflect.New(v.Type()).Elem()
			c.Set(v)
			v = c
		}
		if !w.first(v.Addr()) {
			return
		}
		w.self(v.Addr(), name)
		if tn, ok := asInterface(v.Addr()).(tensorNamer); ok {
			for _, np := range tn.namedTensors() {
				w.visit(reflect.ValueOf(np.Param), join(name, np.Name), buffer)
			}
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			fname, opts, skip := fieldName(f)
			if skip || !worthVisiting(f.Type) {
				continue
			}
			w.visit(v.Field(i), join(name, fname), buffer || opts == "buffer")
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return
		}
		for i := range v.Len() {
			w.visit(v.Index(i), join(name, strconv.Itoa(i)), buffer)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return strings.Compare(keyString(a), keyString(b))
		})
		if len(keys) > 0 && keys[0].Kind() != reflect.String {
			slices.SortFunc(keys, func(a, b reflect.Value) int { return cmpKey(a, b) })
		}
		for _, k := range keys {
			w.visit(v.MapIndex(k), join(name, keyString(k)), buffer)
		}
	}
}

// first reports whether pointer p is met for the first time, and marks it.
func (w *walker) first(p reflect.Value) bool {
	if p.Type().Elem().Size() == 0 {
		// Pointers to zero-size values may all be equal (Go gives them one
		// address), so they say nothing about identity; and holding
		// nothing, they cannot lead round a cycle.
		return true
	}
	k := seenKey{p.Type(), p.Pointer()}
	if w.seen[k] {
		return false
	}
	w.seen[k] = true
	return true
}

// self reports p (a pointer) as a module when it is one.
func (w *walker) self(p reflect.Value, name string) {
	if w.any != nil {
		w.any(p)
	}
	if w.module != nil {
		if m, ok := asInterface(p).(Module); ok {
			w.module(name, m)
		}
	}
}

func keyString(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	return fmt.Sprint(asInterface(k))
}

func cmpKey(a, b reflect.Value) int {
	switch a.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmpInt(a.Int(), b.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() < b.Uint() {
			return -1
		} else if a.Uint() > b.Uint() {
			return 1
		}
		return 0
	}
	return strings.Compare(keyString(a), keyString(b))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// worthVisiting prunes types that cannot hold tensors or modules, which
// keeps walks over big models cheap.
func worthVisiting(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
		switch t.Kind() {
		case reflect.Slice, reflect.Array:
			return worthVisiting(t.Elem())
		}
		return true
	}
	return false
}

// fieldName returns the name part of a struct field and its tag option.
func fieldName(f reflect.StructField) (name, opt string, skip bool) {
	tag, ok := f.Tag.Lookup("nn")
	if ok {
		name, opt, _ = strings.Cut(tag, ",")
		if name == "-" && opt == "" {
			return "", "", true
		}
		if opt == "inline" {
			return "", opt, false
		}
		if name != "" {
			return name, opt, false
		}
	}
	if f.Anonymous {
		return "", opt, false
	}
	return snake(f.Name), opt, false
}

// snake turns a Go field name into PyTorch's attribute style:
// "Layer1" -> "layer1", "ConvBlock" -> "conv_block", "FC2" -> "fc2",
// "ReLU" -> "relu" (the activation's spelling counts as one word).
func snake(s string) string {
	s = strings.ReplaceAll(s, "ReLU", "Relu")
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			nextLower := i > 0 && i+1 < len(r) && unicode.IsUpper(r[i-1]) && unicode.IsLower(r[i+1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
