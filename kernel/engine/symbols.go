package engine

import (
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"regexp"
	"strings"
)

// manglePrefix turns a name the user did not export into an exported one,
// so a later cell (another package) can reach it. It is an upper-case
// letter nobody types, which lets errors, traces and output be un-mangled.
const manglePrefix = "Ǝ"

// funcPrefix names the function behind a redefinable function variable.
const funcPrefix = "godlfn_"

func mangle(name string) string {
	if name == "_" || token.IsExported(name) {
		return name
	}
	return manglePrefix + name
}

var cellQualifier = regexp.MustCompile(`(` + buildModule + `/cells/[a-z0-9]+/c[0-9]+\.)|\bcell[0-9]+\.`)

// unmangle rewrites generated spellings in a message back to the user's.
func unmangle(s string) string {
	s = cellQualifier.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, funcPrefix, "")
	return strings.ReplaceAll(s, manglePrefix, "")
}

// cellPkg is one executed cell's package.
type cellPkg struct {
	seq   int
	path  string
	alias string // import name used by later cells
	pkg   *types.Package
	count int // execution count shown to the user
}

// sym is a name an earlier cell declared, as later cells see it.
type sym struct {
	name    string // the user's spelling
	cell    *cellPkg
	obj     types.Object // the real (exported) object in cell.pkg
	funcVar bool         // a plain function, kept as a variable so it can be redefined
}

// ref is how generated code names the symbol.
func (s *sym) ref() string { return s.cell.alias + "." + s.obj.Name() }

// proxy makes an object in pkg with the user's spelling that stands for s,
// so a cell type-checks as the user wrote it; the rewriter then replaces
// each use by s.ref().
func (s *sym) proxy(pkg *types.Package) types.Object {
	switch o := s.obj.(type) {
	case *types.Var:
		return types.NewVar(token.NoPos, pkg, s.name, o.Type())
	case *types.Func:
		return types.NewFunc(token.NoPos, pkg, s.name, o.Type().(*types.Signature))
	case *types.TypeName:
		return types.NewTypeName(token.NoPos, pkg, s.name, o.Type())
	case *types.Const:
		return types.NewConst(token.NoPos, pkg, s.name, o.Type(), o.Val())
	}
	return nil
}

// cellImporter imports earlier cells from memory and everything else from
// the export data the go command listed for the build module.
type cellImporter struct {
	gc    types.ImporterFrom
	cells map[string]*types.Package
}

func newImporter(fset *token.FileSet, b *builder) *cellImporter {
	lookup := func(path string) (io.ReadCloser, error) {
		f, err := b.exportFile(path)
		if err != nil {
			return nil, err
		}
		return os.Open(f)
	}
	return &cellImporter{
		gc:    importer.ForCompiler(fset, "gc", lookup).(types.ImporterFrom),
		cells: map[string]*types.Package{},
	}
}

func (im *cellImporter) Import(path string) (*types.Package, error) {
	return im.ImportFrom(path, "", 0)
}

func (im *cellImporter) ImportFrom(path, dir string, mode types.ImportMode) (*types.Package, error) {
	if p, ok := im.cells[path]; ok {
		return p, nil
	}
	return im.gc.ImportFrom(path, dir, mode)
}
