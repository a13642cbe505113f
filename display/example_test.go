package display_test

import (
	"fmt"
	"slices"

	"github.com/godl-dev/godl/display"
	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
)

// Outside a notebook every output prints its text/plain form, which is
// what these examples show.

func ExampleLines() {
	x := []float64{-1, 0, 1, 2}
	display.Lines("activations", x,
		display.Series{Name: "relu", Y: []float64{0, 0, 1, 2}},
		display.Series{Name: "identity", Y: x},
		display.XLabel("x"))
	display.Lines("loss", nil, map[string][]float32{"val": {3, 2}, "train": {2, 1}})
	// Output:
	// line plot "activations": 2 series (relu, identity), 4 points
	// line plot "loss": 2 series (train, val), 2 points
}

func ExampleProgress() {
	for i := range display.Progress(3, "epoch") {
		_ = i // train one epoch
	}
	// The bar is printed as it goes; in a notebook it updates in place.
}

func ExampleSummary() {
	model := nn.NewSequential(nn.NewLinear(784, 256), nn.NewReLU(), nn.NewLinear(256, 10))
	display.Summary(model, 1, 784)
}

func ExampleValueBundle() {
	data, _ := display.ValueBundle(dl.FromSlice([]float32{1, 2, 3, 4}, 2, 2))
	fmt.Println(data["text/plain"])
	_, hasTable := data["text/html"]
	fmt.Println(hasTable)
	// Output:
	// tensor([[1., 2.],
	//         [3., 4.]])
	// true
}

func ExampleTable() {
	display.Table([][]string{{"layer", "params"}, {"fc1", "200,960"}, {"fc2", "2,570"}})
	// Output:
	// layer  params
	// fc1    200,960
	// fc2    2,570
}

func ExampleConfusion() {
	predicted := []int{0, 0, 1, 1, 2, 0}
	actual := []int{0, 0, 1, 2, 2, 1}
	display.Confusion("test set", predicted, actual, []string{"cat", "dog", "bird"})
	// Output:
	// confusion matrix "test set": 6 samples, 3 classes, accuracy 66.7%
	// rows: actual, columns: predicted
	//       cat  dog  bird
	// cat     2    0     0
	// dog     1    1     0
	// bird    0    1     1
}

func ExampleHeatmap() {
	attention := [][]float64{{0.9, 0.1}, {0.3, 0.7}}
	display.Heatmap("attention", attention,
		display.RowLabels("query 1", "query 2"), display.ColLabels("key 1", "key 2"))
	// Output:
	// heatmap "attention": 2×2, min 0.1, max 0.9
}

func ExampleTrack() {
	words := []string{"a", "b", "c"}
	for i, w := range display.Track(slices.All(words), len(words), "word") {
		_, _ = i, w // in a notebook the bar updates in place
	}
}
