package display

import (
	"fmt"
	"html"
	"reflect"
	"strconv"
	"strings"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
)

// Summary shows a torchinfo-like table of model: every layer with its
// type, output shape, parameter count and whether it trains, and the
// totals. With inputShape, a zero input of that shape is run through the
// model (under dl.NoGrad, in eval mode) to learn the output shapes:
//
//	display.Summary(model, 1, 784)
//
// Every module is put back in the mode it was in.
func Summary(model any, inputShape ...int) { Publish(SummaryBundle(model, inputShape...)) }

// SummaryBundle is Summary without showing it.
func SummaryBundle(model any, inputShape ...int) (data, metadata map[string]any) {
	s := summarize(model, inputShape)
	return map[string]any{MIMEText: s.text(), MIMEHTML: s.html()}, map[string]any{}
}

type summaryRow struct {
	name, typ string
	depth     int
	module    nn.Module
	out       []int // nil: not seen in the forward pass
	params    int   // held by this module itself, not by its children
	trainable int
}

type modelSummary struct {
	rows             []summaryRow
	in, out          []int
	total, trainable int
	ranForward       bool
	rootName         string
}

func summarize(model any, inputShape []int) *modelSummary {
	s := &modelSummary{rootName: typeName(model)}
	mods := nn.NamedModules(model)
	for _, m := range mods {
		s.rows = append(s.rows, summaryRow{name: m.Name, typ: typeName(m.Module), module: m.Module})
	}
	for i := range s.rows {
		for j := range s.rows {
			if i != j && isAncestor(s.rows[j].name, s.rows[i].name) {
				s.rows[i].depth++
			}
		}
	}
	s.countParams(model)
	if len(inputShape) > 0 {
		if m, ok := model.(nn.Module); ok {
			s.forward(m, inputShape)
		}
	}
	return s
}

// isAncestor reports whether the module named a contains the one named b.
func isAncestor(a, b string) bool {
	return a == "" && b != "" || strings.HasPrefix(b, a+".")
}

// countParams gives each parameter to the module that holds it directly:
// the one under which its name is shortest (fewest dots).
func (s *modelSummary) countParams(model any) {
	type owner struct{ row, dots int }
	owners := map[*dl.Tensor]owner{}
	var order []*dl.Tensor
	for i, r := range s.rows {
		for _, p := range nn.NamedParameters(r.module) {
			d := strings.Count(p.Name, ".")
			o, seen := owners[p.Param]
			if !seen {
				order = append(order, p.Param)
			}
			if !seen || d < o.dots {
				owners[p.Param] = owner{i, d}
			}
		}
	}
	for _, p := range order {
		o := owners[p]
		n := p.Numel()
		s.rows[o.row].params += n
		if p.TracksGrad() {
			s.rows[o.row].trainable += n
		}
	}
	// The totals come from the model itself, so parameters outside any
	// module (a bare tensor field of a plain struct) still count.
	for _, p := range nn.NamedParameters(model) {
		s.total += p.Param.Numel()
		if p.Param.TracksGrad() {
			s.trainable += p.Param.Numel()
		}
	}
}

func (s *modelSummary) forward(m nn.Module, inputShape []int) {
	s.in = append([]int(nil), inputShape...)
	x := dl.Zeros(inputShape...)
	// Hook calls come in execution order; each goes to the first row of
	// that module not yet filled. Matching by order, not only by identity,
	// keeps zero-size layers (many *ReLU may share one address) apart.
	hook := func(mod nn.Module, _, out *dl.Tensor) {
		for i := range s.rows {
			r := &s.rows[i]
			if r.out == nil && sameModule(r.module, mod) {
				r.out = out.Shape()
				return
			}
		}
	}
	var out *dl.Tensor
	// Eval mode so the look moves no BatchNorm statistics; WithEval puts
	// every module back in the mode it was in.
	nn.WithEval(m, func() {
		dl.NoGrad(func() {
			nn.WithForwardHook(hook, func() { out = m.Forward(x) })
		})
	})
	s.ranForward = true
	if out != nil {
		s.out = out.Shape()
		if len(s.rows) > 0 && s.rows[0].out == nil {
			s.rows[0].out = s.out
		}
	}
}

func sameModule(a, b nn.Module) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && a == b
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "nil"
	}
	if t.Name() != "" {
		return t.Name()
	}
	return t.String()
}

// groupDigits writes n with thousands separators: 203530 -> "203,530".
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// cells returns a row's columns as text.
func (s *modelSummary) cells(r summaryRow) []string {
	name := r.name
	if name == "" {
		name = "(" + s.rootName + ")"
	}
	out := "--"
	if r.out != nil {
		out = shapeString(r.out)
	}
	params, train := "--", "--"
	if r.params > 0 {
		params = groupDigits(r.params)
		switch r.trainable {
		case r.params:
			train = "True"
		case 0:
			train = "False"
		default:
			train = "Partial"
		}
	}
	return []string{name, r.typ, out, params, train}
}

var summaryHeader = []string{"Layer", "Type", "Output shape", "Params", "Trainable"}

func (s *modelSummary) totals() []string {
	lines := []string{
		"Total params: " + groupDigits(s.total),
		"Trainable params: " + groupDigits(s.trainable),
		"Non-trainable params: " + groupDigits(s.total-s.trainable),
		fmt.Sprintf("Params size (MB): %.2f", float64(s.total)*4/1e6),
	}
	if s.ranForward {
		lines = append(lines, "Input shape: "+shapeString(s.in), "Output shape: "+shapeString(s.out))
	}
	return lines
}

func (s *modelSummary) text() string {
	rows := [][]string{summaryHeader}
	for _, r := range s.rows {
		c := s.cells(r)
		c[0] = strings.Repeat("  ", r.depth) + c[0]
		rows = append(rows, c)
	}
	widths := make([]int, len(summaryHeader))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	total := len(widths) - 1
	for _, w := range widths {
		total += w + 1
	}
	rule := strings.Repeat("=", total)
	var b strings.Builder
	b.WriteString(rule + "\n")
	for i, row := range rows {
		for j, c := range row {
			pad := strings.Repeat(" ", widths[j]-len([]rune(c)))
			if j >= 3 { // numbers and flags line up on the right
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			if j < len(row)-1 {
				b.WriteString("  ")
			}
		}
		b.WriteString("\n")
		if i == 0 {
			b.WriteString(strings.Repeat("-", total) + "\n")
		}
	}
	b.WriteString(rule + "\n")
	for _, l := range s.totals() {
		b.WriteString(l + "\n")
	}
	b.WriteString(rule)
	return b.String()
}

func (s *modelSummary) html() string {
	var b strings.Builder
	b.WriteString(`<table class="dataframe godl-summary" border="1">`)
	fmt.Fprintf(&b, `<caption>%s</caption><thead><tr style="text-align: right;">`, html.EscapeString(s.rootName))
	for _, h := range summaryHeader {
		fmt.Fprintf(&b, `<th>%s</th>`, h)
	}
	b.WriteString(`</tr></thead><tbody>`)
	for _, r := range s.rows {
		c := s.cells(r)
		fmt.Fprintf(&b, `<tr><td style="text-align: left; padding-left: %.1fem;">%s</td>`, 0.5+1.2*float64(r.depth), html.EscapeString(c[0]))
		for _, x := range c[1:] {
			fmt.Fprintf(&b, `<td>%s</td>`, html.EscapeString(x))
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody><tfoot>`)
	for _, l := range s.totals() {
		fmt.Fprintf(&b, `<tr><td colspan="%d" style="text-align: left;">%s</td></tr>`, len(summaryHeader), html.EscapeString(l))
	}
	b.WriteString(`</tfoot></table>`)
	return b.String()
}
