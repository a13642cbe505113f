package engine

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoGenericMethodsInLibraries: the packages linked into the worker's
// shared libraries declare no method on a generic type. A cell that uses
// such a type's instantiation re-emits its type descriptor, whose method
// table the Go linker cannot point into a shared library, and the cell
// fails to link ("cannot target DYNIMPORT sym"); see shared.go.
func TestNoGenericMethodsInLibraries(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	var found []string
	for _, dir := range []string{"dl", "display", "widgets", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Recv == nil {
					continue
				}
				typ := fn.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				switch typ.(type) {
				case *ast.IndexExpr, *ast.IndexListExpr:
					found = append(found, fset.Position(fn.Pos()).String()+": "+fn.Name.Name)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(found) > 0 {
		t.Errorf("methods on generic types in the worker's libraries:\n%s", strings.Join(found, "\n"))
	}
}
