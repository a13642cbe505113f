package rewrite

import (
	"go/ast"
	"path"
	"sort"
	"strconv"
	"strings"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// parse writes the cell as written (imports, declarations, statements in
// the run function) and parses it, with the imports the cell needs but
// does not write.
func (r *cellRewrite) parse() []string {
	if msgs := r.parseAsWritten(nil); msgs != nil {
		return msgs
	}
	if autos := r.autoImports(); len(autos) > 0 {
		return r.parseAsWritten(autos)
	}
	return nil
}

func (r *cellRewrite) parseAsWritten(autos []string) []string {
	s := newCellSource(r.file)
	s.b.WriteString("package " + r.file + "\n")
	s.gen("import (" + strings.Join(autos, "; ") + ")")
	r.writeSegments(s, segImport)
	r.writeSegments(s, segDecl, segFunc)
	s.gen("func " + wp.RunSymbol + "() {")
	r.writeSegments(s, segStmt, segVar)
	s.gen("}\n")
	r.srcA, r.startsA = s.b.String(), s.starts
	f, errs := parseCell(r.cfg.Fset, r.file+".a.go", r.srcA)
	if errs != nil {
		return r.plainMessages(errs)
	}
	r.fA = f
	return nil
}

// writeSegments writes the cell's segments of the given kinds, in order.
func (r *cellRewrite) writeSegments(s *cellSource, kinds ...segKind) {
	for i, sg := range r.segs {
		for _, k := range kinds {
			if sg.kind == k {
				s.starts[i] = s.piece(r.code, sg.start, sg.end)
			}
		}
	}
}

// segOf is the segment whose text holds offset off of the as-written
// file, or -1.
func (r *cellRewrite) segOf(off int) int {
	best := -1
	for i, sg := range r.segs {
		if st, ok := r.startsA[i]; ok && st <= off && off <= st+sg.end-sg.start {
			best = i
		}
	}
	return best
}

// autoImports lists import specs for package names the as-written file
// uses without declaring or importing them.
func (r *cellRewrite) autoImports() []string {
	unresolved := map[*ast.Ident]bool{}
	for _, id := range r.fA.Unresolved {
		unresolved[id] = true
	}
	imported := map[string]bool{}
	for _, is := range r.fA.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		if is.Name != nil {
			imported[is.Name.Name] = true
			continue
		}
		imported[path.Base(p)] = true
		for n, ap := range r.cfg.AutoImports {
			if ap == p {
				imported[n] = true
			}
		}
	}
	want := map[string]bool{}
	ast.Inspect(r.fA, func(n ast.Node) bool {
		se, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := se.X.(*ast.Ident); ok && unresolved[id] && !imported[id.Name] && r.sess.syms[id.Name] == nil {
			if _, ok := r.cfg.AutoImports[id.Name]; ok {
				want[id.Name] = true
			}
		}
		return true
	})
	var specs []string
	for n := range want {
		specs = append(specs, n+" "+strconv.Quote(r.cfg.AutoImports[n]))
	}
	sort.Strings(specs)
	return specs
}
