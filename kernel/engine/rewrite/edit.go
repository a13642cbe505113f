package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// editor collects text edits on a generated file. Edits never add lines,
// so the //line directives stay true; only columns after an edit move.
type editor struct {
	src   string
	fset  *token.FileSet
	edits []textEdit
	// rtUses are package-name identifiers replaced by the runtime's.
	rtUses map[*ast.Ident]bool
}

type textEdit struct {
	off, n int // replace src[off:off+n]
	text   string
}

func (e *editor) off(p token.Pos) int { return e.fset.File(p).Offset(p) }

func (e *editor) replace(off, n int, text string) {
	e.edits = append(e.edits, textEdit{off, n, text})
}

func (e *editor) apply() string {
	// Insertions go before a replacement at the same offset.
	sort.SliceStable(e.edits, func(i, j int) bool {
		a, b := e.edits[i], e.edits[j]
		if a.off != b.off {
			return a.off < b.off
		}
		return a.n == 0 && b.n != 0
	})
	var b strings.Builder
	at := 0
	for _, ed := range e.edits {
		if ed.off < at {
			continue // overlapping edits cannot happen; be safe
		}
		b.WriteString(e.src[at:ed.off])
		b.WriteString(ed.text)
		at = ed.off + ed.n
	}
	b.WriteString(e.src[at:])
	return b.String()
}

// identAt is the identifier written at off.
func (e *editor) identAt(off int) string {
	end := off
	for end < len(e.src) {
		r, n := utf8.DecodeRuneInString(e.src[end:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		end += n
	}
	return e.src[off:end]
}

// rtNames are the functions cells get from the runtime instead: standard
// input goes through the front end, and a sleep ends on interrupt.
var rtNames = map[string]bool{
	"fmt.Scan": true, "fmt.Scanln": true, "fmt.Scanf": true, "os.Stdin": true,
	"github.com/janpfeifer/gonb/gonbui.RequestInput": true,
	"time.Sleep": true,
}

// rename makes the text say what the compiler must see: package-level
// names exported, earlier cells' names qualified, stdin and sleeps routed
// through the runtime. It returns the uses of earlier cells' names.
func (e *editor) rename(f *ast.File, info *types.Info, pkg *types.Package, proxies map[types.Object]*Sym) map[*ast.Ident]*Cell {
	used := map[*ast.Ident]*Cell{}
	fix := func(id *ast.Ident, obj types.Object) {
		if obj == nil {
			return
		}
		if s, ok := proxies[obj]; ok {
			id.Name = s.ref()
			used[id] = s.Cell
			return
		}
		if v, ok := obj.(*types.Var); ok && v.IsField() && v.Embedded() && obj.Pkg() == pkg {
			id.Name = mangle(id.Name) // a field embedded by a type of this cell
			return
		}
		if obj.Pkg() != pkg || obj.Parent() != pkg.Scope() || id.Name == "_" {
			return
		}
		if _, ok := obj.(*types.Func); ok && (id.Name == "init" || id.Name == wp.RunSymbol) {
			return
		}
		id.Name = mangle(id.Name)
	}
	for id, obj := range info.Defs {
		fix(id, obj)
	}
	for id, obj := range info.Uses {
		fix(id, obj)
	}
	e.routeToRuntime(f, info)
	e.editRenamed(f)
	e.tagFields(f)
	return used
}

// routeToRuntime makes calls of rtNames call the runtime's instead.
func (e *editor) routeToRuntime(f *ast.File, info *types.Info) {
	e.rtUses = map[*ast.Ident]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		se, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := se.X.(*ast.Ident)
		if !ok {
			return true
		}
		if pn, ok := info.Uses[x].(*types.PkgName); ok && rtNames[pn.Imported().Path()+"."+se.Sel.Name] {
			x.Name = runtimeAlias
			e.rtUses[x] = true
		}
		return true
	})
}

// editRenamed edits every identifier whose spelling changed in the AST.
func (e *editor) editRenamed(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || !id.Pos().IsValid() {
			return true
		}
		off := e.off(id.Pos())
		if orig := e.identAt(off); orig != id.Name {
			e.replace(off, len(orig), id.Name)
		}
		return true
	})
}

// tagFields gives fields exported by mangling the user's name for nn's
// parameter names (nn.NamedParameters, state dicts) in an nn:"name" tag.
// Only named struct types get tags: an anonymous struct type must stay
// identical to its spelling elsewhere (a generated variable's type).
func (e *editor) tagFields(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return true
		}
		for _, fl := range st.Fields.List {
			if len(fl.Names) != 1 || !strings.HasPrefix(fl.Names[0].Name, manglePrefix) {
				continue
			}
			orig := strings.TrimPrefix(fl.Names[0].Name, manglePrefix)
			if e.identAt(e.off(fl.Names[0].Pos())) != orig {
				continue // the user spelled it so
			}
			tag := fmt.Sprintf("nn:%q", orig)
			if fl.Tag == nil {
				e.replace(e.off(fl.Type.End()), 0, " `"+tag+"`")
			} else if v, err := strconv.Unquote(fl.Tag.Value); err == nil && !strings.Contains(v, "nn:") {
				end := e.off(fl.Tag.End()) - 1
				if fl.Tag.Value[0] == '`' {
					e.replace(end, 0, " "+tag)
				} else {
					q := strconv.Quote(" " + tag)
					e.replace(end, 0, q[1:len(q)-1])
				}
			}
		}
		return true
	})
}

// instrument puts an interrupt check at the top of every loop body, and
// an output sync after every statement that calls gonbui itself (display
// syncs on its own), so what the cell prints next comes after the
// display.
func (e *editor) instrument(f *ast.File, info *types.Info) {
	ast.Inspect(f, func(n ast.Node) bool {
		var body *ast.BlockStmt
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.ForStmt:
			body = n.Body
		case *ast.RangeStmt:
			body = n.Body
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		}
		if body != nil {
			e.replace(e.off(body.Lbrace)+1, 0, " "+runtimeAlias+".Check();")
		}
		for _, st := range list {
			if e.callsGonbui(st, info) {
				e.replace(e.off(st.End()), 0, "; "+runtimeAlias+".SyncOutput()")
			}
		}
		return true
	})
}

// gonbuiPath is the package (and the prefix of the subpackages) of gonbui.
const gonbuiPath = "github.com/janpfeifer/gonb/gonbui"

// callsGonbui reports whether st is a call of a gonbui function (not one
// the runtime took over).
func (e *editor) callsGonbui(st ast.Stmt, info *types.Info) bool {
	es, ok := st.(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	var id *ast.Ident
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && e.rtUses[x] {
			return false
		}
		id = fn.Sel
	case *ast.Ident:
		id = fn
	default:
		return false
	}
	obj, ok := info.Uses[id].(*types.Func)
	if !ok || obj.Pkg() == nil {
		return false
	}
	p := obj.Pkg().Path()
	return p == gonbuiPath || strings.HasPrefix(p, gonbuiPath+"/")
}

// qualifyOwn names the cell's own package-level names in the run
// function through the cell's package, which the run function's package
// (the plugin's main) imports as alias; earlier cells' names (renamed
// already) are left alone. It reports whether there were any.
func (e *editor) qualifyOwn(run *ast.FuncDecl, info *types.Info, pkg *types.Package, alias string, earlier map[*ast.Ident]*Cell) bool {
	found := false
	ast.Inspect(run.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || earlier[id] != nil {
			return true
		}
		if obj := info.Uses[id]; obj != nil && obj.Pkg() == pkg && obj.Parent() == pkg.Scope() {
			e.replace(e.off(id.Pos()), 0, alias+".")
			found = true
		}
		return true
	})
	return found
}

// runImports are the import specs ("name \"path\"") the run function's
// own uses need in the package it moves to.
func (e *editor) runImports(f *ast.File, run *ast.FuncDecl, info *types.Info) map[string]bool {
	specs := map[string]bool{}
	dotted := map[*types.Package]string{} // dot-imported packages → path
	for _, is := range f.Imports {
		if is.Name != nil && is.Name.Name == "." {
			if pn, ok := info.Defs[is.Name].(*types.PkgName); ok {
				dotted[pn.Imported()] = pn.Imported().Path()
			}
		}
	}
	sels := map[*ast.Ident]bool{}
	ast.Inspect(run.Body, func(n ast.Node) bool {
		if se, ok := n.(*ast.SelectorExpr); ok {
			sels[se.Sel] = true
		}
		return true
	})
	ast.Inspect(run.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || e.rtUses[id] {
			return true
		}
		switch obj := info.Uses[id].(type) {
		case nil:
		case *types.PkgName:
			specs[obj.Name()+" "+strconv.Quote(obj.Imported().Path())] = true
		default:
			if p, ok := dotted[obj.Pkg()]; ok && !sels[id] {
				specs[". "+strconv.Quote(p)] = true
			}
		}
		return true
	})
	return specs
}

// imports reports which import paths are still used outside the run
// function (which moves to a package of its own), and blanks the user's
// imports that are not (Go would refuse them; a notebook should not).
func (e *editor) imports(f *ast.File, info *types.Info, inRun func(token.Pos) bool) map[string]bool {
	uses := map[*types.PkgName]int{}
	for id, obj := range info.Uses {
		if pn, ok := obj.(*types.PkgName); ok && !e.rtUses[id] && !inRun(id.Pos()) {
			uses[pn]++
		}
	}
	used := map[string]bool{}
	for _, is := range f.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		var pn *types.PkgName
		if is.Name != nil {
			pn, _ = info.Defs[is.Name].(*types.PkgName)
		} else {
			pn, _ = info.Implicits[is].(*types.PkgName)
		}
		if pn == nil || uses[pn] > 0 {
			used[p] = true
			continue
		}
		if strings.HasPrefix(e.fset.Position(is.Pos()).Filename, genFile) {
			continue // generated imports are rewritten whole
		}
		if is.Name != nil {
			e.replace(e.off(is.Name.Pos()), len(is.Name.Name), "_")
		} else {
			e.replace(e.off(is.Path.Pos()), 0, "_ ")
		}
	}
	return used
}
