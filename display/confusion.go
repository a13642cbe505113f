package display

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Confusion shows the confusion matrix of a classifier: the cell in row i,
// column j counts the samples of actual class i that were predicted as
// class j. Rows are the actual (true) classes, top to bottom, and columns
// the predicted ones, left to right — the layout of sklearn's
// ConfusionMatrixDisplay and torchmetrics' plots — so the diagonal holds
// the correct predictions.
//
//	pred := model.Forward(x).Argmax(1)
//	display.Confusion("test set", pred, y, []string{"T-shirt", "Trouser", ...})
//
// predicted and actual are class indices, as tensors of any dtype holding
// whole numbers (any shape, same number of elements) or []int. classes
// names the classes in index order; nil numbers them 0..K-1, K one more
// than the largest index seen. The counts are written in the cells (up to
// 20 classes) and the text form is the table of counts. opts are plot
// options (Size, AsSVG, ...). Confusion panics on misuse: a value that is
// not a class index, lengths that differ, an index with no class name.
func Confusion(title string, predicted, actual any, classes []string, opts ...PlotOption) {
	Publish(ConfusionBundle(title, predicted, actual, classes, opts...))
}

// ConfusionBundle is Confusion without showing it.
func ConfusionBundle(title string, predicted, actual any, classes []string, opts ...PlotOption) (data, metadata map[string]any) {
	counts, classes := confusionCounts(predicted, actual, classes)
	k := len(classes)
	g := matrix{rows: k, cols: k, v: make([]float64, k*k)}
	for i, row := range counts {
		for j, n := range row {
			g.v[i*k+j] = float64(n)
		}
	}
	side := min(max(320, 160+36*k), 720)
	c := configure(append([]PlotOption{Size(side+80, side), XLabel("predicted"), YLabel("actual"),
		RowLabels(classes...), ColLabels(classes...)}, opts...))
	return heatmapFigure("Confusion", title, g, c, confusionText(title, counts, classes))
}

// confusionCounts counts (actual, predicted) pairs; counts[i][j] is the
// number of samples of actual class i predicted as j.
func confusionCounts(predicted, actual any, classes []string) ([][]int, []string) {
	p := classIndices("predicted", predicted)
	a := classIndices("actual", actual)
	if len(p) != len(a) {
		panic(fmt.Errorf("display: Confusion: predicted has %d values, actual %d", len(p), len(a)))
	}
	k := len(classes)
	if classes == nil {
		for _, v := range append(append([]int(nil), p...), a...) {
			k = max(k, v+1)
		}
		classes = cellLabels(k, nil)
	}
	for _, s := range []struct {
		name string
		v    []int
	}{{"predicted", p}, {"actual", a}} {
		for i, v := range s.v {
			if v >= k {
				panic(fmt.Errorf("display: Confusion: %s[%d] = %d, but there are %d classes (%s)",
					s.name, i, v, k, strings.Join(classes, ", ")))
			}
		}
	}
	if k == 0 {
		panic(fmt.Errorf("display: Confusion of no classes (no samples and no class names)"))
	}
	counts := make([][]int, k)
	for i := range counts {
		counts[i] = make([]int, k)
	}
	for i := range p {
		counts[a[i]][p[i]]++
	}
	return counts, classes
}

// classIndices reads class indices from a tensor (any dtype) or []int,
// refusing values that are not whole numbers ≥ 0.
func classIndices(name string, v any) []int {
	switch x := v.(type) {
	case []int:
		for i, c := range x {
			if c < 0 {
				panic(fmt.Errorf("display: Confusion: %s[%d] = %d is not a class index", name, i, c))
			}
		}
		return x
	case float64er, dataTensor, []float64, []float32:
	default:
		panic(fmt.Errorf("display: Confusion: %s must be a tensor of class indices or []int, got %T", name, v))
	}
	fs := mustFloats(v)
	out := make([]int, len(fs))
	for i, f := range fs {
		if f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
			panic(fmt.Errorf("display: Confusion: %s[%d] = %g is not a class index (want whole numbers ≥ 0, as Argmax gives)", name, i, f))
		}
		out[i] = int(f)
	}
	return out
}

// confusionText is the text form: a summary line and the table of
// counts, rows actual, columns predicted.
func confusionText(title string, counts [][]int, classes []string) string {
	total, right := 0, 0
	for i, row := range counts {
		for j, n := range row {
			total += n
			if i == j {
				right += n
			}
		}
	}
	var b strings.Builder
	acc := 0.0
	if total > 0 {
		acc = 100 * float64(right) / float64(total)
	}
	fmt.Fprintf(&b, "confusion matrix %q: %d samples, %d classes, accuracy %.1f%%\n", title, total, len(classes), acc)
	b.WriteString("rows: actual, columns: predicted\n")
	head := 0
	for _, c := range classes {
		head = max(head, len([]rune(c)))
	}
	// Each column as wide as its name or its largest count.
	widths := make([]int, len(classes))
	for j, c := range classes {
		widths[j] = len([]rune(c))
		for i := range counts {
			widths[j] = max(widths[j], len(strconv.Itoa(counts[i][j])))
		}
	}
	b.WriteString(strings.Repeat(" ", head))
	for j, c := range classes {
		fmt.Fprintf(&b, "  %*s", widths[j], c)
	}
	for i, row := range counts {
		fmt.Fprintf(&b, "\n%-*s", head, classes[i])
		for j, n := range row {
			fmt.Fprintf(&b, "  %*d", widths[j], n)
		}
	}
	return b.String()
}
