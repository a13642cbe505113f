package nn

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// convSettings runs f under workspace budgets that cut an image into bands
// of one or a few output rows, and thread counts that send the batch to
// several goroutines or keep it on one.
func convSettings(t *testing.T, f func(t *testing.T)) {
	defer dl.SetWorkspace(0)
	defer kernels.SetThreads(0)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, ws := range []int{0, 1, 4096} {
		for _, threads := range []int{1, 4} {
			t.Run(fmt.Sprintf("workspace=%d/threads=%d", ws, threads), func(t *testing.T) {
				dl.SetWorkspace(ws)
				kernels.SetThreads(threads)
				runtime.GOMAXPROCS(threads)
				f(t)
			})
		}
	}
}

func TestConvOptionsGolden(t *testing.T) {
	convSettings(t, func(t *testing.T) {
		for _, c := range []struct {
			name string
			m    *Conv2d
		}{
			{"conv_pad", NewConv2d(2, 3, 3, Padding(1))},
			{"conv_stride_dil", NewConv2d(2, 4, 3, Stride(2), Padding(2), Dilation(2))},
			{"conv_groups", NewConv2d(4, 6, 3, Padding(1), Groups(2))},
			{"conv_depthwise", NewConv2d(3, 3, 3, Stride(2), Padding(1), Groups(3))},
			{"conv_depthwise_mult", NewConv2d(2, 4, 3, Padding(2), Dilation(2), Groups(2), NoBias())},
			{"conv_recipe", NewConv2d(8, 16, 3, Padding(1))},
			{"conv_wide", NewConv2dRect(2, 3, 2, 5, Stride(1, 2), Padding(0, 3))},
		} {
			checkCase(t, c.name, c.m, 1e-4, single(c.m))
		}
	})
}

func TestPoolOptionsGolden(t *testing.T) {
	convSettings(t, func(t *testing.T) {
		for _, c := range []struct {
			name string
			m    Module
			rel  float64
		}{
			{"maxpool2_odd", NewMaxPool2d(2), 1e-6},
			{"maxpool2_ceil", NewMaxPool2d(2, CeilMode()), 1e-6},
			{"maxpool3s2_ceil", NewMaxPool2d(3, Stride(2), CeilMode()), 1e-6},
			{"maxpool3s2p1_ceil", NewMaxPool2d(3, Stride(2), Padding(1), CeilMode()), 1e-6},
			{"maxpool3s3p1_ceil", NewMaxPool2d(3, Stride(3), Padding(1), CeilMode()), 1e-6},
			{"maxpool2d2_ceil", NewMaxPool2d(2, Stride(2), Dilation(2), CeilMode()), 1e-6},
			{"avgpool2_ceil", NewAvgPool2d(2, CeilMode()), 1e-5},
			{"avgpool3s2p1_ceil", NewAvgPool2d(3, Stride(2), Padding(1), CeilMode()), 1e-5},
			{"avgpool3s2p1_nopad", NewAvgPool2d(3, Stride(2), Padding(1), CountIncludePad(false)), 1e-5},
			{"avgpool3s2p1_nopad_ceil", NewAvgPool2d(3, Stride(2), Padding(1), CeilMode(), CountIncludePad(false)), 1e-5},
		} {
			checkCase(t, c.name, nil, c.rel, single(c.m))
		}
	})
}

// The weight gradient sums over the batch in fixed pieces: the same bits on
// any number of threads.
func TestConvGradientDeterministic(t *testing.T) {
	defer kernels.SetThreads(0)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	dl.Seed(7)
	m := NewConv2d(5, 24, 3, Padding(1))
	x := dl.Randn(37, 5, 9, 11).RequiresGrad()
	r := dl.Randn(37, 24, 9, 11)
	grads := func(threads int) [][]float32 {
		kernels.SetThreads(threads)
		runtime.GOMAXPROCS(threads)
		m.Weight.ZeroGrad()
		m.Bias.ZeroGrad()
		x.ZeroGrad()
		dl.Sum(m.Forward(x).Mul(r)).Backward()
		return [][]float32{m.Weight.Grad().Data(), m.Bias.Grad().Data(), x.Grad().Data()}
	}
	want := grads(1)
	for _, threads := range []int{2, 3, 8} {
		for i, g := range grads(threads) {
			for j, v := range g {
				if math.Float32bits(v) != math.Float32bits(want[i][j]) {
					t.Fatalf("%d threads: gradient %d element %d = %v, on one thread %v", threads, i, j, v, want[i][j])
				}
			}
		}
	}
}

// With the weight frozen or the input not tracked, the gradients that are
// needed are the same as when all are.
func TestConvPartialGradients(t *testing.T) {
	dl.Seed(8)
	m := NewConv2d(3, 4, 3, Stride(2), Padding(1), Groups(1))
	x := dl.Randn(6, 3, 8, 7)
	r := dl.Randn(6, 4, 4, 4)
	run := func(xGrad, wGrad bool) (gx, gw, gb []float32) {
		x.SetRequiresGrad(xGrad)
		m.Weight.SetRequiresGrad(wGrad)
		x.SetGrad(nil)
		m.Weight.SetGrad(nil)
		m.Bias.SetGrad(nil)
		dl.Sum(m.Forward(x).Mul(r)).Backward()
		if g := x.Grad(); g != nil {
			gx = g.Data()
		}
		if g := m.Weight.Grad(); g != nil {
			gw = g.Data()
		}
		return gx, gw, m.Bias.Grad().Data()
	}
	gx, gw, gb := run(true, true)
	for _, c := range [][2]bool{{true, false}, {false, true}, {false, false}} {
		px, pw, pb := run(c[0], c[1])
		same := func(name string, got, want []float32, on bool) {
			if !on {
				if got != nil {
					t.Errorf("x %v weight %v: %s gradient computed but not asked for", c[0], c[1], name)
				}
				return
			}
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("x %v weight %v: %s gradient %d = %v, want %v", c[0], c[1], name, i, got[i], want[i])
				}
			}
		}
		same("input", px, gx, c[0])
		same("weight", pw, gw, c[1])
		same("bias", pb, gb, true)
	}
}

func TestConvGroupsErrors(t *testing.T) {
	for _, f := range []func(){
		func() { NewConv2d(4, 6, 3, Groups(4)) },
		func() { NewConv2d(4, 6, 3, Groups(0)) },
		func() { NewConv2d(4, 6, 3, Groups(2)).Forward(dl.Zeros(1, 6, 5, 5)) },
		func() { NewMaxPool2d(2, Groups(2)) },
		func() { NewMaxPool2d(2, CountIncludePad(false)) },
	} {
		err := dl.Maybe(f)
		if err == nil {
			t.Fatal("no error")
		}
		t.Log(err)
	}
}

// Finite differences for the settings the goldens leave out: groups with a
// rectangular kernel and stride, bands of one row, ceil-mode pooling whose
// last window hangs over the edge.
func TestConvPoolGradCheck(t *testing.T) {
	defer dl.SetWorkspace(0)
	dl.SetWorkspace(1)
	dl.Seed(3)
	img := dl.Randn(3, 4, 7, 6).RequiresGrad()
	conv := NewConv2dRect(4, 6, 3, 2, Stride(2, 1), Padding(1, 1), Groups(2))
	gradCheck(t, "Conv2d groups", func() *dl.Tensor { return conv.Forward(img) },
		map[string]*dl.Tensor{"x": img, "weight": conv.Weight, "bias": conv.Bias})
	dw := NewConv2d(4, 4, 3, Dilation(2), Padding(1), Groups(4), NoBias())
	gradCheck(t, "Conv2d depthwise", func() *dl.Tensor { return dw.Forward(img) },
		map[string]*dl.Tensor{"x": img, "weight": dw.Weight})
	avg := NewAvgPool2d(3, Stride(2), Padding(1), CeilMode(), CountIncludePad(false))
	gradCheck(t, "AvgPool2d ceil exclude pad", func() *dl.Tensor { return avg.Forward(img) }, map[string]*dl.Tensor{"x": img})
	// Max pooling's gradient is piecewise constant: the values are kept
	// further apart than the finite difference's step.
	spread := dl.FromSlice(make([]float32, 2*3*9*8), 2, 3, 9, 8).RequiresGrad()
	for i, d := 0, spread.RawData(); i < len(d); i++ {
		d[i] = float32(i*89%len(d)) * 0.05
	}
	mp := NewMaxPool2d(3, Stride(2), CeilMode())
	gradCheck(t, "MaxPool2d ceil", func() *dl.Tensor { return mp.Forward(spread) }, map[string]*dl.Tensor{"x": spread})
}

// An empty batch goes through as in PyTorch: empty outputs, zero
// parameter gradients.
func TestConvPoolEmptyBatch(t *testing.T) {
	m := NewConv2d(3, 4, 3, Padding(1))
	x := dl.Zeros(0, 3, 5, 5).RequiresGrad()
	y := m.Forward(x)
	if !slices.Equal(y.Shape(), []int{0, 4, 5, 5}) {
		t.Fatalf("output %v", y.Shape())
	}
	dl.Sum(y).Backward()
	if g := m.Weight.Grad(); g == nil || dl.Sum(g.Abs()).Item() != 0 || !slices.Equal(x.Grad().Shape(), x.Shape()) {
		t.Fatalf("gradients %v %v", m.Weight.Grad(), x.Grad())
	}
	for _, p := range []Module{NewMaxPool2d(2), NewAvgPool2d(2), NewMaxPool2d(3, Stride(2), CeilMode())} {
		x := dl.Zeros(0, 3, 5, 4).RequiresGrad()
		dl.Sum(p.Forward(x)).Backward()
		if !slices.Equal(x.Grad().Shape(), x.Shape()) {
			t.Fatalf("%v: gradient %v", p, x.Grad().Shape())
		}
	}
}

// An interrupt stops a long convolution on every thread and reaches the
// caller as dl's error; the next call runs normally.
func TestConvInterrupt(t *testing.T) {
	defer dl.ResetInterrupt()
	m := NewConv2d(2, 8, 3)
	x := dl.Randn(64, 2, 12, 12)
	dl.Interrupt()
	if err := dl.Maybe(func() { m.Forward(x) }); err != dl.ErrInterrupted {
		t.Fatalf("interrupted conv: %v", err)
	}
	dl.ResetInterrupt()
	if got := m.Forward(x).Shape(); !slices.Equal(got, []int{64, 8, 10, 10}) {
		t.Fatalf("after the interrupt: %v", got)
	}
}
