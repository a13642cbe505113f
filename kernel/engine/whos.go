package engine

import (
	"context"
	"fmt"
	"go/types"
	"html"
	"strconv"
	"strings"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// %whos lists the variables the cells defined, as IPython's %whos does:
// name, type and a short description; for tensors their shape, dtype,
// whether they track gradients, their NaN and Inf count and size; for
// modules their parameter counts. The types come from the rewriter's
// records, the values from the worker (through each cell plugin's
// VarsSymbol), so nothing is compiled.

// whosRow is one variable as %whos shows it.
type whosRow struct {
	name, typ string
	info      wp.VarInfo
}

func (e *Engine) whos(ctx context.Context, out kernel.Output) kernel.ExecuteResult {
	if err := e.ready(ctx); err != nil {
		return kernel.ExecuteResult{Error: err}
	}
	sess := e.current().sess
	var rows []whosRow
	var refs []wp.VarRef
	for _, name := range sess.Names() {
		sym := sess.Lookup(name)
		v, ok := sym.Obj.(*types.Var)
		if !ok || sym.FuncVar {
			continue
		}
		rows = append(rows, whosRow{name: name, typ: typeName(v.Type())})
		refs = append(refs, wp.VarRef{Name: name, Cell: sym.Cell.Seq, Symbol: sym.Obj.Name()})
	}
	if len(rows) == 0 {
		out.Stream("stdout", "Interactive namespace is empty.\n")
		return kernel.ExecuteResult{}
	}
	e.mu.Lock()
	p := e.proc
	e.mu.Unlock()
	if p != nil && p.alive() {
		o := e.exchange(ctx, p, wp.Request{Op: wp.OpVars, ID: -3, Vars: refs}, nil, out)
		if o.fate == answered && len(o.reply.Vars) == len(rows) {
			for i := range rows {
				rows[i].info = o.reply.Vars[i]
			}
		}
	}
	out.Display(kernel.DisplayData{Data: kernel.MIMEBundle{"text/plain": whosText(rows), "text/html": whosHTML(rows)}})
	return kernel.ExecuteResult{}
}

// typeName spells a type as a cell would: package names, not paths, and
// the user's names for types the cells declared.
func typeName(t types.Type) string {
	return rewrite.Unmangle(types.TypeString(t, func(p *types.Package) string { return p.Name() }))
}

// details describes a row's value in one line.
func (r whosRow) details() string {
	i := r.info
	switch {
	case i.Missing:
		return "(not in this worker)"
	case i.Kind == "tensor":
		dims := make([]string, len(i.Shape))
		n := 1
		for k, d := range i.Shape {
			dims[k], n = strconv.Itoa(d), n*d
		}
		grad := "no grad"
		if i.RequiresGrad {
			grad = "requires grad"
		}
		return fmt.Sprintf("shape [%s] (%s: %d elems), %s, %s, NaN/Inf %d/%d, %s",
			strings.Join(dims, ", "), strings.Join(dims, "x"), n, i.DType, grad, i.NaN, i.Inf, byteSize(i.Bytes))
	case i.Kind == "module":
		return fmt.Sprintf("%s parameters (%s trainable), %s", thousands(int(i.Params)), thousands(int(i.Trainable)), byteSize(i.Bytes))
	}
	return i.Info
}

// byteSize is a size as PyTorch users read them: B, KiB, MiB, GiB.
func byteSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/1024, "KiB"
	for _, u := range []string{"MiB", "GiB", "TiB"} {
		if v < 1024 {
			break
		}
		v, unit = v/1024, u
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}

// whosText is IPython's %whos table: Variable, Type, Data/Info.
func whosText(rows []whosRow) string {
	wn, wt := len("Variable"), len("Type")
	for _, r := range rows {
		wn, wt = max(wn, len([]rune(r.name))), max(wt, len([]rune(r.typ)))
	}
	var b strings.Builder
	header := fmt.Sprintf("%-*s   %-*s   %s", wn, "Variable", wt, "Type", "Data/Info")
	b.WriteString(header + "\n" + strings.Repeat("-", len(header)+8) + "\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s   %-*s   %s\n", wn, r.name, wt, r.typ, r.details())
	}
	return b.String()
}

// whosHTML is the table with a column per tensor property.
func whosHTML(rows []whosRow) string {
	var b strings.Builder
	b.WriteString(`<table class="godl-whos"><thead><tr><th>Variable</th><th>Type</th><th>Shape</th><th>Dtype</th>` +
		`<th>Grad</th><th>NaN/Inf</th><th>Size</th><th>Data/Info</th></tr></thead><tbody>`)
	cell := func(s string) { b.WriteString("<td>" + html.EscapeString(s) + "</td>") }
	for _, r := range rows {
		b.WriteString("<tr>")
		cell(r.name)
		b.WriteString("<td><code>" + html.EscapeString(r.typ) + "</code></td>")
		i := r.info
		switch i.Kind {
		case "tensor":
			dims := make([]string, len(i.Shape))
			for k, d := range i.Shape {
				dims[k] = strconv.Itoa(d)
			}
			grad := ""
			if i.RequiresGrad {
				grad = "✓"
			}
			cell("[" + strings.Join(dims, ", ") + "]")
			cell(i.DType)
			cell(grad)
			cell(fmt.Sprintf("%d/%d", i.NaN, i.Inf))
			cell(byteSize(i.Bytes))
			cell("")
		case "module":
			cell("")
			cell("")
			cell("")
			cell("")
			cell(byteSize(i.Bytes))
			cell(fmt.Sprintf("%s parameters (%s trainable)", thousands(int(i.Params)), thousands(int(i.Trainable))))
		default:
			for range 5 {
				cell("")
			}
			cell(r.details())
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}
