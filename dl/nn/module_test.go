package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

func names(nps []NamedParam) []string {
	var out []string
	for _, np := range nps {
		out = append(out, np.Name)
	}
	return out
}

type blockWithMap struct {
	Heads   map[string]*Linear
	Layers  []*Linear
	Shared  *Linear    `nn:"shared_fc"`
	Again   *Linear    // the same layer as Shared: listed once
	Scratch *dl.Tensor `nn:"-"`
	count   int
}

func TestNamedParameters(t *testing.T) {
	mlp := newTinyMLP(4, 3, 2)
	want := []string{"layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"}
	if got := names(NamedParameters(mlp)); !slices.Equal(got, want) {
		t.Errorf("unexported fields: %v, want %v", got, want)
	}
	seq := NewSequential(NewLinear(5, 10), NewReLU(), NewLinear(10, 2))
	want = []string{"0.weight", "0.bias", "2.weight", "2.bias"}
	if got := names(NamedParameters(seq)); !slices.Equal(got, want) {
		t.Errorf("Sequential: %v, want %v", got, want)
	}
	shared := NewLinear(2, 2)
	b := &blockWithMap{
		Heads:   map[string]*Linear{"b": NewLinear(2, 2, NoBias()), "a": NewLinear(2, 2, NoBias())},
		Layers:  []*Linear{NewLinear(2, 2, NoBias())},
		Shared:  shared,
		Again:   shared,
		Scratch: dl.Zeros(3),
	}
	want = []string{"heads.a.weight", "heads.b.weight", "layers.0.weight", "shared_fc.weight", "shared_fc.bias"}
	if got := names(NamedParameters(b)); !slices.Equal(got, want) {
		t.Errorf("maps, slices, tags, sharing: %v, want %v", got, want)
	}
	if n := NumParams(b); n != 3*4+6 {
		t.Errorf("NumParams = %d, want 18", n)
	}
	lstm := NewLSTM(3, 4, 2)
	want = []string{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
		"weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"}
	if got := names(NamedParameters(lstm)); !slices.Equal(got, want) {
		t.Errorf("LSTM: %v", got)
	}
	// PyTorch: 4*4*(3+4) + 2*16 for layer 0, 4*4*(4+4) + 2*16 for layer 1.
	if n := NumParams(lstm); n != 4*4*7+32+4*4*8+32 {
		t.Errorf("LSTM NumParams = %d", n)
	}
	bn := NewBatchNorm2d(3)
	if got := names(NamedParameters(bn)); !slices.Equal(got, []string{"weight", "bias"}) {
		t.Errorf("BatchNorm parameters %v", got)
	}
	if got := names(NamedBuffers(bn)); !slices.Equal(got, []string{"running_mean", "running_var", "num_batches_tracked"}) {
		t.Errorf("BatchNorm buffers %v", got)
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"Layer1": "layer1", "ConvBlock": "conv_block", "FC2": "fc2",
		"HTTPServer": "http_server", "bn1": "bn1", "Weight": "weight"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}

type lstmModel struct {
	LSTM *LSTM `nn:"lstm"`
	FC   *Linear
	Drop *Dropout
}

func TestTrainEvalAndModules(t *testing.T) {
	m := &lstmModel{NewLSTM(2, 3, 2, LayerDropout(0.2)), NewLinear(3, 1), NewDropout(0.5)}
	inner := NewSequential(NewBatchNorm1d(3), NewDropout(0.1))
	outer := NewSequential(inner, m.FC)
	Eval(outer)
	if inner.Layers[0].(*BatchNorm).Training || inner.Layers[1].(*Dropout).Training {
		t.Error("Eval did not reach nested modules")
	}
	Eval(m)
	if m.LSTM.Training || m.Drop.Training {
		t.Error("Eval did not reach struct fields")
	}
	Train(m)
	if !m.LSTM.Training || !m.Drop.Training {
		t.Error("Train did not reach struct fields")
	}
	var got []string
	for _, nm := range NamedModules(outer) {
		got = append(got, nm.Name)
	}
	if want := []string{"", "0", "0.0", "0.1", "1"}; !slices.Equal(got, want) {
		t.Errorf("NamedModules %v, want %v", got, want)
	}
}

func TestForwardHook(t *testing.T) {
	seq := NewSequential(NewLinear(4, 3), NewReLU(), NewFlatten())
	var seen []string
	WithForwardHook(func(m Module, in, out *dl.Tensor) {
		seen = append(seen, strings.TrimPrefix(fmt.Sprintf("%T", m), "*")+" "+formatShape(out.Shape()))
	}, func() {
		seq.Forward(dl.Randn(2, 4))
	})
	want := []string{"nn.Linear [2 3]", "nn.ReLU [2 3]", "nn.Flatten [2 3]", "nn.Sequential [2 3]"}
	if len(seen) != 4 {
		t.Fatalf("hook saw %v", seen)
	}
	for i := range 3 {
		if seen[i] != want[i] {
			t.Errorf("hook call %d: %q, want %q", i, seen[i], want[i])
		}
	}
	seq.Forward(dl.Randn(2, 4))
	if len(seen) != 4 {
		t.Error("hook still called after WithForwardHook returned")
	}
}

func formatShape(s []int) string {
	out := "["
	for i, d := range s {
		if i > 0 {
			out += " "
		}
		out += string(rune('0' + d))
	}
	return out + "]"
}

func TestDropout(t *testing.T) {
	dl.Seed(3)
	d := NewDropout(0.25)
	x := dl.Ones(200, 50).RequiresGrad()
	y := d.Forward(x)
	zeros := 0
	for _, v := range y.Data() {
		switch v {
		case 0:
			zeros++
		case 1 / 0.75:
		default:
			t.Fatalf("kept value %v, want 1/(1-p)", v)
		}
	}
	if frac := float64(zeros) / 10000; math.Abs(frac-0.25) > 0.02 {
		t.Errorf("dropped %.3f, want about 0.25", frac)
	}
	dl.Sum(y).Backward()
	// The gradient of a dropped element is 0 and of a kept one the scale.
	g, yd := x.Grad().Data(), y.Data()
	for i := range g {
		if g[i] != yd[i] {
			t.Fatalf("grad %v where output %v", g[i], yd[i])
		}
	}
	d.SetTraining(false)
	if z := d.Forward(x); !slices.Equal(z.Data(), x.Data()) {
		t.Error("eval-mode dropout changed its input")
	}
}

func TestShapeErrors(t *testing.T) {
	for name, f := range map[string]func(){
		"Linear":           func() { NewLinear(3, 2).Forward(dl.Zeros(4, 5)) },
		"Conv2d":           func() { NewConv2d(3, 2, 3).Forward(dl.Zeros(1, 2, 5, 5)) },
		"BatchNorm2d":      func() { NewBatchNorm2d(3).Forward(dl.Zeros(2, 4, 2, 2)) },
		"LSTM":             func() { NewLSTM(3, 2, 1).Forward(dl.Zeros(4, 5)) },
		"CrossEntropyLoss": func() { CrossEntropyLoss(dl.Zeros(2, 3), dl.FromSlice([]float32{0, 3})) },
		"MSELoss":          func() { MSELoss(dl.Zeros(2, 3), dl.Zeros(3, 2)) },
		"Conv2d option":    func() { NewLinear(2, 2, Stride(2)) },
	} {
		err := dl.Maybe(f)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if e, ok := err.(*dl.Error); !ok || e.Op == "" {
			t.Errorf("%s: error %v does not name the op", name, err)
		}
	}
}

func TestReLUOp(t *testing.T) {
	x := dl.FromSlice([]float32{-2, -0.0, 0, 1e-30, 3, float32(math.Inf(-1)), float32(math.Inf(1))}).RequiresGrad()
	y := NewReLU().Forward(x)
	want := []float32{0, 0, 0, 1e-30, 3, 0, float32(math.Inf(1))}
	if got := y.Data(); !slices.Equal(got, want) || math.Signbit(float64(got[1])) {
		t.Fatalf("ReLU %v, want %v", got, want)
	}
	dl.Sum(y.MulScalar(2)).Backward()
	if got := x.Grad().Data(); !slices.Equal(got, []float32{0, 0, 0, 2, 2, 0, 2}) {
		t.Fatalf("ReLU gradient %v", got)
	}
}

func TestRecurrentLayerDropout(t *testing.T) {
	dl.Seed(8)
	m := NewLSTM(3, 4, 2, LayerDropout(0.5))
	x := dl.Randn(5, 2, 3)
	a, b := m.Forward(x).Data(), m.Forward(x).Data()
	if slices.Equal(a, b) {
		t.Error("training-mode layer dropout gave identical outputs twice")
	}
	Eval(m)
	a, b = m.Forward(x).Data(), m.Forward(x).Data()
	if !slices.Equal(a, b) {
		t.Error("eval-mode LSTM is not deterministic")
	}
	one := NewLSTM(3, 4, 1, LayerDropout(0.5)) // no layer after the only one: no dropout
	if a, b := one.Forward(x).Data(), one.Forward(x).Data(); !slices.Equal(a, b) {
		t.Error("single-layer LSTM applied dropout")
	}
}

func TestRecurrentUnbatched(t *testing.T) {
	m := NewGRU(3, 4, 2, BatchFirst())
	x := dl.Randn(5, 3)
	h0 := dl.Randn(2, 4)
	out, st := m.ForwardState(x, &State{H: h0})
	if !slices.Equal(out.Shape(), []int{5, 4}) || !slices.Equal(st.H.Shape(), []int{2, 4}) {
		t.Fatalf("unbatched shapes %v %v", out.Shape(), st.H.Shape())
	}
	// The same sequence as a batch of one (batch first) gives the same.
	outB, stB := m.ForwardState(x.Unsqueeze(0), &State{H: h0.Unsqueeze(1)})
	if !slices.Equal(out.Data(), outB.Data()) || !slices.Equal(st.H.Data(), stB.H.Data()) {
		t.Fatal("unbatched result differs from a batch of one")
	}
	if !m.BatchFirst {
		t.Fatal("BatchFirst was not restored")
	}
}

func TestUnbatchedImage(t *testing.T) {
	conv := NewConv2d(2, 3, 3, Padding(1))
	x := dl.Randn(2, 5, 5)
	y := NewMaxPool2d(2).Forward(conv.Forward(x))
	yb := NewMaxPool2d(2).Forward(conv.Forward(x.Unsqueeze(0)))
	if !slices.Equal(y.Shape(), []int{3, 2, 2}) || !slices.Equal(y.Data(), yb.Data()) {
		t.Fatalf("unbatched conv+pool %v", y.Shape())
	}
}

type byValue struct {
	Block Sequential // held by value
	Ref   *Sequential
}

func TestStructByValueListedOnce(t *testing.T) {
	m := &byValue{Block: *NewSequential(NewLinear(2, 2))}
	m.Ref = &m.Block // the same module through a pointer
	if got := names(NamedParameters(m)); !slices.Equal(got, []string{"block.0.weight", "block.0.bias"}) {
		t.Errorf("parameters %v", got)
	}
	var mods []string
	for _, nm := range NamedModules(m) {
		mods = append(mods, nm.Name)
	}
	if !slices.Equal(mods, []string{"block", "block.0"}) {
		t.Errorf("modules %v", mods)
	}
}

func TestWithEval(t *testing.T) {
	bn, drop := NewBatchNorm1d(3), NewDropout(0.5)
	drop.SetTraining(false)
	m := NewSequential(NewLinear(2, 3), bn, drop)
	var during []bool
	WithEval(m, func() {
		during = []bool{bn.Training, drop.Training}
		m.Forward(dl.Randn(1, 2)) // batch of one: fine in eval mode
	})
	if during[0] || during[1] {
		t.Error("WithEval did not switch to eval mode")
	}
	if !bn.Training || drop.Training {
		t.Error("WithEval did not restore each module's own mode")
	}
	if bn.NumBatchesTracked.Item() != 0 {
		t.Error("running statistics moved during WithEval")
	}
}

type noState struct{}

func (noState) Forward(x *dl.Tensor) *dl.Tensor { return x }

func TestZeroSizeModulesListed(t *testing.T) {
	a, b := NewReLU(), NewReLU()
	if a == b {
		t.Error("two NewReLU share one address")
	}
	seq := NewSequential(NewLinear(2, 2), a, NewLinear(2, 2), b, &noState{}, &noState{})
	var got []string
	for _, nm := range NamedModules(seq) {
		got = append(got, nm.Name)
	}
	if want := []string{"", "0", "1", "2", "3", "4", "5"}; !slices.Equal(got, want) {
		t.Errorf("NamedModules %v, want %v", got, want)
	}
}
