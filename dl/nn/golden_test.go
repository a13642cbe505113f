package nn

import (
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/golden"
)

// The golden cases come from testdata/gen_golden.py (PyTorch 1.13, make
// golden): the inputs, the state dict, random weights R per output, the
// outputs, and the gradients of sum(out·R) with respect to inputs and
// parameters.
const goldenTorch = "1.13"

// goldTensor is a golden tensor: float32, or int64 (labels, counters).
type goldTensor struct{ golden.Tensor }

func (g goldTensor) tensor() *dl.Tensor {
	if g.Dtype == "int64" {
		return dl.FromInt64s(g.Int64s(), g.Shape...).Reshape(g.Shape...)
	}
	return dl.FromSlice(g.Float32s(), g.Shape...).Reshape(g.Shape...)
}

type goldCase struct {
	Inputs     map[string]goldTensor `json:"inputs"`
	State      map[string]goldTensor `json:"state"`
	R          []goldTensor          `json:"R"`
	Outputs    []goldTensor          `json:"outputs"`
	Grads      map[string]goldTensor `json:"grads"`
	StateAfter map[string]goldTensor `json:"state_after"`
}

var (
	goldOnce  sync.Once
	goldCases map[string]*goldCase
	goldErr   error
)

func gold(t *testing.T, name string) *goldCase {
	t.Helper()
	goldOnce.Do(func() { goldErr = golden.Read("testdata/golden.json", goldenTorch, &goldCases) })
	if goldErr != nil {
		t.Fatal(goldErr)
	}
	c, ok := goldCases[name]
	if !ok {
		t.Fatalf("golden case %s missing: add it to testdata/gen_golden.py and run make golden", name)
	}
	return c
}

// loadState copies the golden state dict into m by name; every tensor of m
// must be there.
func loadState(t *testing.T, m any, c *goldCase) {
	t.Helper()
	sd := StateDict(m)
	if len(sd) != len(c.State) {
		var names []string
		for _, np := range sd {
			names = append(names, np.Name)
		}
		t.Fatalf("model has tensors %v, PyTorch's state dict has %d", names, len(c.State))
	}
	for _, np := range sd {
		g, ok := c.State[np.Name]
		if !ok {
			t.Fatalf("PyTorch's state dict has no %s", np.Name)
		}
		if !slices.Equal(g.Shape, np.Param.Shape()) {
			t.Fatalf("%s: shape %v, PyTorch %v", np.Name, np.Param.Shape(), g.Shape)
		}
		copy(np.Param.RawData(), g.Float32s())
	}
}

// closeTo compares got with PyTorch's want to golden.Tol{Rel: rel}: every
// element within rel·max(|want_i|, the root mean square of want), so values
// near zero produced by cancellation are judged against the tensor's scale.
func closeTo(got *dl.Tensor, want goldTensor, rel float64) error {
	return golden.Compare(got, &want.Tensor, golden.Tol{Rel: rel})
}

// checkCase runs fwd on the golden inputs (made to require grad), checks
// outputs, then the gradients of sum(out·R) for inputs and parameters of m.
func checkCase(t *testing.T, name string, m any, rel float64, fwd func(in map[string]*dl.Tensor) []*dl.Tensor) {
	t.Helper()
	c := gold(t, name)
	if m != nil {
		loadState(t, m, c)
	}
	in := map[string]*dl.Tensor{}
	for k, v := range c.Inputs {
		in[k] = v.tensor()
		if _, ok := c.Grads[k]; ok {
			in[k].RequiresGrad()
		}
	}
	outs := fwd(in)
	if len(outs) != len(c.Outputs) {
		t.Fatalf("%s: %d outputs, PyTorch %d", name, len(outs), len(c.Outputs))
	}
	var loss *dl.Tensor
	for i, o := range outs {
		if err := closeTo(o, c.Outputs[i], rel); err != nil {
			t.Errorf("%s: output %d: %v", name, i, err)
		}
		term := dl.Sum(o.Mul(c.R[i].tensor()))
		if loss == nil {
			loss = term
		} else {
			loss = loss.Add(term)
		}
	}
	loss.Backward()
	got := map[string]*dl.Tensor{}
	for k, v := range in {
		got[k] = v.Grad()
	}
	if m != nil {
		for _, np := range NamedParameters(m) {
			got[np.Name] = np.Param.Grad()
		}
		for _, np := range NamedBuffers(m) {
			if w, ok := c.StateAfter[np.Name]; ok {
				if err := closeTo(np.Param, w, rel); err != nil {
					t.Errorf("%s: %s after the step: %v", name, np.Name, err)
				}
			}
		}
	}
	names := make([]string, 0, len(c.Grads))
	for k := range c.Grads {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := closeTo(got[k], c.Grads[k], rel); err != nil {
			t.Errorf("%s: gradient of %s: %v", name, k, err)
		}
	}
}

func single(m Module) func(in map[string]*dl.Tensor) []*dl.Tensor {
	return func(in map[string]*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{m.Forward(in["x"])} }
}

func TestLinearGolden(t *testing.T) {
	for _, name := range []string{"linear", "linear_3d"} {
		m := NewLinear(5, 3)
		checkCase(t, name, m, 1e-5, single(m))
	}
	m := NewLinear(5, 3, NoBias())
	checkCase(t, "linear_nobias", m, 1e-5, single(m))
}

func TestConvGolden(t *testing.T) {
	// 1e-4: the GEMM sums the C·kh·kw products (and the weight gradient
	// the N·oh·ow ones) in a different order from PyTorch's.
	m := NewConv2d(2, 3, 3, Padding(1))
	checkCase(t, "conv_pad", m, 1e-4, single(m))
	m = NewConv2d(2, 4, 3, Stride(2), Padding(2), Dilation(2))
	checkCase(t, "conv_stride_dil", m, 1e-4, single(m))
	m = NewConv2d(3, 2, 1, Stride(2), NoBias())
	checkCase(t, "conv_1x1_nobias", m, 1e-4, single(m))
}

func TestPoolGolden(t *testing.T) {
	checkCase(t, "maxpool2", nil, 1e-6, single(NewMaxPool2d(2)))
	checkCase(t, "maxpool3s2p1", nil, 1e-6, single(NewMaxPool2d(3, Stride(2), Padding(1))))
	checkCase(t, "avgpool2", nil, 1e-5, single(NewAvgPool2d(2)))
	checkCase(t, "avgpool3s2p1", nil, 1e-5, single(NewAvgPool2d(3, Stride(2), Padding(1))))
}

func TestNormGolden(t *testing.T) {
	// 1e-4 for BatchNorm's input gradient: it is a difference of sums over
	// the batch, where summation order shows.
	m := NewBatchNorm1d(5)
	checkCase(t, "bn1d_train", m, 1e-4, single(m))
	m = NewBatchNorm1d(3)
	checkCase(t, "bn1d_3d_train", m, 1e-4, single(m))
	m = NewBatchNorm2d(3)
	checkCase(t, "bn2d_train", m, 1e-4, single(m))
	m = NewBatchNorm2d(3)
	Eval(m)
	checkCase(t, "bn2d_eval", m, 1e-5, single(m))
	ln := NewLayerNorm(6)
	checkCase(t, "layernorm", ln, 1e-5, single(ln))
	ln = NewLayerNorm(3, 4)
	checkCase(t, "layernorm_2d", ln, 1e-5, single(ln))
}

func TestEmbeddingGolden(t *testing.T) {
	m := NewEmbedding(10, 4)
	checkCase(t, "embedding", m, 1e-6, func(in map[string]*dl.Tensor) []*dl.Tensor {
		return []*dl.Tensor{m.Forward(in["ids"])}
	})
}

func TestRecurrentGolden(t *testing.T) {
	// 1e-4: the gradients sum over time steps, where order shows.
	cases := []struct {
		name string
		m    *Recurrent
	}{
		{"lstm", NewLSTM(3, 5, 2, BatchFirst())},
		{"gru", NewGRU(3, 5, 2)},
		{"rnn_tanh", NewRNN(3, 4, 1)},
		{"rnn_relu", NewRNNReLU(3, 4, 2, BatchFirst())},
	}
	for _, tc := range cases {
		checkCase(t, tc.name, tc.m, 1e-4, func(in map[string]*dl.Tensor) []*dl.Tensor {
			out, st := tc.m.ForwardState(in["x"], &State{H: in["h0"], C: in["c0"]})
			if st.C != nil {
				return []*dl.Tensor{out, st.H, st.C}
			}
			return []*dl.Tensor{out, st.H}
		})
	}
}

func TestLossGolden(t *testing.T) {
	two := func(f func(a, b *dl.Tensor) *dl.Tensor, a, b string) func(in map[string]*dl.Tensor) []*dl.Tensor {
		return func(in map[string]*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{f(in[a], in[b])} }
	}
	with := func(f func(a, b *dl.Tensor, r ...LossOption) *dl.Tensor, r Reduction) func(a, b *dl.Tensor) *dl.Tensor {
		return func(a, b *dl.Tensor) *dl.Tensor { return f(a, b, r) }
	}
	plain := func(f func(a, b *dl.Tensor, r ...LossOption) *dl.Tensor) func(a, b *dl.Tensor) *dl.Tensor {
		return func(a, b *dl.Tensor) *dl.Tensor { return f(a, b) }
	}
	checkCase(t, "mse", nil, 1e-5, two(plain(MSELoss), "p", "t"))
	checkCase(t, "mse_sum", nil, 1e-5, two(with(MSELoss, Sum), "p", "t"))
	checkCase(t, "l1", nil, 1e-5, two(plain(L1Loss), "p", "t"))
	checkCase(t, "cross_entropy", nil, 1e-5, two(plain(CrossEntropyLoss), "x", "labels"))
	checkCase(t, "cross_entropy_sum", nil, 1e-5, two(with(CrossEntropyLoss, Sum), "x", "labels"))
	checkCase(t, "cross_entropy_none", nil, 1e-5, two(with(CrossEntropyLoss, NoReduction), "x", "labels"))
	checkCase(t, "cross_entropy_soft", nil, 1e-5, two(plain(CrossEntropyLoss), "x", "t"))
	checkCase(t, "nll", nil, 1e-5, two(plain(NLLLoss), "x", "labels"))
	checkCase(t, "bce", nil, 1e-5, two(plain(BCELoss), "p", "t"))
	checkCase(t, "bce_logits", nil, 1e-5, two(plain(BCEWithLogitsLoss), "z", "t"))
}

// residualBlock is the tutorial's ResNet block written in Go.
type residualBlock struct {
	Conv1    *Conv2d
	BN1      *BatchNorm2d
	ReLU     *ReLU `nn:"relu"`
	Conv2    *Conv2d
	BN2      *BatchNorm2d
	Shortcut *Sequential
}

func newResidualBlock(in, out, stride int) *residualBlock {
	b := &residualBlock{
		Conv1:    NewConv2d(in, out, 3, Stride(stride), Padding(1), NoBias()),
		BN1:      NewBatchNorm2d(out),
		ReLU:     NewReLU(),
		Conv2:    NewConv2d(out, out, 3, Padding(1), NoBias()),
		BN2:      NewBatchNorm2d(out),
		Shortcut: NewSequential(),
	}
	if stride != 1 || in != out {
		b.Shortcut = NewSequential(NewConv2d(in, out, 1, Stride(stride), NoBias()), NewBatchNorm2d(out))
	}
	return b
}

func (b *residualBlock) Forward(x *dl.Tensor) *dl.Tensor {
	identity := b.Shortcut.Forward(x)
	out := b.ReLU.Forward(b.BN1.Forward(b.Conv1.Forward(x)))
	out = b.BN2.Forward(b.Conv2.Forward(out))
	return b.ReLU.Forward(out.Add(identity))
}

func TestTutorialModelsGolden(t *testing.T) {
	rb := newResidualBlock(3, 4, 2)
	checkCase(t, "residual_block", rb, 1e-4, single(rb))
	mlp := NewSequential(NewLinear(5, 10), NewReLU(), NewLinear(10, 2))
	checkCase(t, "sequential_mlp", mlp, 1e-5, single(mlp))
}
