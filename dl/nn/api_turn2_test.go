package nn_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/data"
	"github.com/godl-dev/godl/dl/nn"
)

// TestAPISpellingsTurn2 uses the nn and data names of the contract's
// "Added for turn 2" section as they are written there.
func TestAPISpellingsTurn2(t *testing.T) {
	logits, labels := dl.Randn(4, 3), dl.From([]int{0, 2, 1, -100})
	w := dl.From([]float32{1, 2, 0.5})
	_ = nn.CrossEntropyLoss(logits, labels, nn.Weight(w), nn.IgnoreIndex(-100), nn.LabelSmoothing(0.1))
	model := nn.NewSequential(nn.NewLinear(784, 256), nn.NewReLU(), nn.NewLinear(256, 10))
	if got := fmt.Sprintln(model); !strings.HasPrefix(got, "Sequential(\n  (0): Linear(in_features=784, out_features=256, bias=True)\n  (1): ReLU()") {
		t.Errorf("fmt.Println(model) prints %q", got)
	}
	ds := data.Spirals(10, 2)
	_ = data.Subset(ds, []int{0, 1, 2})
	parts := data.RandomSplit(ds, 0.8, 0.2)
	if len(parts) != 2 || parts[0].Len() != 16 {
		t.Errorf("RandomSplit: %d parts", len(parts))
	}
}
