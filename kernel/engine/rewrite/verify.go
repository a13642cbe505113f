package rewrite

import (
	"fmt"
	"go/types"
	"maps"
	"slices"
	"strconv"
	"strings"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// verify parses and type-checks the final source, as the compiler will
// see it. Its package is what later cells are checked against; an error
// here is the rewriter's, not the user's.
func (r *cellRewrite) verify() (*Result, []string) {
	f, perr := parseCell(r.cfg.Fset, r.file+".go", r.src)
	if perr != nil {
		return nil, append([]string{"internal error: the rewritten cell does not parse"}, perr...)
	}
	pkg := types.NewPackage(r.cell.Path, r.file)
	if errs := r.check(pkg, f, newInfo()); len(errs) > 0 {
		return nil, append([]string{"internal error: the rewritten cell does not type-check"}, r.messages(errs)...)
	}
	r.cell.Pkg = pkg
	res := &Result{Cell: r.cell, Source: r.src, Notes: r.plan.notes}
	for _, name := range slices.Sorted(maps.Keys(r.plan.declares)) {
		if obj := pkg.Scope().Lookup(mangle(name)); obj != nil {
			res.Defines = append(res.Defines, &Sym{Name: name, Cell: r.cell, Obj: obj, FuncVar: r.plan.funcVars[name]})
		}
	}
	res.Main = r.mainSource(res.Defines)
	f, perr = parseCell(r.cfg.Fset, r.file+".main.go", res.Main)
	if perr != nil {
		return nil, append([]string{"internal error: the rewritten cell's main does not parse"}, perr...)
	}
	cells := maps.Clone(r.imp.cells)
	cells[r.cell.Path] = r.cell
	imp := cellImporter{cells: cells, base: r.imp.base}
	if errs := checkWith(imp, r.cfg.Fset, types.NewPackage(r.cell.Path+"/main", "main"), f, nil); len(errs) > 0 {
		return nil, append([]string{"internal error: the rewritten cell's main does not type-check"}, r.messages(errs)...)
	}
	return res, nil
}

// mainSource is the plugin's main package: the run function, and the
// function that lists the cell's variables for %whos and widgets.
func (r *cellRewrite) mainSource(defines []*Sym) string {
	var vars []string
	for _, sym := range defines {
		if _, ok := sym.Obj.(*types.Var); ok && !sym.FuncVar {
			vars = append(vars, fmt.Sprintf("%q: &%s.%s", sym.Obj.Name(), r.cell.Alias, sym.Obj.Name()))
		}
	}
	imports := maps.Clone(r.runImports)
	imports[runtimeAlias+" "+strconv.Quote(RuntimePath)] = true
	// The cell's package is always linked in: its init functions set its
	// function variables.
	self := "_"
	if r.ownUsed || len(vars) > 0 {
		self = r.cell.Alias
	}
	imports[self+" "+strconv.Quote(r.cell.Path)] = true
	var b strings.Builder
	b.WriteString(generatedHeader + "package main\n")
	b.WriteString("//line " + genFile + ":1\nimport (" + strings.Join(slices.Sorted(maps.Keys(imports)), "; ") + ")\n")
	b.WriteString("//line " + genFile + ":1\n" + r.runSrc + "\n")
	if len(vars) > 0 {
		fmt.Fprintf(&b, "\nfunc %s() map[string]any { return map[string]any{%s} }\n", wp.VarsSymbol, strings.Join(vars, ", "))
	}
	b.WriteString("\nvar _ = " + runtimeAlias + ".Check\n")
	return b.String()
}
