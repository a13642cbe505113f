package engine

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"sort"
	"strings"
)

// rtPath is the runtime helper package cells call; rtAlias its name there.
const (
	rtPath  = modulePath + "/kernel/engine/rt"
	rtAlias = "_godlrt"
	genFile = "godl-generated" // file name of generated lines in messages
)

// compiled is a cell turned into a Go package, ready to build.
type compiled struct {
	cell    *cellPkg
	src     string
	newSyms []*sym
	notes   []string // told to the user before the cell runs
}

// cellSource is the position-preserving text of a generated file: each
// piece of the cell is preceded by a //line directive naming its place in
// the cell, so go/types, the compiler and runtime traces all speak in cell
// lines.
type cellSource struct {
	b      strings.Builder
	file   string
	starts map[int]int // segment index → offset of its text in b
}

func (s *cellSource) gen(text string) {
	fmt.Fprintf(&s.b, "\n//line %s:1\n%s", genFile, text)
}

// piece writes code[start:end] at its own cell position.
func (s *cellSource) piece(code string, start, end int) int {
	line, col := lineCol(code, start)
	fmt.Fprintf(&s.b, "\n//line %s:%d:%d\n", s.file, line, col)
	off := s.b.Len()
	s.b.WriteString(code[start:end])
	return off
}

// inline writes code[start:end] after an inline /*line*/ directive, on the
// current line.
func (s *cellSource) inline(code string, start, end int) {
	line, col := lineCol(code, start)
	fmt.Fprintf(&s.b, "/*line %s:%d:%d*/%s", s.file, line, col, code[start:end])
}

func lineCol(code string, off int) (int, int) {
	line := 1 + strings.Count(code[:off], "\n")
	return line, off - strings.LastIndex(code[:off], "\n")
}

// errList collects type errors in cell order.
type errList []types.Error

func (e errList) sorted(fset *token.FileSet) errList {
	sort.SliceStable(e, func(i, j int) bool {
		a, b := fset.Position(e[i].Pos), fset.Position(e[j].Pos)
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return e
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

// parseCell parses generated text, reporting syntax errors in cell terms.
func parseCell(fset *token.FileSet, name, src string) (*ast.File, []string) {
	// Object resolution stays on: File.Unresolved finds auto-imports.
	f, err := parser.ParseFile(fset, name, src, 0)
	if err == nil {
		return f, nil
	}
	var msgs []string
	if el, ok := err.(scanner.ErrorList); ok {
		for _, e := range el {
			msgs = append(msgs, e.Pos.String()+": "+e.Msg)
		}
	} else {
		msgs = append(msgs, err.Error())
	}
	return nil, msgs
}

// embeddedName is the field name an embedded type gives: T, *T, T[X], p.T.
func embeddedName(t ast.Expr) string {
	switch t := t.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.IndexExpr:
		return embeddedName(t.X)
	case *ast.IndexListExpr:
		return embeddedName(t.X)
	}
	return ""
}
