package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

// A model a cell declares (type Net struct{...} with a Forward method)
// prints as PyTorch prints it, Net(\n  (conv1): Conv2d(...) ...), not as
// Go's &{0xc000...}: the rewriter gives it a String method calling
// nn.Repr, as nn's own layers have. Go calls only the String methods a
// type declares, so the cell's package must declare it; completion does
// not offer it (Config.Generated).

// ModulesPath is the package whose Module interface makes a struct a
// model, and whose Repr prints it.
const ModulesPath = "github.com/godl-dev/godl/dl/nn"

// reprMethod is a String method to generate for a cell's type.
type reprMethod struct {
	typ     string // the type's name, as the user spelled it
	pointer bool   // on *T (Forward is on *T), else on T
}

// planReprs finds the cell's struct types that are modules (Forward(x
// *dl.Tensor) *dl.Tensor on T or *T, their own or promoted) and have no
// String of their own (a method or a field: a promoted one is an embedded
// part's, not the model's).
func (r *cellRewrite) planReprs(p *plan) {
	for _, d := range r.fA.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, sp := range gd.Specs {
			ts := sp.(*ast.TypeSpec)
			if ts.TypeParams != nil || ts.Assign.IsValid() {
				continue // generic, or an alias
			}
			obj, _ := r.infoA.Defs[ts.Name].(*types.TypeName)
			if obj == nil {
				continue
			}
			t := obj.Type()
			if _, isStruct := t.Underlying().(*types.Struct); !isStruct {
				continue
			}
			ptr := types.NewPointer(t)
			if own, index, _ := types.LookupFieldOrMethod(ptr, false, obj.Pkg(), "String"); own != nil && len(index) == 1 {
				continue
			}
			if fwd, _, _ := types.LookupFieldOrMethod(ptr, false, obj.Pkg(), "Forward"); fwd == nil {
				continue
			}
			if p.modules == nil && !r.loadModules(p) {
				return
			}
			module := p.modules.Scope().Lookup("Module").Type().Underlying().(*types.Interface)
			switch {
			case types.Implements(t, module):
				p.reprs = append(p.reprs, reprMethod{typ: ts.Name.Name})
			case types.Implements(ptr, module):
				p.reprs = append(p.reprs, reprMethod{typ: ts.Name.Name, pointer: true})
			}
		}
	}
}

// loadModules imports the modules package; false if it cannot be had or
// is not the package expected.
func (r *cellRewrite) loadModules(p *plan) bool {
	pkg, err := r.imp.Import(ModulesPath)
	if err != nil {
		return false
	}
	m, ok := pkg.Scope().Lookup("Module").(*types.TypeName)
	if !ok || !types.IsInterface(m.Type()) {
		return false
	}
	if _, ok := pkg.Scope().Lookup("Repr").(*types.Func); !ok {
		return false
	}
	p.modules = pkg
	return true
}

// writeReprs writes the planned String methods. A value receiver passes
// its copy's address, so that ExtraRepr methods on *T are found.
func (em *emitter) writeReprs() {
	for _, m := range em.r.plan.reprs {
		nn := em.qualifier(em.r.plan.modules)
		if m.pointer {
			em.body.gen(fmt.Sprintf("func (_m *%s) String() string { return %s.Repr(_m) }", m.typ, nn))
		} else {
			em.body.gen(fmt.Sprintf("func (_m %s) String() string { return %s.Repr(&_m) }", m.typ, nn))
		}
	}
}

// Generated reports whether the rewriter declared obj, not the user (a
// model's String method): completion leaves it out.
func (c *Config) Generated(obj types.Object) bool {
	return obj.Pos().IsValid() && c.Fset.Position(obj.Pos()).Filename == genFile
}
