package rewrite

import (
	"go/types"
	"maps"
	"slices"
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
	return res, nil
}
