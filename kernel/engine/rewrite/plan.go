package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// plan is what the emitted package will be, decided from the as-written
// check.
type plan struct {
	run   *ast.FuncDecl         // the as-written run function
	funcs map[int]*ast.FuncDecl // segment → its plain function declaration
	// vars are the top-level variables that need a package variable of
	// their own; the others assign an earlier cell's variable of the same
	// type (its readers see the new value).
	vars []define
	// toAssign: segment → offsets (in the segment) of the := to turn
	// into =, the variables being package-level.
	toAssign map[int][]int
	varSpecs map[int][]*ast.ValueSpec // segment → its var specs
	// funcVars are the plain functions, kept as variables so a later cell
	// can redefine them; reused are those whose earlier variable (same
	// signature) is assigned instead of declared anew.
	funcVars, reused map[string]bool
	// declares are the names the emitted package declares.
	declares map[string]bool
	shown    bool // the last statement is an expression: the cell's value
	notes    []string
}

// define is a variable a top-level statement declares.
type define struct {
	name string
	typ  types.Type
}

func (r *cellRewrite) makePlan() *plan {
	p := &plan{funcs: map[int]*ast.FuncDecl{}, toAssign: map[int][]int{}, varSpecs: map[int][]*ast.ValueSpec{},
		funcVars: map[string]bool{}, reused: map[string]bool{}, declares: map[string]bool{}}
	r.findFuncs(p)
	defines := r.planDefinitions(p)
	for n := range r.declared {
		p.declares[n] = true
	}
	for _, d := range defines {
		if old, ok := r.sess.syms[d.name]; ok && !old.FuncVar {
			if v, ok := old.Obj.(*types.Var); ok && types.Identical(v.Type(), d.typ) {
				continue
			}
		}
		p.vars = append(p.vars, d)
		p.declares[d.name] = true
	}
	r.planFuncVars(p)
	p.notes = append(r.redefinedTypeNotes(), r.shadowNotes(p, defines)...)
	return p
}

// findFuncs finds the run function and the plain functions of the
// as-written file.
func (r *cellRewrite) findFuncs(p *plan) {
	for _, d := range r.fA.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		if fd.Name.Name == wp.RunSymbol && fd.Recv == nil && r.cfg.Fset.Position(fd.Pos()).Filename == genFile {
			p.run = fd
		} else if i := r.segOf(r.fileOff(fd.Pos())); i >= 0 && r.segs[i].kind == segFunc {
			p.funcs[i] = fd
		}
	}
}

// planDefinitions finds the variables top-level statements declare (:=
// and var) and whether the last statement is the cell's value.
func (r *cellRewrite) planDefinitions(p *plan) []define {
	var defines []define
	seen := map[string]bool{}
	add := func(id *ast.Ident) {
		obj := r.infoA.Defs[id]
		if obj == nil || id.Name == "_" || seen[id.Name] {
			return
		}
		seen[id.Name] = true
		defines = append(defines, define{id.Name, obj.Type()})
	}
	var last ast.Stmt
	lastSeg := -1
	for _, st := range p.run.Body.List {
		i := r.segOf(r.fileOff(st.Pos()))
		if i < 0 {
			continue
		}
		last, lastSeg = st, i
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok != token.DEFINE {
				continue
			}
			for _, l := range st.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					add(id)
				}
			}
			p.toAssign[i] = append(p.toAssign[i], r.fileOff(st.TokPos)-r.startsA[i])
		case *ast.DeclStmt:
			gd, ok := st.Decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for _, n := range vs.Names {
					add(n)
				}
				p.varSpecs[i] = append(p.varSpecs[i], vs)
			}
		}
	}
	if es, ok := last.(*ast.ExprStmt); ok && lastSeg == len(r.segs)-1 {
		if tv, ok := r.infoA.Types[es.X]; ok && tv.IsValue() && tv.Type != nil {
			_, tuple := tv.Type.(*types.Tuple)
			p.shown = !tuple
		}
	}
	return defines
}

// planFuncVars makes plain functions variables (generic ones, init and _
// stay functions), reusing an earlier cell's variable of the same
// signature so that its callers see the new body.
func (r *cellRewrite) planFuncVars(p *plan) {
	for _, fd := range p.funcs {
		name := fd.Name.Name
		if fd.Type.TypeParams != nil || name == "init" || name == "_" || r.infoA.Defs[fd.Name] == nil {
			continue
		}
		p.funcVars[name] = true
		sig := r.infoA.Defs[fd.Name].Type()
		if old, ok := r.sess.syms[name]; ok && old.FuncVar && types.Identical(old.Obj.Type(), sig) {
			p.reused[name] = true
			delete(p.declares, name)
		}
	}
}

// redefinedTypeNotes tell that values of a redefined type keep the old
// one.
func (r *cellRewrite) redefinedTypeNotes() []string {
	var notes []string
	for _, d := range r.fA.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, sp := range gd.Specs {
			name := sp.(*ast.TypeSpec).Name.Name
			if old, ok := r.sess.syms[name]; ok {
				if _, isType := old.Obj.(*types.TypeName); isType {
					notes = append(notes, fmt.Sprintf("note: type %s is redefined; values made before keep the old type %s, so they do not mix with the new one\n", name, name))
				}
			}
		}
	}
	return notes
}

// shadowNotes warn about names that hide a preloaded package (a variable
// data hides package data for the rest of the session).
func (r *cellRewrite) shadowNotes(p *plan, defines []define) []string {
	var notes []string
	note := func(name, what string) {
		if r.preloaded(name) {
			notes = append(notes, fmt.Sprintf("warning: %s now names %s, hiding the %s package in this cell and later ones (a cell that needs the package can import %q)\n",
				name, what, name, r.cfg.AutoImports[name]))
		}
	}
	for _, d := range defines {
		note(d.name, "a variable of type "+types.TypeString(d.typ, r.userQualifier))
	}
	for n := range r.declared {
		if obj := r.pkgA.Scope().Lookup(n); obj != nil {
			note(n, describeObject(obj, r.userQualifier))
		}
	}
	slices.Sort(notes)
	return notes
}

// describeObject says what a declared name is: "a function", "a type", ...
func describeObject(obj types.Object, q types.Qualifier) string {
	switch obj.(type) {
	case *types.Func:
		return "a function"
	case *types.TypeName:
		return "a type"
	case *types.Const:
		return "a constant"
	}
	return "a variable of type " + types.TypeString(obj.Type(), q)
}

// userQualifier names packages as the user does: by their name; the
// cell's own and earlier cells' types unqualified.
func (r *cellRewrite) userQualifier(p *types.Package) string {
	if p == r.pkgA || r.sess.cellByPath(p.Path()) != nil {
		return ""
	}
	return p.Name()
}
