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
