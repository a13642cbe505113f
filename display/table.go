package display

import (
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"

	"github.com/godl-dev/godl/dl"
)

// Table shows v as a table, HTML with an aligned-text fallback:
//
//   - a *dl.Tensor: as TensorBundle (shape caption, elided middle);
//   - [][]string or [][]any: rows, the first of which is the header;
//   - [][]float64 or [][]float32: rows of numbers, columns numbered;
//   - a map with string keys: two columns, key and value, sorted by key.
func Table(v any) { Publish(TableBundle(v)) }

// TableBundle is Table without showing it.
func TableBundle(v any) (data, metadata map[string]any) {
	var header []string
	var rows [][]string
	switch x := v.(type) {
	case *dl.Tensor:
		return tensorBundle(x)
	case [][]string:
		if len(x) > 0 {
			header, rows = x[0], x[1:]
		}
	case [][]any:
		for i, r := range x {
			cells := make([]string, len(r))
			for j, c := range r {
				cells[j] = fmt.Sprint(c)
			}
			if i == 0 {
				header = cells
			} else {
				rows = append(rows, cells)
			}
		}
	case [][]float64:
		header, rows = numberRows(x)
	case [][]float32:
		f := make([][]float64, len(x))
		for i, r := range x {
			f[i] = mustFloats(r)
		}
		header, rows = numberRows(f)
	default:
		m, ok := anyMap(v)
		if !ok {
			panic(fmt.Errorf("display: Table wants a tensor, rows ([][]string, [][]any, [][]float64) or a map, got %T", v))
		}
		header = []string{"key", "value"}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			rows = append(rows, []string{k, fmt.Sprint(m[k])})
		}
	}
	return map[string]any{
		MIMEText: textTable(header, rows),
		MIMEHTML: htmlTable(header, rows),
	}, map[string]any{}
}

// numberRows formats numbers with %.4g, under column numbers.
func numberRows(x [][]float64) (header []string, rows [][]string) {
	n := 0
	for _, r := range x {
		n = max(n, len(r))
	}
	for j := range n {
		header = append(header, fmt.Sprint(j))
	}
	for _, r := range x {
		cells := make([]string, len(r))
		for j, f := range r {
			cells[j] = fmt.Sprintf("%.4g", f)
		}
		rows = append(rows, cells)
	}
	return header, rows
}

func htmlTable(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString(`<table class="dataframe" border="1">`)
	if len(header) > 0 {
		b.WriteString(`<thead><tr style="text-align: right;">`)
		for _, h := range header {
			fmt.Fprintf(&b, `<th>%s</th>`, html.EscapeString(h))
		}
		b.WriteString(`</tr></thead>`)
	}
	b.WriteString(`<tbody>`)
	for _, r := range rows {
		b.WriteString(`<tr>`)
		for _, c := range r {
			fmt.Fprintf(&b, `<td>%s</td>`, html.EscapeString(c))
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table>`)
	return b.String()
}

// textTable aligns columns with two spaces between them.
func textTable(header []string, rows [][]string) string {
	all := rows
	if len(header) > 0 {
		all = append([][]string{header}, rows...)
	}
	var widths []int
	for _, r := range all {
		for j, c := range r {
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], len([]rune(c)))
		}
	}
	var b strings.Builder
	for i, r := range all {
		for j, c := range r {
			b.WriteString(c)
			if j < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-len([]rune(c))+2))
			}
		}
		if i < len(all)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
