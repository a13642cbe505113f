package rewrite

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

// cellSource is the position-preserving text of a generated file: each
// piece of the cell is preceded by a //line directive naming its place in
// the cell, so go/types, the compiler and runtime traces all speak in cell
// lines.
type cellSource struct {
	b      strings.Builder
	file   string
	starts map[int]int // segment index → offset of its text in b
}

func newCellSource(file string) *cellSource {
	return &cellSource{file: file, starts: map[int]int{}}
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
