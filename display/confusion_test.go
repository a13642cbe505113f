package display

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// labelsFor gives predicted and actual labels whose confusion matrix
// (rows actual, columns predicted) is want.
func labelsFor(want [][]int) (pred, actual []int) {
	for a, row := range want {
		for p, n := range row {
			for range n {
				pred, actual = append(pred, p), append(actual, a)
			}
		}
	}
	return pred, actual
}

// int64ish stands in for an integer-dtype tensor: it has Float64s, and a
// Data that must not be used for it.
type int64ish struct{ v []int64 }

func (t int64ish) Shape() []int    { return []int{len(t.v)} }
func (t int64ish) Data() []float32 { panic("Data of an integer tensor") }
func (t int64ish) Float64s() []float64 {
	out := make([]float64, len(t.v))
	for i, x := range t.v {
		out[i] = float64(x)
	}
	return out
}

func TestConfusionPixelsAndOrientation(t *testing.T) {
	want := [][]int{{5, 1, 0}, {2, 3, 0}, {0, 0, 4}}
	pred, actual := labelsFor(want)
	classes := []string{"cat", "dog", "bird"}
	m := [][]float64{{5, 1, 0}, {2, 3, 0}, {0, 0, 4}}
	for name, in := range map[string][2]any{
		"[]int":           {pred, actual},
		"float32 tensors": {floatTensor(pred), floatTensor(actual)},
		"integer tensors": {int64ish{toInt64(pred)}, int64ish{toInt64(actual)}},
	} {
		t.Run(name, func(t *testing.T) {
			data, md := ConfusionBundle("pets", in[0], in[1], classes)
			size := md[MIMEPNG].(map[string]int)
			checkPNG(t, data, md, size["width"], size["height"])
			img := decodePNG(t, data)
			box, _ := heatmapCells(t, img)
			// Cell (1, 0) holds 2: an actual dog predicted as a cat.
			checkCellColors(t, img, box, m, 0, 5)
			text := data[MIMEText].(string)
			for _, w := range []string{"15 samples, 3 classes, accuracy 80.0%", "rows: actual, columns: predicted",
				"cat     5    1     0", "dog     2    3     0", "bird    0    0     4"} {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
		})
	}
	data, _ := ConfusionBundle("pets", pred, actual, classes, AsSVG())
	texts := svgTexts(t, data[MIMESVG].(string))
	for _, w := range []string{"pets", "predicted", "actual", "cat", "dog", "bird", "5", "3", "4", "2"} {
		if !slices.Contains(texts, w) {
			t.Errorf("SVG text %q missing (texts %q)", w, texts)
		}
	}
}

func floatTensor(v []int) *dl.Tensor {
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return dl.FromSlice(f, len(f))
}

func toInt64(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// Without class names the classes are numbered up to the largest index.
func TestConfusionUnnamedClasses(t *testing.T) {
	data, _ := ConfusionBundle("", []int{0, 3, 3}, []int{0, 3, 1}, nil, AsSVG())
	texts := svgTexts(t, data[MIMESVG].(string))
	for _, w := range []string{"0", "1", "2", "3"} {
		if !slices.Contains(texts, w) {
			t.Errorf("class %q not labelled (texts %q)", w, texts)
		}
	}
	if text := data[MIMEText].(string); !strings.Contains(text, "3 samples, 4 classes") {
		t.Errorf("text %q", text)
	}
}

func TestConfusionMisuse(t *testing.T) {
	for name, tc := range map[string]struct {
		f    func()
		want string
	}{
		"lengths":     {func() { ConfusionBundle("", []int{0, 1}, []int{0}, nil) }, "predicted has 2 values, actual 1"},
		"fraction":    {func() { ConfusionBundle("", dl.FromSlice([]float32{0.5}, 1), []int{0}, nil) }, "predicted[0] = 0.5 is not a class index"},
		"negative":    {func() { ConfusionBundle("", []int{0}, []int{-1}, nil) }, "actual[0] = -1 is not a class index"},
		"no name":     {func() { ConfusionBundle("", []int{0, 2}, []int{0, 1}, []string{"a", "b"}) }, "predicted[1] = 2, but there are 2 classes (a, b)"},
		"not indices": {func() { ConfusionBundle("", "abc", []int{0}, nil) }, "predicted must be a tensor of class indices or []int, got string"},
		"nothing":     {func() { ConfusionBundle("", []int{}, []int{}, nil) }, "no classes"},
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), tc.want) {
					t.Errorf("%s: recovered %v, want %q", name, r, tc.want)
				}
			}()
			tc.f()
		}()
	}
}
