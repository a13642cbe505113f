package dl

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/godl-dev/godl/internal/golden"
)

// The cases of testdata/golden_api.json are written by
// testdata/gen_golden_api.py from PyTorch 1.13 (make golden): dtypes and
// promotion, comparisons, indexing and assignment with their gradients,
// From, and the printing of Int64 and Bool tensors.

// apiTensor is a golden tensor of any dtype.
type apiTensor = goldenTensor

// apiArg is an operand: a tensor, a number or a bool.
type apiArg struct {
	Tensor *apiTensor `json:"tensor"`
	Number *float64   `json:"number"`
	Bool   *bool      `json:"bool"`
}

func (a apiArg) t() *Tensor { return a.Tensor.tensor() }
func (a apiArg) f() float32 { return float32(*a.Number) }
func (a apiArg) any() any {
	switch {
	case a.Tensor != nil:
		return a.t()
	case a.Bool != nil:
		return *a.Bool
	}
	return *a.Number
}

type apiOpCase struct {
	Name  string     `json:"name"`
	Args  []apiArg   `json:"args"`
	Out   *apiTensor `json:"out"`
	Error string     `json:"error"`
}

type apiIndexCase struct {
	Name       string            `json:"name"`
	Input      apiTensor         `json:"input"`
	Index      []json.RawMessage `json:"index"`
	Value      *apiArg           `json:"value"`
	Out        *apiTensor        `json:"out"`
	Upstream   *apiTensor        `json:"upstream"`
	Grad       *apiTensor        `json:"grad"`
	ValueGrad  *apiTensor        `json:"value_grad"`
	View       bool              `json:"view"`
	Error      string            `json:"error"`
	Expect     string            `json:"expect"`
	TensorCase *apiTensor        `json:"tensor"`
}

type apiGolden struct {
	Ops      []apiOpCase    `json:"ops"`
	InPlace  []apiOpCase    `json:"inplace"`
	Index    []apiIndexCase `json:"index"`
	SetIndex []apiIndexCase `json:"setindex"`
	From     []apiOpCase    `json:"from"`
	Strings  []apiIndexCase `json:"strings"`
	GradFn   []apiIndexCase `json:"gradfn"`
}

func loadAPIGolden(t *testing.T) *apiGolden {
	t.Helper()
	var g apiGolden
	golden.Load(t, "testdata/golden_api.json", goldenTorch, &g)
	return &g
}

// checkAPI compares got with a golden tensor: dtype, shape, and values
// (exact for Int64 and Bool, to goldenTol for Float32).
func checkAPI(t *testing.T, what string, got *Tensor, want *apiTensor) {
	t.Helper()
	if got.Dtype().Name() != want.Dtype {
		t.Errorf("%s: dtype %s, want %s", what, got.Dtype().Name(), want.Dtype)
		return
	}
	golden.Check(t, what, got, &want.Tensor, golden.Tol{Rel: goldenTol})
}

// expectError runs f and checks it panics with a *Error naming op, as
// PyTorch refuses the same computation.
func expectError(t *testing.T, op, torchMsg string, f func()) {
	t.Helper()
	err := Maybe(f)
	if err == nil {
		t.Errorf("no error; PyTorch says %q", torchMsg)
		return
	}
	if op != "" && !strings.HasPrefix(err.Error(), op+":") {
		t.Errorf("error %q does not name the op %s", err, op)
	}
}

// apiOps maps the golden op names to dl; the string is the op the error
// must name when PyTorch refuses.
var apiOps = map[string]struct {
	op string
	fn func(a []apiArg) *Tensor
}{}

func init() {
	bin := func(op string, f func(a, b *Tensor) *Tensor) struct {
		op string
		fn func(a []apiArg) *Tensor
	} {
		return struct {
			op string
			fn func(a []apiArg) *Tensor
		}{op, func(a []apiArg) *Tensor { return f(a[0].t(), a[1].t()) }}
	}
	one := func(op string, f func(a []apiArg) *Tensor) struct {
		op string
		fn func(a []apiArg) *Tensor
	} {
		return struct {
			op string
			fn func(a []apiArg) *Tensor
		}{op, f}
	}
	for _, s := range []string{"ii", "if", "fi", "bi", "bb", "bf"} {
		apiOps["add_"+s] = bin("Add", Add)
		apiOps["sub_"+s] = bin("Sub", Sub)
		apiOps["mul_"+s] = bin("Mul", Mul)
		apiOps["div_"+s] = bin("Div", Div)
		apiOps["maximum_"+s] = bin("Maximum", Maximum)
		apiOps["minimum_"+s] = bin("Minimum", Minimum)
	}
	cmps := map[string]func(t *Tensor, o any) *Tensor{
		"eq": (*Tensor).Eq, "ne": (*Tensor).Ne, "lt": (*Tensor).Lt,
		"gt": (*Tensor).Gt, "le": (*Tensor).Le, "ge": (*Tensor).Ge,
	}
	fns := map[string]func(a, b *Tensor) *Tensor{"eq": Eq, "ne": Ne, "lt": Lt, "gt": Gt, "le": Le, "ge": Ge}
	for name, m := range cmps {
		f := fns[name]
		for _, s := range []string{"ff", "ii", "if", "bb"} {
			apiOps[name+"_"+s] = bin("", f)
		}
		apiOps[name+"_scalar_int"] = one("", func(a []apiArg) *Tensor { return m(a[0].t(), int(*a[1].Number)) })
		apiOps[name+"_scalar_float"] = one("", func(a []apiArg) *Tensor { return m(a[0].t(), *a[1].Number) })
	}
	scalar := func(op string, f func(t *Tensor, s float32) *Tensor) struct {
		op string
		fn func(a []apiArg) *Tensor
	} {
		return one(op, func(a []apiArg) *Tensor { return f(a[0].t(), a[1].f()) })
	}
	apiOps["add_scalar_int"] = scalar("AddScalar", AddScalar)
	apiOps["add_scalar_float"] = scalar("AddScalar", AddScalar)
	apiOps["add_scalar_bool"] = scalar("AddScalar", AddScalar)
	apiOps["mul_scalar_int"] = scalar("MulScalar", MulScalar)
	apiOps["mul_scalar_float"] = scalar("MulScalar", MulScalar)
	apiOps["mul_scalar_bool"] = scalar("MulScalar", MulScalar)
	apiOps["div_scalar_int"] = scalar("DivScalar", (*Tensor).DivScalar)
	apiOps["sub_scalar_bool"] = scalar("SubScalar", (*Tensor).SubScalar)
	unary := func(op string, f func(t *Tensor) *Tensor) struct {
		op string
		fn func(a []apiArg) *Tensor
	} {
		return one(op, func(a []apiArg) *Tensor { return f(a[0].t()) })
	}
	apiOps["neg_i"] = unary("Neg", Neg)
	apiOps["neg_b"] = unary("Neg", Neg)
	apiOps["abs_i"] = unary("Abs", Abs)
	apiOps["abs_b"] = unary("Abs", Abs)
	apiOps["relu_i"] = unary("ReLU", ReLU)
	apiOps["pow2_i"] = unary("Pow", func(t *Tensor) *Tensor { return t.Pow(2) })
	apiOps["pow_half_i"] = unary("Pow", func(t *Tensor) *Tensor { return t.Abs().Pow(0.5) })
	apiOps["pow_neg_i"] = unary("Pow", func(t *Tensor) *Tensor { return t.Pow(-1) })
	apiOps["clamp_int_i"] = unary("Clamp", func(t *Tensor) *Tensor { return t.Clamp(-2, 3) })
	apiOps["clamp_float_i"] = unary("Clamp", func(t *Tensor) *Tensor { return t.Clamp(-1.5, 2.5) })
	apiOps["exp_i"] = unary("Exp", Exp)
	apiOps["sigmoid_b"] = unary("Sigmoid", Sigmoid)
	apiOps["tanh_i"] = unary("Tanh", Tanh)
	apiOps["sum_i"] = unary("Sum", func(t *Tensor) *Tensor { return t.Sum() })
	apiOps["sum_b"] = unary("Sum", func(t *Tensor) *Tensor { return Sum(t) })
	apiOps["sum_i_dim0"] = unary("Sum", func(t *Tensor) *Tensor { return t.Sum(0) })
	apiOps["sum_b_dim1_keep"] = unary("Sum", func(t *Tensor) *Tensor { return t.SumKeep(1) })
	apiOps["sum_i_3d"] = unary("Sum", func(t *Tensor) *Tensor { return t.Sum(0, 2) })
	apiOps["max_i"] = unary("Max", func(t *Tensor) *Tensor { return t.Max() })
	apiOps["max_i_dim1"] = unary("Max", func(t *Tensor) *Tensor { return t.Max(1) })
	apiOps["min_i_dim0"] = unary("Min", func(t *Tensor) *Tensor { return t.Min(0) })
	apiOps["max_b"] = unary("Max", func(t *Tensor) *Tensor { return t.Max() })
	apiOps["argmax_i"] = unary("Argmax", func(t *Tensor) *Tensor { return t.Argmax() })
	apiOps["argmax_i_dim1"] = unary("Argmax", func(t *Tensor) *Tensor { return Argmax(t, 1) })
	apiOps["argmin_i_dim0"] = unary("Argmin", func(t *Tensor) *Tensor { return t.Argmin(0) })
	apiOps["argmax_f_dim1"] = unary("Argmax", func(t *Tensor) *Tensor { return t.Argmax(1) })
	apiOps["argmax_f_keep"] = unary("Argmax", func(t *Tensor) *Tensor { return t.ArgmaxKeep(0) })
	apiOps["argmin_f"] = unary("Argmin", func(t *Tensor) *Tensor { return t.Argmin() })
	apiOps["argmax_b"] = unary("Argmax", func(t *Tensor) *Tensor { return t.Argmax() })
	apiOps["to_f_i"] = unary("To", func(t *Tensor) *Tensor { return t.To(Int64) })
	apiOps["to_f_b"] = unary("To", func(t *Tensor) *Tensor { return t.To(Bool) })
	apiOps["to_i_f"] = unary("To", func(t *Tensor) *Tensor { return t.To(Float32) })
	apiOps["to_b_i"] = unary("To", func(t *Tensor) *Tensor { return t.To(Int64) })
	apiOps["to_i_b"] = unary("To", func(t *Tensor) *Tensor { return t.To(Bool) })
	where := one("Where", func(a []apiArg) *Tensor { return Where(a[0].t(), a[1].t(), a[2].t()) })
	apiOps["where_b_ii"], apiOps["where_b_if"], apiOps["where_b_bb"] = where, where, where
	apiOps["cat_ii"] = bin("Cat", func(a, b *Tensor) *Tensor { return Cat(0, a, b) })
	apiOps["cat_if"] = bin("Cat", func(a, b *Tensor) *Tensor { return Cat(1, a, b) })
	apiOps["stack_bb"] = bin("Stack", func(a, b *Tensor) *Tensor { return Stack(1, a, b) })
	apiOps["transpose_i"] = unary("", func(t *Tensor) *Tensor { return t.T().Contiguous() })
	apiOps["reshape_t_i"] = unary("", func(t *Tensor) *Tensor { return t.T().Reshape(12) })
	apiOps["index_select_i"] = unary("", func(t *Tensor) *Tensor { return t.IndexSelect(1, []int{3, 0, 3}) })
	apiOps["logical_not_b"] = unary("", (*Tensor).LogicalNot)
	apiOps["logical_not_i"] = unary("", (*Tensor).LogicalNot)
	apiOps["logical_and_b"] = bin("", (*Tensor).LogicalAnd)
	apiOps["logical_or_b"] = bin("", (*Tensor).LogicalOr)
	apiOps["eye_3"] = one("", func([]apiArg) *Tensor { return Eye(3) })
	apiOps["eye_2_4"] = one("", func([]apiArg) *Tensor { return Eye(2, 4) })
	apiOps["eye_4_2"] = one("", func([]apiArg) *Tensor { return Eye(4, 2) })
	apiOps["eq_nan"] = bin("", Eq)
	apiOps["ne_nan"] = bin("", Ne)
	apiOps["zeros_like_i"] = unary("", ZerosLike)
	apiOps["ones_like_b"] = unary("", OnesLike)
}

func TestAPIGoldenOps(t *testing.T) {
	g := loadAPIGolden(t)
	seen := map[string]bool{}
	for _, c := range g.Ops {
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			e, ok := apiOps[c.Name]
			if !ok {
				t.Fatal("no entry in apiOps")
			}
			if c.Error != "" {
				expectError(t, e.op, c.Error, func() { e.fn(c.Args) })
				return
			}
			checkAPI(t, "output", e.fn(c.Args), c.Out)
		})
	}
	for name := range apiOps {
		if !seen[name] {
			t.Errorf("apiOps entry %q has no golden case", name)
		}
	}
}

func TestAPIGoldenInPlace(t *testing.T) {
	g := loadAPIGolden(t)
	ops := map[string]struct {
		op  string
		fn  func(x *Tensor, o apiArg) *Tensor
		raw bool
	}{
		"add":        {"AddInPlace", func(x *Tensor, o apiArg) *Tensor { return x.AddInPlace(o.t()) }, false},
		"sub":        {"SubInPlace", func(x *Tensor, o apiArg) *Tensor { return x.SubInPlace(o.t()) }, false},
		"mul":        {"MulInPlace", func(x *Tensor, o apiArg) *Tensor { return x.MulInPlace(o.t()) }, false},
		"div":        {"DivInPlace", func(x *Tensor, o apiArg) *Tensor { return x.DivInPlace(o.t()) }, false},
		"add_scalar": {"AddScalarInPlace", func(x *Tensor, o apiArg) *Tensor { return x.AddScalarInPlace(o.f()) }, false},
		"sub_scalar": {"SubScalarInPlace", func(x *Tensor, o apiArg) *Tensor { return x.SubScalarInPlace(o.f()) }, false},
		"mul_scalar": {"MulScalarInPlace", func(x *Tensor, o apiArg) *Tensor { return x.MulScalarInPlace(o.f()) }, false},
		"div_scalar": {"DivScalarInPlace", func(x *Tensor, o apiArg) *Tensor { return x.DivScalarInPlace(o.f()) }, false},
	}
	for _, c := range g.InPlace {
		t.Run(c.Name, func(t *testing.T) {
			key := c.Name[:strings.LastIndexByte(c.Name, '_')]
			if strings.HasSuffix(c.Name, "_i_float") {
				key = strings.TrimSuffix(c.Name, "_i_float")
			}
			e, ok := ops[key]
			if !ok {
				t.Fatalf("no in-place op for %s", key)
			}
			x := c.Args[0].t()
			if c.Error != "" {
				expectError(t, e.op, c.Error, func() { e.fn(x, c.Args[1]) })
				return
			}
			got := e.fn(x, c.Args[1])
			if got != x {
				t.Errorf("returned a new tensor, not the receiver")
			}
			checkAPI(t, "result", x, c.Out)
		})
	}
}

// indexArgs turns the golden index items into Index's arguments.
func indexArgs(t *testing.T, raw []json.RawMessage) []any {
	t.Helper()
	var args []any
	for _, r := range raw {
		var item []json.RawMessage
		if err := json.Unmarshal(r, &item); err != nil {
			t.Fatal(err)
		}
		var kind string
		json.Unmarshal(item[0], &kind)
		num := func(i, def int) int {
			var v *int
			json.Unmarshal(item[i], &v)
			if v == nil {
				return def
			}
			return *v
		}
		switch kind {
		case "int":
			args = append(args, num(1, 0))
		case "slice":
			args = append(args, Sl(num(1, 0), num(2, End), num(3, 1)))
		case "all":
			args = append(args, All)
		case "ellipsis":
			args = append(args, Ellipsis)
		case "newaxis":
			args = append(args, NewAxis)
		case "long", "bool":
			var g apiTensor
			if err := json.Unmarshal(item[1], &g); err != nil {
				t.Fatal(err)
			}
			args = append(args, g.tensor())
		default:
			t.Fatalf("unknown index item %q", kind)
		}
	}
	return args
}

func TestAPIGoldenIndex(t *testing.T) {
	g := loadAPIGolden(t)
	for _, c := range g.Index {
		t.Run(c.Name, func(t *testing.T) {
			x := c.Input.tensor().RequiresGrad()
			args := indexArgs(t, c.Index)
			if c.Error != "" {
				expectError(t, "Index", c.Error, func() { x.Index(args...) })
				return
			}
			out := x.Index(args...)
			checkAPI(t, "output", out, c.Out)
			if view := sameStorage(out, x); view != c.View {
				t.Errorf("view %v, PyTorch's is a view: %v", view, c.View)
			}
			out.Mul(c.Upstream.tensor()).Sum().Backward()
			checkAPI(t, "grad", x.Grad(), c.Grad)
		})
	}
}

func TestAPIGoldenSetIndex(t *testing.T) {
	g := loadAPIGolden(t)
	for _, c := range g.SetIndex {
		t.Run(c.Name, func(t *testing.T) {
			args := indexArgs(t, c.Index)
			value := c.Value.any()
			if c.Grad == nil { // a plain tensor, no graph
				y := c.Input.tensor()
				y.SetIndex(value, args...)
				checkAPI(t, "result", y, c.Out)
				return
			}
			x := c.Input.tensor().RequiresGrad()
			var v *Tensor
			if vt, ok := value.(*Tensor); ok {
				v = vt.RequiresGrad()
				value = v
			}
			y := x.MulScalar(2)
			y.SetIndex(value, args...)
			checkAPI(t, "result", y, c.Out)
			y.Mul(c.Upstream.tensor()).Sum().Backward()
			checkAPI(t, "grad of x", x.Grad(), c.Grad)
			if c.ValueGrad != nil {
				checkAPI(t, "grad of value", v.Grad(), c.ValueGrad)
			}
		})
	}
}

func TestAPIGoldenFrom(t *testing.T) {
	g := loadAPIGolden(t)
	inputs := map[string]any{
		"floats_2d":       [][]float32{{1.5, 2.0}, {3.0, -4.25}},
		"ints_2d":         [][]int{{1, 2, 3}, {4, 5, 6}},
		"bools":           []bool{true, false, true},
		"mixed_int_float": []any{1, 2.5},
		"mixed_bool_int":  []any{true, 2},
		"scalar_int":      7,
		"scalar_float":    2.5,
		"nested_3d":       [2][2][1]int64{{{1}, {2}}, {{3}, {4}}},
		"empty_inner":     [][]float64{{}, {}},
	}
	for _, c := range g.From {
		t.Run(c.Name, func(t *testing.T) {
			in, ok := inputs[c.Name]
			if !ok {
				t.Fatal("no Go input")
			}
			checkAPI(t, "From", From(in), c.Out)
		})
	}
}

func TestAPIGoldenStrings(t *testing.T) {
	g := loadAPIGolden(t)
	for _, c := range g.Strings {
		t.Run(c.Name, func(t *testing.T) {
			if got := c.TensorCase.tensor().String(); got != c.Expect {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.Expect)
			}
		})
	}
}

func TestAPIGoldenGradFnNames(t *testing.T) {
	g := loadAPIGolden(t)
	x := FromSlice([]float32{1, -2, 3, 0.5}, 2, 2).RequiresGrad()
	made := map[string]*Tensor{
		"add": x.Add(x), "mul_scalar": x.MulScalar(2), "sum": x.Sum(), "sum_dim": x.Sum(0),
		"mean_dim": x.Mean(1), "max": x.Max(), "relu": ReLU(x), "sigmoid": Sigmoid(x), "mm": x.MatMul(x),
		"slice": x.Index(0), "index": x.Index([]int{1, 0}),
	}
	for _, c := range g.GradFn {
		y, ok := made[c.Name]
		if !ok {
			continue // the losses of dl/nn, checked in its tests
		}
		t.Run(c.Name, func(t *testing.T) {
			if got := y.String(); got != c.Expect {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.Expect)
			}
		})
	}
}
