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
	res := &Result{Cell: r.cell, Source: r.src, Notes: r.plan.notes, Empty: r.empty}
	for _, name := range slices.Sorted(maps.Keys(r.plan.declares)) {
		if obj := pkg.Scope().Lookup(mangle(name)); obj != nil {
			res.Defines = append(res.Defines, &Sym{Name: name, Cell: r.cell, Obj: obj, FuncVar: r.plan.funcVars[name]})
		}
	}
	res.Main = r.mainSource(res.Defines, res.Empty)
	f, perr = parseCell(r.cfg.Fset, r.file+".main.go", res.Main)
	if perr != nil {
		return nil, append([]string{"internal error: the rewritten cell's main does not parse"}, perr...)
	}
	imp := cellImporter{cells: map[string]*Cell{r.cell.Path: r.cell}, base: r.imp}
	if errs := checkWith(imp, r.cfg.Fset, types.NewPackage(r.cell.Path+"/main", "main"), f, nil); len(errs) > 0 {
		return nil, append([]string{"internal error: the rewritten cell's main does not type-check"}, r.messages(errs)...)
	}
	return res, nil
}

// mainSource is the plugin's main package: the run function, and the
// function that lists the cell's variables for %whos and widgets.
func (r *cellRewrite) mainSource(defines []*Sym, empty bool) string {
	var vars []string
	for _, sym := range defines {
		if _, ok := sym.Obj.(*types.Var); ok && !sym.FuncVar {
			vars = append(vars, fmt.Sprintf("%q: &%s.%s", sym.Obj.Name(), r.cell.Alias, sym.Obj.Name()))
		}
	}
	imports := maps.Clone(r.runImports)
	imports[runtimeAlias+" "+strconv.Quote(RuntimePath)] = true
	// The cell's package is linked in even when unused: its init
	// functions set its function variables. An empty one is not built.
	switch {
	case r.ownUsed || len(vars) > 0:
		imports[r.cell.Alias+" "+strconv.Quote(r.cell.Path)] = true
	case !empty:
		imports["_ "+strconv.Quote(r.cell.Path)] = true
	}
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
