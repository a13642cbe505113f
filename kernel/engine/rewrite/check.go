package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"strconv"
	"strings"
)

// checkAsWritten type-checks the cell as written, with earlier cells'
// names standing in as proxies (except those the cell declares anew).
// Composite-literal keys that are struct fields are known only after a
// check (they are exported like every field); when the check finds new
// ones the cell is checked again with them exported.
func (r *cellRewrite) checkAsWritten() []string {
	r.declared = declaredNames(r.fA)
	// A package the cell imports wins over an earlier cell's name (a
	// variable data that hides package data, say).
	for _, n := range r.userImportNames() {
		r.declared[n] = true
	}
	if msgs := r.methodsOnEarlierTypes(); msgs != nil {
		return msgs
	}
	r.keys = map[string]bool{}
	r.mentioned = mentionedSyms(r.fA, r.sess)
	for try := 0; try < 2; try++ {
		if try == 1 {
			r.fA, _ = parseCell(r.cfg.Fset, r.file+".a.go", r.srcA)
		}
		syntaxMangle(r.cfg.Fset, r.fA, r.keys)
		r.pkgA = types.NewPackage(r.cell.Path, r.file)
		for name, s := range r.mentioned {
			if !r.declared[name] {
				r.pkgA.Scope().Insert(s.proxy(r.pkgA))
			}
		}
		r.infoA = newInfo()
		r.errsA = r.check(r.pkgA, r.fA, r.infoA)
		n := len(r.keys)
		if structKeys(r.cfg.Fset, r.fA, r.infoA, r.keys); len(r.keys) == n {
			break
		}
	}
	return nil
}

// mentionedSyms are the earlier cells' names that f spells as
// identifiers: only they need proxies. A long session holds thousands of
// names and a cell uses a few; a proxy for each would make every cell's
// checks slower as the session grows.
func mentionedSyms(f *ast.File, sess *Session) map[string]*Sym {
	syms := map[string]*Sym{}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if s := sess.syms[id.Name]; s != nil {
				syms[id.Name] = s
			}
		}
		return true
	})
	return syms
}

// asWrittenErrors are the errors of the as-written check that are the
// user's already: those in statements. Errors in declarations may come
// from variables that the emitted package makes package-level; the emit
// stage's check reports them.
func (r *cellRewrite) asWrittenErrors() errList {
	var real errList
	for _, e := range r.errsA {
		if strings.Contains(e.Msg, "declared and not used") || unusedImport(e.Msg) || !e.Pos.IsValid() {
			continue
		}
		i := r.segOf(r.fileOff(e.Pos))
		if i == len(r.segs)-1 && strings.HasSuffix(e.Msg, "is not used") {
			continue // the cell's value: the plan shows it
		}
		if i >= 0 && (r.segs[i].kind == segStmt || r.segs[i].kind == segVar) {
			real = append(real, e)
		}
	}
	return real
}

// userImportNames are the names the user's imports declare.
func (r *cellRewrite) userImportNames() []string {
	var names []string
	for _, is := range r.fA.Imports {
		if strings.HasPrefix(r.cfg.Fset.Position(is.Pos()).Filename, genFile) {
			continue
		}
		if is.Name != nil {
			names = append(names, is.Name.Name)
			continue
		}
		p, _ := strconv.Unquote(is.Path.Value)
		if pkg, err := r.imp.Import(p); err == nil {
			names = append(names, pkg.Name())
		} else {
			names = append(names, path.Base(p))
		}
	}
	return names
}

// declaredNames lists the names a file declares at package level (plain
// functions, types, consts, vars).
func declaredNames(f *ast.File) map[string]bool {
	declared := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name != "init" && d.Name.Name != "_" {
				declared[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					declared[sp.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						declared[n.Name] = true
					}
				}
			}
		}
	}
	return declared
}

// methodsOnEarlierTypes refuses methods on an earlier cell's type (another
// package), before go/types meets a method on a stand-in type.
func (r *cellRewrite) methodsOnEarlierTypes() []string {
	for _, d := range r.fA.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
			continue
		}
		if base := embeddedName(fd.Recv.List[0].Type); base != "" && !r.declared[base] && r.sess.syms[base] != nil {
			return r.messages(errList{{Fset: r.cfg.Fset, Pos: fd.Recv.List[0].Type.Pos(), Msg: fmt.Sprintf(
				"cannot define new methods on %s: it was declared in an earlier cell, and each cell is a package of its own (declare methods in the cell that declares the type)", base)}})
		}
	}
	return nil
}

func newInfo() *types.Info {
	return &types.Info{
		Types:     map[ast.Expr]types.TypeAndValue{},
		Defs:      map[*ast.Ident]types.Object{},
		Uses:      map[*ast.Ident]types.Object{},
		Implicits: map[ast.Node]types.Object{},
	}
}

// fileOff is the offset of pos in its generated file (ignoring //line).
func (r *cellRewrite) fileOff(pos token.Pos) int { return r.cfg.Fset.File(pos).Offset(pos) }

// check type-checks f as package pkg; it returns the errors.
func (r *cellRewrite) check(pkg *types.Package, f *ast.File, info *types.Info) errList {
	return checkWith(r.imp, r.cfg.Fset, pkg, f, info)
}

// checkWith type-checks f as pkg, importing through imp, recording in
// info (which may be nil).
func checkWith(imp types.ImporterFrom, fset *token.FileSet, pkg *types.Package, f *ast.File, info *types.Info) errList {
	var errs errList
	conf := types.Config{Importer: imp, Error: func(err error) {
		if te, ok := err.(types.Error); ok {
			errs = append(errs, te)
		} else {
			errs = append(errs, types.Error{Msg: err.Error()})
		}
	}}
	types.NewChecker(&conf, fset, pkg, info).Files([]*ast.File{f})
	return errs
}

func unusedImport(msg string) bool {
	return strings.Contains(msg, "imported") && strings.HasSuffix(msg, "not used")
}

// Checked is a cell type-checked as written.
type Checked struct {
	File *ast.File
	Info *types.Info
	// FileName is the file name that positions of the cell's own text
	// carry.
	FileName string
}

// CheckAsWritten runs the first stages on code and returns the checked
// file, errors or not: completion and inspection learn from it the types
// of what a cell being typed names. It returns nil when code does not
// parse.
func CheckAsWritten(cfg *Config, sess *Session, code string) *Checked {
	r := newCellRewrite(cfg, sess, code, 0, 0)
	if r.segs = splitCell(code); len(r.segs) == 0 {
		return nil
	}
	if r.parse() != nil || r.checkAsWritten() != nil {
		return nil
	}
	return &Checked{File: r.fA, Info: r.infoA, FileName: r.file}
}

// syntaxMangle exports, in the AST, the names that become fields and
// methods: selectors, struct fields, method and interface-method names.
// Package-level names are renamed after type-checking instead, since only
// go/types knows which identifiers refer to them. keys lists the cell
// positions of composite-literal keys found to be struct fields.
//
// A field embedded by a lowercase type of this cell is named after the
// type, which is renamed only after checking; selectors of such names wait
// for the rename too.
func syntaxMangle(fset *token.FileSet, f *ast.File, keys map[string]bool) {
	embedded := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if st, ok := n.(*ast.StructType); ok {
			for _, fl := range st.Fields.List {
				if len(fl.Names) == 0 {
					if id := embeddedName(fl.Type); id != "" && !token.IsExported(id) {
						embedded[id] = true
					}
				}
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if !embedded[n.Sel.Name] {
				n.Sel.Name = mangle(n.Sel.Name)
			}
		case *ast.StructType:
			for _, fl := range n.Fields.List {
				for _, id := range fl.Names {
					id.Name = mangle(id.Name)
				}
			}
		case *ast.InterfaceType:
			for _, fl := range n.Methods.List {
				for _, id := range fl.Names {
					id.Name = mangle(id.Name)
				}
			}
		case *ast.FuncDecl:
			if n.Recv != nil {
				n.Name.Name = mangle(n.Name.Name)
			}
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && keys[fset.Position(id.Pos()).String()] {
				id.Name = mangle(id.Name)
			}
		}
		return true
	})
}

// structKeys finds composite-literal keys that name fields of structs whose
// fields were exported by mangling (known only after type-checking).
func structKeys(fset *token.FileSet, f *ast.File, info *types.Info, keys map[string]bool) {
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		tv, ok := info.Types[lit]
		if !ok || tv.Type == nil {
			return true
		}
		st, ok := tv.Type.Underlying().(*types.Struct)
		if !ok {
			if p, ok := tv.Type.Underlying().(*types.Pointer); ok {
				st, _ = p.Elem().Underlying().(*types.Struct)
			}
		}
		if st == nil {
			return true
		}
		for _, el := range lit.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			id, ok := kv.Key.(*ast.Ident)
			if !ok || token.IsExported(id.Name) {
				continue
			}
			for i := 0; i < st.NumFields(); i++ {
				if st.Field(i).Name() == mangle(id.Name) {
					keys[fset.Position(id.Pos()).String()] = true
				}
			}
		}
		return true
	})
}
