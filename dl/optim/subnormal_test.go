package optim

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/godl-dev/godl/dl"
)

// deadPixelBatch is a batch of 28×28 images whose two-pixel border is
// black, as in Fashion-MNIST, except when live: then every pixel varies.
func deadPixelBatch(batch int, live bool) *dl.Tensor {
	x := dl.Rand(batch, 28*28)
	if !live {
		d := x.RawData()
		for i := range batch {
			for r := range 28 {
				for c := range 28 {
					if r < 2 || r >= 26 || c < 2 || c >= 26 {
						d[i*784+r*28+c] = 0
					}
				}
			}
		}
	}
	return x
}

func isSubnormal(v float32) bool { return v != 0 && math.Abs(float64(v)) < 0x1p-126 }

// TestDeadPixelsLeaveNoSubnormalState trains a linear layer on images whose
// border pixels are live for the first steps and black after, so the
// weights they feed get exactly zero gradients for thousands of steps: the
// state of those weights decays geometrically and, unflushed, would sink
// into the subnormal range (Adam's first moment after about 850 steps) and
// stay there. It checks that the state was non-zero once and that no
// element of any optimizer's state is subnormal at any check.
func TestDeadPixelsLeaveNoSubnormalState(t *testing.T) {
	const steps, live = 1500, 3
	makers := map[string]func([]*dl.Tensor) Optimizer{
		"Adam":             func(p []*dl.Tensor) Optimizer { return NewAdam(p, LR(1e-3)) },
		"Adam AMSGrad":     func(p []*dl.Tensor) Optimizer { return NewAdam(p, LR(1e-3), AMSGrad()) },
		"SGD momentum":     func(p []*dl.Tensor) Optimizer { return NewSGD(p, LR(1e-3), Momentum(0.9)) },
		"RMSprop centered": func(p []*dl.Tensor) Optimizer { return NewRMSprop(p, LR(1e-4), Centered(), Momentum(0.9)) },
	}
	for name, mk := range makers {
		dl.Seed(1)
		w := dl.Randn(784, 10).MulScalar(0.01).RequiresGrad()
		b := dl.Zeros(10).RequiresGrad()
		opt := mk([]*dl.Tensor{w, b})
		target := dl.Randn(16, 10)
		sawState := false
		for step := 1; step <= steps; step++ {
			x := deadPixelBatch(16, step <= live)
			opt.ZeroGrad()
			x.MatMul(w).Add(b).Sub(target).Pow(2).Mean().Backward()
			opt.Step()
			st := opt.(interface{ optimBase() *base }).optimBase().state[w]
			for buf, s := range st.bufs {
				// Row 0 of w is fed by pixel 0, in the border.
				if step == live+1 && s[0] != 0 {
					sawState = true
				}
				if step%100 != 0 && step != steps {
					continue
				}
				for i, v := range s {
					if isSubnormal(v) {
						t.Fatalf("%s step %d: %s[%d] = %g is subnormal", name, step, buf, i, v)
					}
				}
			}
		}
		if !sawState {
			t.Errorf("%s: the border weights never had state to decay", name)
		}
	}
}

// BenchmarkAdamEpochs times Adam's Step over an MLP's parameters
// (784-256-10) for five epochs of 938 steps (Fashion-MNIST at batch 64),
// with gradients shaped like that data: the weights of the border pixels
// get gradients in the first few steps only, zero after. It reports each
// epoch's Step time and the 5th epoch's over the 1st's: without the
// subnormal flush the state of those weights goes subnormal late in epoch 1
// and every later epoch is slower.
func BenchmarkAdamEpochs(b *testing.B) {
	const epochs, stepsPerEpoch, live = 5, 938, 10
	dl.Seed(1)
	params := []*dl.Tensor{dl.Randn(256, 784).RequiresGrad(), dl.Randn(256).RequiresGrad(),
		dl.Randn(10, 256).RequiresGrad(), dl.Randn(10).RequiresGrad()}
	liveGrads, deadGrads := make([]*dl.Tensor, len(params)), make([]*dl.Tensor, len(params))
	for i, p := range params {
		liveGrads[i] = dl.Randn(p.Shape()...).MulScalar(1e-3)
		deadGrads[i] = liveGrads[i].Clone()
	}
	d := deadGrads[0].RawData()
	for o := range 256 {
		for px := range 784 {
			if r, c := px/28, px%28; r < 2 || r >= 26 || c < 2 || c >= 26 {
				d[o*784+px] = 0
			}
		}
	}
	var times [epochs]time.Duration
	for b.Loop() {
		opt := NewAdam(params, LR(1e-3))
		for e := range epochs {
			start := time.Now()
			for s := range stepsPerEpoch {
				grads := deadGrads
				if e == 0 && s < live {
					grads = liveGrads
				}
				for i, p := range params {
					p.SetGrad(grads[i])
				}
				opt.Step()
			}
			times[e] += time.Since(start)
		}
	}
	for e, t := range times {
		b.ReportMetric(float64(t.Milliseconds())/float64(b.N), fmt.Sprintf("ms/epoch%d", e+1))
	}
	b.ReportMetric(float64(times[epochs-1])/float64(times[0]), "epoch5/epoch1")
}
