package dl

import (
	"math"
	"strconv"
	"strings"
)

// Printing follows torch/_tensor_str.py (PyTorch 1.13) so that a notebook
// shows what a PyTorch user expects: 4 decimals, a shared column width,
// integer mode ("1.") and scientific mode chosen from the values, lines
// wrapped at 80 characters, and more than 1000 elements summarised to 3
// items at each edge of every dimension. A summarised tensor also shows its
// size, which PyTorch leaves out.
const (
	printPrecision = 4
	printThreshold = 1000
	printEdgeItems = 3
	printLineWidth = 80
)

// String renders t like PyTorch's print, e.g. "tensor([[ 0.1234, -1.0000]])",
// "tensor([3, 0, 7])" or "tensor([ True, False])".
func (t *Tensor) String() string {
	const prefix = "tensor("
	indent := len(prefix)
	var suffixes []string
	var body string
	switch n := t.Numel(); {
	case n == 0:
		if t.Dim() != 1 {
			suffixes = append(suffixes, "size="+sizeTuple(t.shape))
		}
		if t.dtype != Float32 { // torch names a non-default dtype of an empty tensor
			suffixes = append(suffixes, "dtype="+t.dtype.String())
		}
		body = "[]"
	case n > printThreshold:
		// Only the edges are printed: gather them without copying the rest,
		// so that printing a whole dataset stays cheap.
		edges := summarizedEdges(t)
		items, width := formatItems(edges)
		suffixes = append(suffixes, "size="+sizeTuple(t.shape))
		body = tensorStr(items, width, edges.shape, t.shape, indent, true)
	default:
		items, width := formatItems(t)
		body = tensorStr(items, width, t.shape, t.shape, indent, false)
	}
	if t.node != nil {
		suffixes = append(suffixes, "grad_fn=<"+gradFnName(t)+">")
	} else if t.requiresGrad {
		suffixes = append(suffixes, "requires_grad=True")
	}
	return addSuffixes(prefix+body, suffixes, indent)
}

func sizeTuple(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	if len(shape) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func addSuffixes(s string, suffixes []string, indent int) string {
	var b strings.Builder
	b.WriteString(s)
	// as torch: len - rfind("\n") + 1, where rfind is -1 without a newline
	last := len(s) - strings.LastIndexByte(s, '\n') + 1
	for _, suf := range suffixes {
		if last+len(suf)+2 > printLineWidth {
			b.WriteString(",\n" + strings.Repeat(" ", indent) + suf)
			last = indent + len(suf)
		} else {
			b.WriteString(", " + suf)
			last += len(suf) + 2
		}
	}
	b.WriteString(")")
	return b.String()
}

// formatItems returns t's elements in row-major order printed as torch
// prints them, padded to one width, and that width.
func formatItems(t *Tensor) ([]string, int) {
	var items []string
	switch t.dtype {
	case Int64:
		for _, v := range t.Int64s() {
			items = append(items, strconv.FormatInt(v, 10))
		}
	case Bool:
		for _, v := range t.Bools() {
			s := "False"
			if v {
				s = "True"
			}
			items = append(items, s)
		}
	default:
		data := t.Data()
		f := newFormatter(data)
		items = make([]string, len(data))
		for i, v := range data {
			items[i] = f.format(v)
		}
		return items, f.width
	}
	width := 1
	for _, s := range items {
		width = max(width, len(s))
	}
	for i, s := range items {
		items[i] = strings.Repeat(" ", width-len(s)) + s
	}
	return items, width
}

// formatter chooses one notation and width for all printed values.
type formatter struct {
	intMode, sciMode bool
	width            int
}

func newFormatter(vals []float32) formatter {
	f := formatter{intMode: true, width: 1}
	var minAbs, maxAbs float64
	n := 0
	for _, v := range vals {
		x := float64(v)
		if v == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			continue
		}
		a := math.Abs(x)
		if n == 0 || a < minAbs {
			minAbs = a
		}
		if n == 0 || a > maxAbs {
			maxAbs = a
		}
		n++
		if x != math.Ceil(x) {
			f.intMode = false
		}
	}
	if n == 0 {
		return f
	}
	if f.intMode {
		f.sciMode = maxAbs/minAbs > 1000 || maxAbs > 1e8
	} else {
		f.sciMode = maxAbs/minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4
	}
	for _, v := range vals {
		x := float64(v)
		if v == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			continue
		}
		var w int
		switch {
		case f.sciMode:
			w = len(strconv.FormatFloat(x, 'e', printPrecision, 64))
		case f.intMode:
			w = len(strconv.FormatFloat(x, 'f', 0, 64)) + 1
		default:
			w = len(strconv.FormatFloat(x, 'f', printPrecision, 64))
		}
		f.width = max(f.width, w)
	}
	return f
}

func (f *formatter) format(v float32) string {
	x := float64(v)
	var s string
	switch {
	case math.IsNaN(x):
		s = "nan"
	case math.IsInf(x, 1):
		s = "inf"
	case math.IsInf(x, -1):
		s = "-inf"
	case f.sciMode:
		s = strconv.FormatFloat(x, 'e', printPrecision, 64)
	case f.intMode:
		s = strconv.FormatFloat(x, 'f', 0, 64) + "."
	default:
		s = strconv.FormatFloat(x, 'f', printPrecision, 64)
	}
	if len(s) < f.width {
		s = strings.Repeat(" ", f.width-len(s)) + s
	}
	return s
}

// summarizedEdges keeps the first and last printEdgeItems entries of every
// dimension longer than twice that (torch's get_summarized_data): a small
// tensor holding exactly the values a summarised print shows.
func summarizedEdges(t *Tensor) *Tensor {
	t = t.Detach()
	for d, n := range t.shape {
		if n > 2*printEdgeItems {
			t = Cat(d, t.Narrow(d, 0, printEdgeItems), t.Narrow(d, n-printEdgeItems, printEdgeItems))
		}
	}
	return t
}

// tensorStr prints the row-major items (formatted to width) of the given
// shape at indent. When summarising, items holds only the edges (shape) of
// a tensor of shape orig, and "..." marks the dimensions that were cut.
func tensorStr(items []string, width int, shape, orig []int, indent int, summarize bool) string {
	switch len(shape) {
	case 0:
		return items[0]
	case 1:
		return vectorStr(items, width, orig[0], indent, summarize)
	}
	inner := numel(shape[1:])
	sub := func(i int) string {
		return tensorStr(items[i*inner:(i+1)*inner], width, shape[1:], orig[1:], indent+1, summarize)
	}
	var slices []string
	if summarize && orig[0] > 2*printEdgeItems {
		for i := range printEdgeItems {
			slices = append(slices, sub(i))
		}
		slices = append(slices, "...")
		for i := printEdgeItems; i < 2*printEdgeItems; i++ {
			slices = append(slices, sub(i))
		}
	} else {
		for i := range shape[0] {
			slices = append(slices, sub(i))
		}
	}
	sep := "," + strings.Repeat("\n", len(shape)-1) + strings.Repeat(" ", indent+1)
	return "[" + strings.Join(slices, sep) + "]"
}

func vectorStr(data []string, width, orig, indent int, summarize bool) string {
	elemLen := width + 2
	perLine := max(1, (printLineWidth-indent)/elemLen)
	items := data
	if summarize && orig > 2*printEdgeItems {
		items = append(append(append([]string(nil), data[:printEdgeItems]...), " ..."), data[printEdgeItems:2*printEdgeItems]...)
	}
	var lines []string
	for i := 0; i < len(items); i += perLine {
		lines = append(lines, strings.Join(items[i:min(i+perLine, len(items))], ", "))
	}
	return "[" + strings.Join(lines, ",\n"+strings.Repeat(" ", indent+1)) + "]"
}

// torchGradFn maps dl's op names to the name PyTorch gives the backward
// node of the same op in the common case, so that a printed tensor reads
// as torch's ("tensor(2.3026, grad_fn=<NllLossBackward0>)"). Ops not
// listed print as name + "Backward0", torch's pattern.
var torchGradFn = map[string]string{
	"AddScalar": "AddBackward0", "MulScalar": "MulBackward0", "DivScalar": "DivBackward0",
	"Clamp": "ClampBackward1", "ReLU": "ReluBackward0", "LeakyReLU": "LeakyReluBackward0",
	"GELU": "GeluBackward0", "SiLU": "SiluBackward0", "ELU": "EluBackward0",
	"MatMul": "MmBackward0", "Reshape": "ViewBackward0", "Narrow": "SliceBackward0",
	"Squeeze": "SqueezeBackward1", "Contiguous": "CloneBackward0", "SetIndex": "CopySlices",
	"Linear": "AddmmBackward0", "Conv2d": "ConvolutionBackward0",
	"MaxPool2d": "MaxPool2DWithIndicesBackward0", "AvgPool2d": "AvgPool2DBackward0",
	"BatchNorm1d": "NativeBatchNormBackward0", "BatchNorm2d": "NativeBatchNormBackward0",
	"LayerNorm": "NativeLayerNormBackward0", "Dropout": "MulBackward0",
	"CrossEntropyLoss": "NllLossBackward0", "NLLLoss": "NllLossBackward0", "MSELoss": "MseLossBackward0",
	"L1Loss": "MeanBackward0", "BCELoss": "BinaryCrossEntropyBackward0",
	"BCEWithLogitsLoss": "BinaryCrossEntropyWithLogitsBackward0",
}

// gradFnName is the torch name of the op that made t.
func gradFnName(t *Tensor) string {
	name := t.node.name
	switch name {
	case "Sum", "Mean": // torch numbers the whole reduction 0, over dims 1
		if t.Dim() == 0 {
			return name + "Backward0"
		}
		return name + "Backward1"
	case "Max", "Min": // and the other way round for max and min
		if t.Dim() == 0 {
			return name + "Backward1"
		}
		return name + "Backward0"
	case "Index": // a whole view (x.Index(dl.All)), or a gather by index tensors
		if len(t.node.inputs) == 1 && sameStorage(t, t.node.inputs[0]) {
			return "AliasBackward0"
		}
		return "IndexBackward0"
	}
	if n, ok := torchGradFn[name]; ok {
		return n
	}
	return name + "Backward0"
}
