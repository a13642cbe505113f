package nn

import (
	"testing"

	"github.com/godl-dev/godl/dl"
)

// A constructor refuses options it does not take, naming the option and
// listing those it takes; malformed options name themselves.
func TestOptionErrors(t *testing.T) {
	w := dl.Ones(3)
	x, y := dl.Zeros(2, 3), dl.Zeros(2, 3)
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { NewLinear(3, 2, Padding(1)) }, "Linear: option Padding does not apply to Linear (it takes [NoBias])"},
		{func() { NewConv2d(2, 2, 3, CeilMode()) }, "Conv2d: option CeilMode does not apply to Conv2d (it takes [Stride Padding Dilation Groups NoBias])"},
		{func() { NewMaxPool2d(2, Groups(2)) }, "MaxPool2d: option Groups does not apply to MaxPool2d (it takes [Stride Padding Dilation CeilMode])"},
		{func() { NewAvgPool2d(2, Dilation(2)) }, "AvgPool2d: option Dilation does not apply to AvgPool2d (it takes [Stride Padding CeilMode CountIncludePad])"},
		{func() { NewBatchNorm2d(3, NoBias()) }, "BatchNorm2d: option NoBias does not apply to BatchNorm2d (it takes [Eps Momentum NoAffine NoTrackStats])"},
		{func() { NewLayerNormOpts([]int{3}, Momentum(0.5)) }, "LayerNorm: option Momentum does not apply to LayerNorm (it takes [Eps NoAffine])"},
		{func() { NewLSTM(3, 4, 1, Eps(1)) }, "LSTM: option Eps does not apply to LSTM (it takes [BatchFirst LayerDropout NoBias])"},
		{func() { NewConv2d(2, 2, 3, Stride(1, 2, 3)) }, "Stride: want 1 or 2 values, got [1 2 3]"},
		{func() { NewLinear(3, 2, Padding()) }, "Padding: want 1 or 2 values, got []"},
		{func() { MSELoss(x, y, Weight(w)) }, "MSELoss: option Weight does not apply to MSELoss (it takes a reduction and [])"},
		{func() { BCELoss(x, y, IgnoreIndex(1)) }, "BCELoss: option IgnoreIndex does not apply to BCELoss (it takes a reduction and [Weight])"},
		{func() { MSELoss(x, y, Sum, Mean) }, "MSELoss: give at most one reduction (nn.Mean, nn.Sum or nn.NoReduction)"},
		{func() { MSELoss(x, y, nil) }, "MSELoss: nil option"},
		{func() { MSELoss(x, y, Reduction(7)) }, "MSELoss: unknown reduction 7 (use nn.Mean, nn.Sum or nn.NoReduction)"},
		{func() { CrossEntropyLoss(x, dl.FromInt64s([]int64{0, 1}, 2), LabelSmoothing(2)) }, "CrossEntropyLoss: label smoothing must be between 0 and 1, got 2"},
	} {
		err := dl.Maybe(c.f)
		if err == nil || err.Error() != c.want {
			t.Errorf("got error %v\nwant        %s", err, c.want)
		}
	}
}

// Options set what they name, over each constructor's defaults.
func TestOptionsSetFields(t *testing.T) {
	c := NewConv2dRect(4, 6, 3, 5, Stride(2, 1), Padding(1), Dilation(2, 3), Groups(2), NoBias())
	if c.Stride != [2]int{2, 1} || c.Padding != [2]int{1, 1} || c.Dilation != [2]int{2, 3} || c.Groups != 2 || c.Bias != nil {
		t.Errorf("Conv2d: stride %v padding %v dilation %v groups %d bias %v", c.Stride, c.Padding, c.Dilation, c.Groups, c.Bias)
	}
	p := NewAvgPool2d(3, Padding(1), CeilMode(), CountIncludePad(false))
	if p.Stride != [2]int{3, 3} || p.Padding != [2]int{1, 1} || !p.CeilMode || !p.ExcludePad {
		t.Errorf("AvgPool2d: %+v", p)
	}
	if q := NewAvgPool2d(2); q.ExcludePad || q.CeilMode || q.Stride != [2]int{2, 2} {
		t.Errorf("AvgPool2d defaults: %+v", q)
	}
	bn := NewBatchNorm1d(3, Eps(1e-3), Momentum(0.2))
	if bn.Eps != 1e-3 || bn.Momentum != 0.2 {
		t.Errorf("BatchNorm1d: eps %v momentum %v", bn.Eps, bn.Momentum)
	}
	if bn := NewBatchNorm1d(3); bn.Eps != 1e-5 || bn.Momentum != 0.1 {
		t.Errorf("BatchNorm1d defaults: eps %v momentum %v", bn.Eps, bn.Momentum)
	}
	if l := NewLinear(3, 2, NoBias()); l.Bias != nil {
		t.Error("Linear with NoBias has a bias")
	}
}
