package nn

import (
	"fmt"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/golden"
)

// Models shaped like the PyTorch classes of testdata/gen_golden_repr.py.

type MLP struct {
	Layer1     *Linear
	Activation *ReLU
	Layer2     *Linear
}

func (m *MLP) Forward(x *dl.Tensor) *dl.Tensor { return x }

// ResidualBlock is the tutorial notebook's block, fields spelled as there.
type ResidualBlock struct {
	Conv1    *Conv2d
	BN1      *BatchNorm2d
	ReLU     *ReLU
	Conv2    *Conv2d
	BN2      *BatchNorm2d
	Shortcut *Sequential
}

func newReprBlock(in, out, stride int) *ResidualBlock {
	b := &ResidualBlock{
		Conv1:    NewConv2d(in, out, 3, Stride(stride), Padding(1), NoBias()),
		BN1:      NewBatchNorm2d(out),
		ReLU:     NewReLU(),
		Conv2:    NewConv2d(out, out, 3, Stride(1), Padding(1), NoBias()),
		BN2:      NewBatchNorm2d(out),
		Shortcut: NewSequential(),
	}
	if stride != 1 || in != out {
		b.Shortcut = NewSequential(NewConv2d(in, out, 1, Stride(stride), NoBias()), NewBatchNorm2d(out))
	}
	return b
}

func (b *ResidualBlock) Forward(x *dl.Tensor) *dl.Tensor { return x }

type LSTMModel struct {
	LSTM       *LSTM
	FC         *Linear
	NumLayers  int
	HiddenSize int
}

// Tower holds a slice and a map of modules, and nested Sequentials.
type Tower struct {
	Blocks []Module
	Heads  map[string]Module
	Out    *Sequential
	scale  float64 // not a module: not shown
}

func TestReprGolden(t *testing.T) {
	var want map[string]string
	golden.Load(t, "testdata/golden_repr.json", goldenTorch, &want)
	models := map[string]any{
		"linear":                  NewLinear(784, 256),
		"linear_nobias":           NewLinear(3, 2, NoBias()),
		"relu":                    NewReLU(),
		"sigmoid":                 NewSigmoid(),
		"tanh":                    NewTanh(),
		"gelu":                    NewGELU(),
		"leaky_relu":              NewLeakyReLU(0.1),
		"leaky_relu_default":      NewLeakyReLU(0.01),
		"softmax":                 NewSoftmax(1),
		"log_softmax":             NewLogSoftmax(-1),
		"flatten":                 NewFlatten(),
		"identity":                NewIdentity(),
		"dropout":                 NewDropout(0.5),
		"dropout_quarter":         NewDropout(0.25),
		"conv":                    NewConv2d(1, 16, 3, Padding(1)),
		"conv_args":               NewConv2dRect(3, 8, 3, 5, Stride(2), Dilation(2), NoBias()),
		"maxpool":                 NewMaxPool2d(2),
		"maxpool_args":            NewMaxPool2d(3, Stride(1), Padding(1)),
		"avgpool":                 NewAvgPool2d(2),
		"avgpool_args":            NewAvgPool2d(3, Stride(2), Padding(1)),
		"batchnorm1d":             NewBatchNorm1d(64),
		"batchnorm2d_args":        NewBatchNorm2d(16, Eps(1e-3), Momentum(0.2)),
		"batchnorm1d_plain":       NewBatchNorm1d(4, NoAffine(), NoTrackStats()),
		"layernorm":               NewLayerNorm(64),
		"layernorm_args":          NewLayerNormOpts([]int{2, 3}, Eps(1e-6), NoAffine()),
		"lstm":                    NewLSTM(1, 32, 2, BatchFirst(), LayerDropout(0.2)),
		"gru":                     NewGRU(32, 64, 1),
		"rnn":                     NewRNN(32, 64, 1),
		"rnn_relu_nobias":         NewRNNReLU(4, 8, 1, NoBias()),
		"embedding":               NewEmbedding(10, 3),
		"sequential_empty":        NewSequential(),
		"sequential_mlp":          NewSequential(NewLinear(784, 256), NewReLU(), NewDropout(0.2), NewLinear(256, 10)),
		"mlp":                     &MLP{NewLinear(784, 256), NewReLU(), NewLinear(256, 10)},
		"residual_block":          newReprBlock(16, 32, 2),
		"residual_block_identity": newReprBlock(16, 16, 1),
		"cnn": NewSequential(
			NewConv2d(1, 16, 3, Padding(1)), NewBatchNorm2d(16), NewReLU(), NewMaxPool2d(2),
			newReprBlock(16, 16, 1), NewMaxPool2d(2), NewFlatten(), NewLinear(16*7*7, 10)),
		"lstm_model": &LSTMModel{LSTM: NewLSTM(1, 32, 2, BatchFirst(), LayerDropout(0.2)), FC: NewLinear(32, 1), NumLayers: 2},
		"tower": &Tower{
			Blocks: []Module{NewLinear(4, 4), NewTanh()},
			Heads:  map[string]Module{"b": NewIdentity(), "a": NewLinear(4, 2)},
			Out:    NewSequential(NewFlatten(), NewSequential(NewLinear(8, 2), NewSoftmax(1))),
		},
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			m, ok := models[name]
			if !ok {
				t.Fatal("no Go model")
			}
			if got := Repr(m); got != w {
				t.Errorf("Repr:\n%s\nwant:\n%s", got, w)
			}
			if s, ok := m.(fmt.Stringer); ok {
				if got := s.String(); got != w {
					t.Errorf("String:\n%s\nwant:\n%s", got, w)
				}
				if got := fmt.Sprint(m); got != w {
					t.Errorf("fmt.Sprint:\n%s\nwant:\n%s", got, w)
				}
			}
		})
	}
	for name := range models {
		if _, ok := want[name]; !ok {
			t.Errorf("model %s has no golden repr", name)
		}
	}
}

// A struct holding layers prints them through their String methods even
// under %v, and Repr handles values, nil fields and unexported fields.
func TestReprOddShapes(t *testing.T) {
	type pair struct {
		A    *Linear
		b    *ReLU
		None *Tanh
	}
	if got, want := Repr(pair{A: NewLinear(2, 3), b: NewReLU()}), "pair(\n  (a): Linear(in_features=2, out_features=3, bias=True)\n  (b): ReLU()\n)"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := fmt.Sprintf("%v", &pair{A: NewLinear(1, 1)}); got != "&{Linear(in_features=1, out_features=1, bias=True) <nil> None}" {
		t.Errorf("%%v of a user struct: %s", got)
	}
}
