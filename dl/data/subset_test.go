package data

import (
	"slices"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// The lengths torch.utils.data.random_split (PyTorch 1.13) gives.
func TestRandomSplitLengthsAsTorch(t *testing.T) {
	for _, c := range []struct {
		n     int
		sizes []float64
		want  []int
	}{
		{10, []float64{0.33, 0.33, 0.34}, []int{4, 3, 3}},
		{7, []float64{0.5, 0.5}, []int{4, 3}},
		{10, []float64{0.8, 0.2}, []int{8, 2}},
		{11, []float64{0.1, 0.2, 0.3, 0.4}, []int{2, 2, 3, 4}},
		{5, []float64{3, 2}, []int{3, 2}},
	} {
		ds := NewTensorDataset(dl.Arange(0, float32(c.n), 1).Reshape(c.n, 1), dl.Arange(0, float32(c.n), 1).To(dl.Int64))
		parts := RandomSplit(ds, c.sizes...)
		var got []int
		seen := map[int]bool{}
		for _, p := range parts {
			got = append(got, p.Len())
			for i := range p.Len() {
				x, y := p.Item(i)
				if int(x.Item()) != y.ItemInt() {
					t.Fatalf("example %d of a split: x %v, y %v", i, x, y)
				}
				if seen[y.ItemInt()] {
					t.Fatalf("example %d in two subsets", y.ItemInt())
				}
				seen[y.ItemInt()] = true
			}
		}
		if !slices.Equal(got, c.want) || len(seen) != c.n {
			t.Errorf("n=%d sizes %v: lengths %v (%d examples), want %v", c.n, c.sizes, got, len(seen), c.want)
		}
	}
	if err := dl.Maybe(func() { RandomSplit(Spirals(5, 1), 3, 3) }); err == nil || !strings.HasPrefix(err.Error(), "RandomSplit:") {
		t.Errorf("lengths that do not sum to the dataset: %v", err)
	}
}

func TestSubsetBatchesKeepDtypes(t *testing.T) {
	x := dl.Arange(0, 12, 1).Reshape(6, 2)
	y := dl.From([]int{10, 11, 12, 13, 14, 15})
	ds := NewTensorDataset(x, y)
	sub := Subset(ds, []int{5, 1, 3})
	var ys []int
	for xb, yb := range NewLoader(sub, 2).All() {
		if yb.Dtype() != dl.Int64 || xb.Dtype() != dl.Float32 {
			t.Fatalf("batch dtypes %v %v", xb.Dtype(), yb.Dtype())
		}
		for i, v := range yb.Ints() {
			if got := xb.At(i, 0); int(got) != 2*(v-10) {
				t.Fatalf("x row %v does not belong to label %d", got, v)
			}
		}
		ys = append(ys, yb.Ints()...)
	}
	if !slices.Equal(ys, []int{15, 11, 13}) {
		t.Errorf("subset labels %v", ys)
	}
	// a dataset without Batch goes through Item and Stack
	plain := Subset(itemOnly{ds}, []int{2, 0})
	_, yb := plain.Batch([]int{0, 1})
	if yb.Dtype() != dl.Int64 || !slices.Equal(yb.Ints(), []int{12, 10}) {
		t.Errorf("stacked labels %v %v", yb.Dtype(), yb)
	}
	masks := NewTensorDataset(x, dl.From([]bool{true, false, true, true, false, false}))
	_, mb := masks.Batch([]int{1, 2})
	if mb.Dtype() != dl.Bool || !slices.Equal(mb.Bools(), []bool{false, true}) {
		t.Errorf("Bool targets: %v", mb)
	}
	if err := dl.Maybe(func() { Subset(ds, []int{6}) }); err == nil {
		t.Error("an index past the dataset must be refused")
	}
}

type itemOnly struct{ ds Dataset }

func (d itemOnly) Len() int                     { return d.ds.Len() }
func (d itemOnly) Item(i int) (x, y *dl.Tensor) { return d.ds.Item(i) }

func TestGeneratedLabelsAreInt64(t *testing.T) {
	s := Spirals(4, 3)
	if s.Y.Dtype() != dl.Int64 || !slices.Equal(s.Y.Ints(), []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}) {
		t.Errorf("Spirals labels: %v", s.Y)
	}
}
