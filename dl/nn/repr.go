package nn

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// PyTorch's repr of modules. Every layer here prints as torch prints the
// same layer, and a model as torch prints the same model:
//
//	Sequential(
//	  (0): Linear(in_features=784, out_features=256, bias=True)
//	  (1): ReLU()
//	)
//
// A module is its name, then either its settings on one line (torch's
// extra_repr) or its child modules, one per line as "(name): repr",
// indented by two. The user's own model structs print the same way, named
// by their Go type and with their fields as children (named as in
// NamedParameters: the nn tag, else snake_case); slices and maps of
// modules print as torch's ModuleList and ModuleDict. fmt.Println(model)
// uses this for every layer of nn; for a struct of the user's own, print
// nn.Repr(model) (Go only calls String methods a type declares).

// ExtraReprer is implemented by modules that describe their settings on
// the first line of their repr, as torch's extra_repr.
type ExtraReprer interface {
	ExtraRepr() string
}

// Repr returns PyTorch's repr of module m (any module: a layer of nn, a
// Sequential, or a struct of the user's own).
func Repr(m any) string {
	if m == nil {
		return "None"
	}
	return reprValue(reflect.ValueOf(m))
}

// builtin is implemented by nn's layers: their torch name and settings.
type builtin interface {
	reprName() string
	extraRepr() string
}

var nnPkg = reflect.TypeFor[Linear]().PkgPath()

func reprValue(v reflect.Value) string {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "None"
		}
		if v.Kind() == reflect.Pointer && v.Elem().Kind() != reflect.Struct {
			v = v.Elem()
			continue
		}
		if v.Kind() == reflect.Interface {
			v = v.Elem()
			continue
		}
		break
	}
	iv := asInterface(v)
	if b, ok := iv.(builtin); ok && typeOf(v).PkgPath() == nnPkg {
		return reprModule(b.reprName(), b.extraRepr(), childrenOfBuiltin(iv))
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		return reprModule("ModuleList", "", listChildren(v))
	case reflect.Map:
		return reprModule("ModuleDict", "", mapChildren(v))
	}
	extra := ""
	if e, ok := iv.(ExtraReprer); ok {
		extra = e.ExtraRepr()
	}
	var kids []child
	st := v
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		kids = structChildren(st)
	}
	return reprModule(typeName(typeOf(v)), extra, kids)
}

func typeOf(v reflect.Value) reflect.Type {
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// typeName is a type's name as the user spelled it: the notebook kernel
// exports a cell's lowercase names by prefixing them with "Ǝ".
func typeName(t reflect.Type) string {
	name := t.Name()
	if name == "" {
		return "Module"
	}
	return strings.TrimPrefix(name, "Ǝ")
}

type child struct {
	name string
	repr string
}

// reprModule assembles torch's layout from a name, settings and children.
func reprModule(name, extra string, kids []child) string {
	var lines []string
	if extra != "" {
		lines = strings.Split(extra, "\n")
	}
	for _, c := range kids {
		lines = append(lines, "("+c.name+"): "+strings.ReplaceAll(c.repr, "\n", "\n  "))
	}
	switch {
	case len(lines) == 0:
		return name + "()"
	case len(kids) == 0 && len(lines) == 1:
		return name + "(" + lines[0] + ")"
	}
	return name + "(\n  " + strings.Join(lines, "\n  ") + "\n)"
}

// childrenOfBuiltin lists the children of nn's containers.
func childrenOfBuiltin(m any) []child {
	if s, ok := m.(*Sequential); ok {
		return listChildren(reflect.ValueOf(s.Layers))
	}
	return nil
}

func listChildren(v reflect.Value) []child {
	var kids []child
	for i := range v.Len() {
		if e := v.Index(i); isModuleValue(e) {
			kids = append(kids, child{strconv.Itoa(i), reprValue(e)})
		}
	}
	return kids
}

func mapChildren(v reflect.Value) []child {
	keys := v.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return cmpKey(keys[i], keys[j]) < 0 })
	var kids []child
	for _, k := range keys {
		if e := v.MapIndex(k); isModuleValue(e) {
			kids = append(kids, child{keyString(k), reprValue(e)})
		}
	}
	return kids
}

var moduleType = reflect.TypeFor[Module]()

// isModuleValue reports whether v holds a module (not nil), or a slice,
// array or map of them.
func isModuleValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
		if v.IsNil() {
			return false
		}
	}
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Type().Implements(moduleType) || (v.CanAddr() && v.Addr().Type().Implements(moduleType)) {
		return true
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		e := v.Type().Elem()
		return e.Implements(moduleType) || reflect.PointerTo(e).Implements(moduleType)
	}
	return false
}

// structChildren lists the module fields of a user's struct in order,
// named as NamedParameters names them; embedded and inline fields add
// their own children.
func structChildren(st reflect.Value) []child {
	if !st.CanAddr() {
		c := reflect.New(st.Type()).Elem()
		c.Set(st)
		st = c
	}
	var kids []child
	t := st.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, skip := fieldName(f)
		if skip || !worthVisiting(f.Type) {
			continue
		}
		fv := st.Field(i)
		if name == "" { // embedded or inline: its children are ours
			e := fv
			for (e.Kind() == reflect.Pointer || e.Kind() == reflect.Interface) && !e.IsNil() {
				e = e.Elem()
			}
			switch {
			case e.Kind() == reflect.Struct && typeOf(e).PkgPath() == nnPkg:
				kids = append(kids, childrenOfBuiltin(asInterface(e.Addr()))...)
			case e.Kind() == reflect.Struct:
				kids = append(kids, structChildren(e)...)
			case e.Kind() == reflect.Slice || e.Kind() == reflect.Array:
				kids = append(kids, listChildren(e)...)
			}
			continue
		}
		if isModuleValue(fv) {
			if fv.CanAddr() && fv.Kind() == reflect.Struct {
				fv = fv.Addr()
			}
			kids = append(kids, child{name, reprValue(fv)})
		}
	}
	return kids
}

// Python's spellings of values in reprs.

// pyFloat formats v as Python's repr(float): "0.1", "1e-05", "2.0".
func pyFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(v, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyFloat32 formats a float32 by its shortest decimal, as the Python float
// the user would have typed.
func pyFloat32(v float32) string {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v), 'g', -1, 32), 64)
	return pyFloat(f)
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// pyTuple formats ints as a Python tuple: "(3, 3)", "(64,)".
func pyTuple(v ...int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	if len(v) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// pyPair is a pooling size as torch keeps what it was given: one number
// when both sides agree, else a tuple.
func pyPair(p [2]int) string {
	if p[0] == p[1] {
		return strconv.Itoa(p[0])
	}
	return pyTuple(p[0], p[1])
}

// intField and boolField read an optional setting by field name, so that
// settings other layers' files add (Conv2d's Groups, the pools' CeilMode)
// print without this file depending on them.
func intField(m any, name string, def int) int {
	f := reflect.ValueOf(m).Elem().FieldByName(name)
	if f.IsValid() && f.CanInt() {
		return int(f.Int())
	}
	return def
}

func boolField(m any, name string) bool {
	f := reflect.ValueOf(m).Elem().FieldByName(name)
	return f.IsValid() && f.Kind() == reflect.Bool && f.Bool()
}

// The layers of nn.

func (l *Linear) reprName() string { return "Linear" }
func (l *Linear) extraRepr() string {
	s := l.Weight.Shape()
	return fmt.Sprintf("in_features=%d, out_features=%d, bias=%s", s[1], s[0], pyBool(l.Bias != nil))
}

// String is PyTorch's repr.
func (l *Linear) String() string { return Repr(l) }

func (s *Sequential) reprName() string  { return "Sequential" }
func (s *Sequential) extraRepr() string { return "" }

// String is PyTorch's repr: the layers, numbered.
func (s *Sequential) String() string { return Repr(s) }

func (m *ReLU) reprName() string  { return "ReLU" }
func (m *ReLU) extraRepr() string { return "" }

// String is PyTorch's repr.
func (m *ReLU) String() string { return Repr(m) }

func (m *Sigmoid) reprName() string  { return "Sigmoid" }
func (m *Sigmoid) extraRepr() string { return "" }

// String is PyTorch's repr.
func (m *Sigmoid) String() string { return Repr(m) }

func (m *Tanh) reprName() string  { return "Tanh" }
func (m *Tanh) extraRepr() string { return "" }

// String is PyTorch's repr.
func (m *Tanh) String() string { return Repr(m) }

func (m *GELU) reprName() string  { return "GELU" }
func (m *GELU) extraRepr() string { return "approximate='none'" }

// String is PyTorch's repr.
func (m *GELU) String() string { return Repr(m) }

func (m *LeakyReLU) reprName() string  { return "LeakyReLU" }
func (m *LeakyReLU) extraRepr() string { return "negative_slope=" + pyFloat32(m.Slope) }

// String is PyTorch's repr.
func (m *LeakyReLU) String() string { return Repr(m) }

func (m *Softmax) reprName() string  { return "Softmax" }
func (m *Softmax) extraRepr() string { return "dim=" + strconv.Itoa(m.Dim) }

// String is PyTorch's repr.
func (m *Softmax) String() string { return Repr(m) }

func (m *LogSoftmax) reprName() string  { return "LogSoftmax" }
func (m *LogSoftmax) extraRepr() string { return "dim=" + strconv.Itoa(m.Dim) }

// String is PyTorch's repr.
func (m *LogSoftmax) String() string { return Repr(m) }

func (f *Flatten) reprName() string { return "Flatten" }
func (f *Flatten) extraRepr() string {
	return fmt.Sprintf("start_dim=%d, end_dim=%d", f.StartDim, f.EndDim)
}

// String is PyTorch's repr.
func (f *Flatten) String() string { return Repr(f) }

func (m *Identity) reprName() string  { return "Identity" }
func (m *Identity) extraRepr() string { return "" }

// String is PyTorch's repr.
func (m *Identity) String() string { return Repr(m) }

func (m *Dropout) reprName() string  { return "Dropout" }
func (m *Dropout) extraRepr() string { return "p=" + pyFloat(m.P) + ", inplace=False" }

// String is PyTorch's repr.
func (m *Dropout) String() string { return Repr(m) }

func (m *Embedding) reprName() string { return "Embedding" }
func (m *Embedding) extraRepr() string {
	s := m.Weight.Shape()
	return fmt.Sprintf("%d, %d", s[0], s[1])
}

// String is PyTorch's repr.
func (m *Embedding) String() string { return Repr(m) }

func (m *Conv2d) reprName() string { return "Conv2d" }
func (m *Conv2d) extraRepr() string {
	s := m.Weight.Shape()
	groups := intField(m, "Groups", 1)
	var b strings.Builder
	fmt.Fprintf(&b, "%d, %d, kernel_size=%s, stride=%s", s[1]*max(groups, 1), s[0], pyTuple(s[2], s[3]), pyTuple(m.Stride[:]...))
	if m.Padding != [2]int{0, 0} {
		b.WriteString(", padding=" + pyTuple(m.Padding[:]...))
	}
	if m.Dilation != [2]int{1, 1} {
		b.WriteString(", dilation=" + pyTuple(m.Dilation[:]...))
	}
	if groups != 1 {
		fmt.Fprintf(&b, ", groups=%d", groups)
	}
	if m.Bias == nil {
		b.WriteString(", bias=False")
	}
	return b.String()
}

// String is PyTorch's repr.
func (m *Conv2d) String() string { return Repr(m) }

func (m *MaxPool2d) reprName() string { return "MaxPool2d" }
func (m *MaxPool2d) extraRepr() string {
	return fmt.Sprintf("kernel_size=%s, stride=%s, padding=%s, dilation=%s, ceil_mode=%s",
		pyPair(m.Kernel), pyPair(m.Stride), pyPair(m.Padding), pyPair(m.Dilation), pyBool(boolField(m, "CeilMode")))
}

// String is PyTorch's repr.
func (m *MaxPool2d) String() string { return Repr(m) }

func (m *AvgPool2d) reprName() string { return "AvgPool2d" }
func (m *AvgPool2d) extraRepr() string {
	return fmt.Sprintf("kernel_size=%s, stride=%s, padding=%s", pyPair(m.Kernel), pyPair(m.Stride), pyPair(m.Padding))
}

// String is PyTorch's repr.
func (m *AvgPool2d) String() string { return Repr(m) }

func (m *BatchNorm) reprName() string { return m.name() }
func (m *BatchNorm) extraRepr() string {
	c := m.channels()
	if c < 0 {
		c = m.features
	}
	return fmt.Sprintf("%d, eps=%s, momentum=%s, affine=%s, track_running_stats=%s", c,
		pyFloat(m.Eps), pyFloat(m.Momentum), pyBool(m.Weight != nil), pyBool(m.RunningMean != nil))
}

// String is PyTorch's repr.
func (m *BatchNorm) String() string { return Repr(m) }

func (m *LayerNorm) reprName() string { return "LayerNorm" }
func (m *LayerNorm) extraRepr() string {
	return fmt.Sprintf("%s, eps=%s, elementwise_affine=%s", pyTuple(m.NormalizedShape...), pyFloat(m.Eps), pyBool(m.Weight != nil))
}

// String is PyTorch's repr.
func (m *LayerNorm) String() string { return Repr(m) }

func (r *Recurrent) reprName() string { return r.kind.String() }
func (r *Recurrent) extraRepr() string {
	s := fmt.Sprintf("%d, %d", r.InputSize, r.HiddenSize)
	if len(r.Layers) != 1 {
		s += fmt.Sprintf(", num_layers=%d", len(r.Layers))
	}
	if len(r.Layers) > 0 && r.Layers[0].BiasIH == nil {
		s += ", bias=False"
	}
	if r.BatchFirst {
		s += ", batch_first=True"
	}
	if r.Dropout != 0 {
		s += ", dropout=" + pyFloat(r.Dropout)
	}
	return s
}

// String is PyTorch's repr.
func (r *Recurrent) String() string { return Repr(r) }
