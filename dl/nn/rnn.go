package nn

import (
	"fmt"
	"math"
	"slices"

	"github.com/godl-dev/godl/dl"
)

// cellKind says which recurrence a Recurrent layer runs.
type cellKind int

const (
	cellTanh cellKind = iota // Elman RNN, h' = tanh(Wx + Uh + b)
	cellReLU                 // Elman RNN with ReLU
	cellLSTM
	cellGRU
)

func (k cellKind) gates() int {
	switch k {
	case cellLSTM:
		return 4
	case cellGRU:
		return 3
	}
	return 1
}

func (k cellKind) String() string {
	return [...]string{"RNN", "RNN", "LSTM", "GRU"}[k]
}

// RecurrentWeights are one layer's tensors, shaped as PyTorch's:
// WeightIH [G·hidden in], WeightHH [G·hidden hidden], biases [G·hidden],
// where G is 4 for LSTM (gates i, f, g, o), 3 for GRU (r, z, n), 1 for RNN.
type RecurrentWeights struct {
	WeightIH, WeightHH, BiasIH, BiasHH *dl.Tensor
}

// Recurrent is a multi-layer RNN, LSTM or GRU over sequences [seq batch
// feature], or [batch seq feature] with BatchFirst. Its parameters are
// named like PyTorch's ("weight_ih_l0", "bias_hh_l1"), so state dicts line
// up. LSTM, GRU and RNN are its three spellings.
type Recurrent struct {
	Layers                []RecurrentWeights
	InputSize, HiddenSize int
	BatchFirst            bool
	Dropout               float64 // between layers, in training mode only
	Training              bool
	kind                  cellKind
}

// LSTM is a Recurrent with long short-term memory cells.
type LSTM = Recurrent

// GRU is a Recurrent with gated recurrent units.
type GRU = Recurrent

// RNN is a Recurrent with plain tanh (or ReLU) cells.
type RNN = Recurrent

// State is the hidden state of a Recurrent: H (and for an LSTM, C), each
// [layers batch hidden].
type State struct {
	H, C *dl.Tensor
}

var rnnOptions = []string{"BatchFirst", "LayerDropout", "NoBias"}

func newRecurrent(kind cellKind, in, hidden, layers int, opts []Option) *Recurrent {
	op := kind.String()
	if in <= 0 || hidden <= 0 || layers <= 0 {
		dl.Panicf(op, "sizes must be positive, got input=%d hidden=%d layers=%d", in, hidden, layers)
	}
	c := configure(op, config{}, rnnOptions, opts)
	if c.dropout < 0 || c.dropout > 1 {
		dl.Panicf(op, "dropout must be in [0, 1], got %v", c.dropout)
	}
	r := &Recurrent{InputSize: in, HiddenSize: hidden, BatchFirst: c.batchFirst, Dropout: c.dropout,
		Training: true, kind: kind}
	// PyTorch initialises every weight and bias uniform in ±1/√hidden.
	k := float32(1 / math.Sqrt(float64(hidden)))
	g := kind.gates() * hidden
	for l := range layers {
		lin := in
		if l > 0 {
			lin = hidden
		}
		w := RecurrentWeights{
			WeightIH: dl.Uniform(-k, k, g, lin).RequiresGrad(),
			WeightHH: dl.Uniform(-k, k, g, hidden).RequiresGrad(),
		}
		if !c.noBias {
			w.BiasIH, w.BiasHH = dl.Uniform(-k, k, g).RequiresGrad(), dl.Uniform(-k, k, g).RequiresGrad()
		}
		r.Layers = append(r.Layers, w)
	}
	return r
}

// NewLSTM returns an LSTM. Options: BatchFirst, LayerDropout, NoBias.
func NewLSTM(in, hidden, layers int, opts ...Option) *Recurrent {
	return newRecurrent(cellLSTM, in, hidden, layers, opts)
}

// NewGRU returns a GRU. Options as NewLSTM.
func NewGRU(in, hidden, layers int, opts ...Option) *Recurrent {
	return newRecurrent(cellGRU, in, hidden, layers, opts)
}

// NewRNN returns an Elman RNN with tanh. Options as NewLSTM.
func NewRNN(in, hidden, layers int, opts ...Option) *Recurrent {
	return newRecurrent(cellTanh, in, hidden, layers, opts)
}

// NewRNNReLU returns an Elman RNN with ReLU (PyTorch's nonlinearity='relu').
func NewRNNReLU(in, hidden, layers int, opts ...Option) *Recurrent {
	return newRecurrent(cellReLU, in, hidden, layers, opts)
}

// SetTraining turns the dropout between layers on or off.
func (r *Recurrent) SetTraining(on bool) { r.Training = on }

// IsTraining reports whether the layer is in training mode.
func (r *Recurrent) IsTraining() bool { return r.Training }

// namedTensors gives PyTorch's flat names.
func (r *Recurrent) namedTensors() []NamedParam {
	var out []NamedParam
	for l, w := range r.Layers {
		for _, p := range []NamedParam{{"weight_ih_l", w.WeightIH}, {"weight_hh_l", w.WeightHH},
			{"bias_ih_l", w.BiasIH}, {"bias_hh_l", w.BiasHH}} {
			if p.Param != nil {
				out = append(out, NamedParam{fmt.Sprint(p.Name, l), p.Param})
			}
		}
	}
	return out
}

// Forward runs the sequence from a zero state and returns the last layer's
// output at every step: [seq batch hidden] (or [batch seq hidden]).
func (r *Recurrent) Forward(x *dl.Tensor) *dl.Tensor {
	out, _ := r.ForwardState(x, nil)
	return out
}

// ForwardState runs the sequence from state (nil: zeros; an LSTM's C may
// be nil too) and returns the output and the final state, whose H (and C)
// are [layers batch hidden].
//
// An unbatched sequence [seq feature] is run as a batch of one, and its
// state is [layers hidden], as in PyTorch.
func (r *Recurrent) ForwardState(x *dl.Tensor, state *State) (*dl.Tensor, *State) {
	if x.Dim() == 2 && x.Size(1) == r.InputSize {
		in := x
		var st *State
		if state != nil {
			st = &State{H: unsqueeze1(state.H), C: unsqueeze1(state.C)}
		}
		out, fin := r.forward(x.Unsqueeze(1), st, false)
		fin.H = fin.H.Squeeze(1)
		if fin.C != nil {
			fin.C = fin.C.Squeeze(1)
		}
		return hooked(r, in, out.Squeeze(1)), fin
	}
	out, fin := r.forward(x, state, r.BatchFirst)
	return hooked(r, x, out), fin
}

func unsqueeze1(t *dl.Tensor) *dl.Tensor {
	if t == nil {
		return nil
	}
	if t.Dim() != 2 {
		dl.Panicf("Recurrent", "state for an unbatched sequence must be [layers hidden], got %v", t.Shape())
	}
	return t.Unsqueeze(1)
}

func (r *Recurrent) forward(x *dl.Tensor, state *State, batchFirst bool) (*dl.Tensor, *State) {
	op := r.kind.String()
	xs := x.Shape()
	if len(xs) != 3 || xs[2] != r.InputSize {
		layout := "[seq batch %d]"
		if batchFirst {
			layout = "[batch seq %d]"
		}
		dl.Panicf(op, "input %v does not fit: want "+layout+" (or [seq %d] unbatched)", xs, r.InputSize, r.InputSize)
	}
	batch, L, H := x.Size(1), len(r.Layers), r.HiddenSize
	if batchFirst {
		batch = x.Size(0)
	}
	want := []int{L, batch, H}
	if state != nil {
		for _, s := range []*dl.Tensor{state.H, state.C} {
			if s != nil && !slices.Equal(s.Shape(), want) {
				dl.Panicf(op, "initial state %v does not fit: want %v", s.Shape(), want)
			}
		}
		if state.C != nil && r.kind != cellLSTM {
			dl.Panicf(op, "a cell state C is only for an LSTM")
		}
	}
	var hs, cs []*dl.Tensor
	for l, w := range r.Layers {
		var h0, c0 *dl.Tensor
		if state != nil && state.H != nil {
			h0 = state.H.Select(0, l)
		}
		if state != nil && state.C != nil {
			c0 = state.C.Select(0, l)
		}
		y, hT, cT := recurrentLayer(r.kind, x, h0, c0, w, batchFirst)
		x = y
		hs = append(hs, hT)
		if cT != nil {
			cs = append(cs, cT)
		}
		if l < L-1 && r.Training && r.Dropout > 0 {
			x = DropoutOp(x, r.Dropout)
		}
	}
	out := &State{H: dl.Stack(0, hs...)}
	if cs != nil {
		out.C = dl.Stack(0, cs...)
	}
	return x.Contiguous(), out
}
