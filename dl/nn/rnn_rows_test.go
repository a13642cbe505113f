package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// TestRecurrentRowChunks: a batch large enough that each step is shared
// out in chunks of rows gives, row for row, what the same layer gives each
// sequence on its own (a batch of one, one piece per step), forward and
// backward; and the same bits on one and three threads.
func TestRecurrentRowChunks(t *testing.T) {
	const T, B, in = 5, 40, 12
	for _, c := range []struct {
		name   string
		hidden int
		make   func(in, hidden int) *Recurrent
	}{
		{"LSTM", 64, func(in, h int) *Recurrent { return NewLSTM(in, h, 1) }},
		{"GRU", 64, func(in, h int) *Recurrent { return NewGRU(in, h, 1) }},
		{"RNN", 96, func(in, h int) *Recurrent { return NewRNN(in, h, 1) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dl.Seed(1)
			layer := c.make(in, c.hidden)
			if G := layer.Layers[0].WeightHH.Size(0); recurrentRowChunk(B, G, c.hidden, T) >= B {
				t.Fatalf("B=%d, G=%d, H=%d is not split: the test misses the chunked path", B, G, c.hidden)
			}
			x := dl.Randn(T, B, in).RequiresGrad()
			run := func() (out, gx []float32) {
				x.ZeroGrad()
				y := layer.Forward(x)
				y.Mul(y).Sum().Backward()
				return y.Data(), x.Grad().Data()
			}
			dl.SetNumThreads(1)
			out1, gx1 := run()
			dl.SetNumThreads(3)
			out3, gx3 := run()
			dl.SetNumThreads(0)
			for i := range out1 {
				if math.Float32bits(out1[i]) != math.Float32bits(out3[i]) {
					t.Fatalf("output %d: %v on 1 thread, %v on 3", i, out1[i], out3[i])
				}
			}
			for i := range gx1 {
				if math.Float32bits(gx1[i]) != math.Float32bits(gx3[i]) {
					t.Fatalf("input gradient %d: %v on 1 thread, %v on 3", i, gx1[i], gx3[i])
				}
			}
			H := c.hidden
			for _, b := range []int{0, 17, B - 1} {
				xb := x.Detach().Narrow(1, b, 1).Contiguous().RequiresGrad()
				yb := layer.Forward(xb)
				yb.Mul(yb).Sum().Backward()
				ob, gb := yb.Data(), xb.Grad().Data()
				for s := range T {
					for j := range H {
						checkClose(t, fmt.Sprintf("output t=%d b=%d j=%d", s, b, j), out1[(s*B+b)*H+j], ob[s*H+j])
					}
					for j := range in {
						checkClose(t, fmt.Sprintf("input gradient t=%d b=%d j=%d", s, b, j), gx1[(s*B+b)*in+j], gb[s*in+j])
					}
				}
			}
		})
	}
}

func checkClose(t *testing.T, what string, got, want float32) {
	t.Helper()
	if d := math.Abs(float64(got - want)); d > 1e-5*max(1, math.Abs(float64(want))) {
		t.Fatalf("%s: %v in the batch, %v on its own", what, got, want)
	}
}

// TestRecurrentBatchFirst: a batch-first layer (which runs in that layout,
// not through a transposed copy) gives what the same weights give the
// time-major input, outputs, final state and every gradient, with the
// batch in chunks (B = 40) and whole (B = 3); and its gradients with an
// initial state pass finite differences.
func TestRecurrentBatchFirst(t *testing.T) {
	const T, in, H = 6, 7, 16
	for _, kind := range []string{"LSTM", "GRU", "RNN", "RNNReLU"} {
		for _, B := range []int{3, 40} {
			t.Run(fmt.Sprintf("%s/B=%d", kind, B), func(t *testing.T) {
				dl.Seed(3)
				var tm *Recurrent
				switch kind {
				case "LSTM":
					tm = NewLSTM(in, H, 2)
				case "GRU":
					tm = NewGRU(in, H, 2)
				case "RNN":
					tm = NewRNN(in, H, 2)
				default:
					tm = NewRNNReLU(in, H, 2)
				}
				bf := *tm
				bf.BatchFirst = true
				xt := dl.Randn(T, B, in)
				h0 := dl.Randn(2, B, H)
				var c0 *dl.Tensor
				if kind == "LSTM" {
					c0 = dl.Randn(2, B, H)
				}
				run := func(m *Recurrent, x *dl.Tensor, toTimeMajor func(*dl.Tensor) *dl.Tensor) [][]float32 {
					x = x.Detach().RequiresGrad()
					h := h0.Detach().RequiresGrad()
					st := &State{H: h}
					var c *dl.Tensor
					if c0 != nil {
						c = c0.Detach().RequiresGrad()
						st.C = c
					}
					for _, p := range Parameters(m) {
						p.ZeroGrad()
					}
					out, fin := m.ForwardState(x, st)
					loss := out.Mul(out).Sum().Add(fin.H.Sum())
					if fin.C != nil {
						loss = loss.Add(fin.C.Mul(fin.C).Sum())
					}
					loss.Backward()
					vals := [][]float32{toTimeMajor(out).Contiguous().Data(), fin.H.Data(),
						toTimeMajor(x.Grad()).Contiguous().Data(), h.Grad().Data()}
					if c != nil {
						vals = append(vals, fin.C.Data(), c.Grad().Data())
					}
					for _, p := range Parameters(m) {
						vals = append(vals, p.Grad().Data())
					}
					return vals
				}
				same := func(x *dl.Tensor) *dl.Tensor { return x }
				swap := func(x *dl.Tensor) *dl.Tensor { return x.Transpose(0, 1) }
				want := run(tm, xt, same)
				got := run(&bf, xt.Transpose(0, 1).Contiguous(), swap)
				// The weight gradients sum over all T·B rows, taken in
				// another order: 1e-4 for them, else 1e-5.
				nonParam := len(want) - len(Parameters(tm))
				for k := range want {
					tol := 1e-5
					if k >= nonParam {
						tol = 1e-4
					}
					for i, w := range want[k] {
						if d := math.Abs(float64(got[k][i] - w)); d > tol*max(1, math.Abs(float64(w))) {
							t.Fatalf("result %d element %d: %v batch-first, %v time-major", k, i, got[k][i], w)
						}
					}
				}
			})
		}
	}
	dl.Seed(4)
	x := dl.Randn(3, 4, 5).RequiresGrad() // [batch seq feature]
	h0, c0 := dl.Randn(1, 3, 3).RequiresGrad(), dl.Randn(1, 3, 3).RequiresGrad()
	for _, m := range []*Recurrent{NewLSTM(5, 3, 1, BatchFirst()), NewGRU(5, 3, 1, BatchFirst())} {
		params := map[string]*dl.Tensor{"x": x, "h0": h0}
		st := &State{H: h0}
		if m.kind == cellLSTM {
			params["c0"], st.C = c0, c0
		}
		for _, np := range NamedParameters(m) {
			params[np.Name] = np.Param
		}
		gradCheck(t, m.String()+" batch-first", func() *dl.Tensor {
			out, fin := m.ForwardState(x, st)
			parts := []*dl.Tensor{out.Reshape(-1), fin.H.Reshape(-1)}
			if fin.C != nil {
				parts = append(parts, fin.C.Reshape(-1))
			}
			return dl.Cat(0, parts...)
		}, params)
	}
}
