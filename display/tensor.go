package display

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"

	"github.com/godl-dev/godl/dl"
)

// tensorLike is what a tensor table needs; *dl.Tensor has it.
type tensorLike interface {
	Shape() []int
	Data() []float32
	String() string
}

var _ tensorLike = (*dl.Tensor)(nil)

// Limits of a tensor table: past these the middle is elided, as pandas
// does, so a [60000 784] tensor costs no more than a [20 20] one.
const (
	tableEdgeRows  = 10 // rows shown at each end of a long axis
	tableEdgeCols  = 8  // columns shown at each end of a wide axis
	tableEdgeSlice = 3  // 2-D slices shown at each end for 3-D and more
)

// TensorBundle renders a tensor as an HTML table with a shape and dtype
// caption (a dataframe-style table for 0-D to 2-D, a table per 2-D slice
// for more dimensions, the middle elided when large) and PyTorch's text.
func TensorBundle(t *dl.Tensor) (data, metadata map[string]any) {
	return tensorBundle(t)
}

func tensorBundle(t tensorLike) (map[string]any, map[string]any) {
	return map[string]any{
		MIMEText: t.String(),
		MIMEHTML: tensorHTML(t),
	}, map[string]any{}
}

// elementReader reads single elements without copying the whole tensor.
type elementReader interface {
	At(idx ...int) float32
}

// tensorView gives element access by full index to any tensorLike.
type tensorView struct {
	shape   []int
	strides []int // row-major strides into data
	at      func(idx []int) float32
	dtype   string                 // as the caption names it
	str     func(idx []int) string // Int64 and Bool elements, exactly as torch prints them
}

func newTensorView(t tensorLike) *tensorView {
	v := &tensorView{shape: t.Shape(), dtype: "float32"}
	if x, ok := t.(*dl.Tensor); ok && x.Dtype() != dl.Float32 {
		v.dtype = x.Dtype().Name()
		v.str = func(idx []int) string {
			e := x.Index(anyInts(idx)...) // a 0-d view: no copy of the rest
			if x.Dtype() == dl.Bool {
				if e.Bools()[0] {
					return "True"
				}
				return "False"
			}
			return strconv.FormatInt(e.Int64s()[0], 10)
		}
	}
	v.strides = make([]int, len(v.shape))
	s := 1
	for i := len(v.shape) - 1; i >= 0; i-- {
		v.strides[i] = s
		s *= v.shape[i]
	}
	if r, ok := t.(elementReader); ok {
		v.at = func(idx []int) float32 { return r.At(idx...) }
		return v
	}
	data := t.Data()
	v.at = func(idx []int) float32 {
		off := 0
		for i, x := range idx {
			off += x * v.strides[i]
		}
		return data[off]
	}
	return v
}

func anyInts(idx []int) []any {
	out := make([]any, len(idx))
	for i, x := range idx {
		out[i] = x
	}
	return out
}

// shown returns the indices of an axis of length n that a table shows,
// with -1 where the elided middle goes.
func shown(n, edge int) []int {
	var idx []int
	if n <= 2*edge+1 {
		for i := range n {
			idx = append(idx, i)
		}
		return idx
	}
	for i := range edge {
		idx = append(idx, i)
	}
	idx = append(idx, -1)
	for i := n - edge; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

func tensorHTML(t tensorLike) string {
	v := newTensorView(t)
	var b strings.Builder
	caption := fmt.Sprintf("tensor of shape %s, dtype %s", shapeString(v.shape), v.dtype)
	switch len(v.shape) {
	case 0, 1, 2:
		writeMatrix(&b, v, nil, caption)
	default:
		lead := v.shape[:len(v.shape)-2]
		fmt.Fprintf(&b, `<div class="godl-tensor"><div>%s</div>`, html.EscapeString(caption))
		for _, pre := range leadingIndices(lead) {
			if pre == nil {
				b.WriteString(`<div>⋮</div>`)
				continue
			}
			writeMatrix(&b, v, pre, sliceName(pre))
		}
		b.WriteString(`</div>`)
	}
	return b.String()
}

// leadingIndices lists the 2-D slices to show of a tensor whose leading
// dimensions are lead, nil standing for the elided ones.
func leadingIndices(lead []int) [][]int {
	total := 1
	for _, n := range lead {
		total *= n
	}
	var out [][]int
	for _, k := range shown(total, tableEdgeSlice) {
		if k < 0 {
			out = append(out, nil)
			continue
		}
		idx := make([]int, len(lead))
		for d := len(lead) - 1; d >= 0; d-- {
			idx[d] = k % lead[d]
			k /= lead[d]
		}
		out = append(out, idx)
	}
	return out
}

func sliceName(pre []int) string {
	parts := make([]string, 0, len(pre)+2)
	for _, i := range pre {
		parts = append(parts, strconv.Itoa(i))
	}
	return "[" + strings.Join(append(parts, ":", ":"), ", ") + "]"
}

// writeMatrix writes the last two dimensions of v at leading index pre as
// a dataframe-style table: column numbers on top, row numbers on the left.
// 0-D is one cell; 1-D is one column, as a pandas Series.
func writeMatrix(b *strings.Builder, v *tensorView, pre []int, caption string) {
	dims := v.shape[len(pre):]
	rows, cols := 1, 1
	switch len(dims) {
	case 1:
		rows = dims[0]
	case 2:
		rows, cols = dims[0], dims[1]
	}
	ri, ci := shown(rows, tableEdgeRows), shown(cols, tableEdgeCols)
	idx := make([]int, len(v.shape))
	copy(idx, pre)
	place := func(r, c int) []int {
		switch len(dims) {
		case 1:
			idx[len(pre)] = r
		case 2:
			idx[len(pre)], idx[len(pre)+1] = r, c
		}
		return idx
	}
	var vals []float32
	var texts []string
	for _, r := range ri {
		for _, c := range ci {
			if r >= 0 && c >= 0 {
				if v.str != nil {
					texts = append(texts, v.str(place(r, c)))
				} else {
					vals = append(vals, v.at(place(r, c)))
				}
			}
		}
	}
	if v.str == nil {
		f := chooseFormat(vals)
		for _, x := range vals {
			texts = append(texts, f(x))
		}
	}
	b.WriteString(`<table class="dataframe" border="1">`)
	fmt.Fprintf(b, `<caption style="white-space: nowrap; text-align: left;">%s</caption>`, html.EscapeString(caption))
	if len(dims) == 2 {
		b.WriteString(`<thead><tr style="text-align: right;"><th></th>`)
		for _, c := range ci {
			fmt.Fprintf(b, `<th>%s</th>`, indexLabel(c))
		}
		b.WriteString(`</tr></thead>`)
	}
	b.WriteString(`<tbody>`)
	k := 0
	for _, r := range ri {
		b.WriteString(`<tr>`)
		if len(dims) > 0 {
			fmt.Fprintf(b, `<th>%s</th>`, indexLabel(r))
		}
		for _, c := range ci {
			if r < 0 || c < 0 {
				b.WriteString(`<td>…</td>`)
				continue
			}
			fmt.Fprintf(b, `<td>%s</td>`, texts[k])
			k++
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table>`)
}

func indexLabel(i int) string {
	if i < 0 {
		return "…"
	}
	return strconv.Itoa(i)
}

// chooseFormat picks one number format for all shown values, as PyTorch
// does: integers without decimals, 4 decimals normally, scientific
// notation for very large or very small magnitudes.
func chooseFormat(vals []float32) func(float32) string {
	ints, maxAbs, minAbs := true, 0.0, math.Inf(1)
	for _, x := range vals {
		a := math.Abs(float64(x))
		if math.IsNaN(a) || math.IsInf(a, 0) {
			continue
		}
		if a != math.Trunc(a) {
			ints = false
		}
		maxAbs = max(maxAbs, a)
		if a > 0 {
			minAbs = min(minAbs, a)
		}
	}
	switch {
	case ints && maxAbs < 1e8:
		return func(x float32) string { return strconv.FormatFloat(float64(x), 'f', 0, 32) }
	case maxAbs >= 1e8 || (minAbs < 1e-4 && maxAbs/minAbs > 1e3):
		return func(x float32) string { return strconv.FormatFloat(float64(x), 'e', 4, 32) }
	default:
		return func(x float32) string { return strconv.FormatFloat(float64(x), 'f', 4, 32) }
	}
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = strconv.Itoa(n)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
