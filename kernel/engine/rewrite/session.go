package rewrite

import (
	"go/token"
	"go/types"
	"maps"
	"sort"
)

// Config is what rewriting needs from its surroundings. It is shared by
// every cell of a kernel and never changed.
type Config struct {
	Fset *token.FileSet
	// Importer finds the packages cells import (not the cells
	// themselves). It must be safe for concurrent use: completion
	// type-checks while a cell is rewritten.
	Importer types.ImporterFrom
	// AutoImports maps a package name to the path a cell gets when it
	// uses the name without declaring or importing it.
	AutoImports map[string]string
	// Preloaded are the package names a notebook user thinks of as always
	// there (dl, nn, ...): a cell that hides one with a name of its own is
	// warned.
	Preloaded []string
	// CellPath is the import path of the package of cell seq.
	CellPath func(seq int) string
}

// Cell is one rewritten cell's package.
type Cell struct {
	Seq   int
	Path  string
	Alias string // the import name later cells use
	Pkg   *types.Package
	Count int // the execution count shown to the user
}

// Sym is a name an earlier cell declared, as later cells see it.
type Sym struct {
	Name    string // the user's spelling
	Cell    *Cell
	Obj     types.Object // the real (exported) object in Cell.Pkg
	FuncVar bool         // a plain function, kept as a variable so it can be redefined
}

// ref is how generated code names the symbol.
func (s *Sym) ref() string { return s.Cell.Alias + "." + s.Obj.Name() }

// proxy makes an object in pkg with the user's spelling that stands for s,
// so a cell type-checks as the user wrote it; the rewriter then replaces
// each use by s.ref().
func (s *Sym) proxy(pkg *types.Package) types.Object {
	switch o := s.Obj.(type) {
	case *types.Var:
		return types.NewVar(token.NoPos, pkg, s.Name, o.Type())
	case *types.Func:
		return types.NewFunc(token.NoPos, pkg, s.Name, o.Type().(*types.Signature))
	case *types.TypeName:
		return types.NewTypeName(token.NoPos, pkg, s.Name, o.Type())
	case *types.Const:
		return types.NewConst(token.NoPos, pkg, s.Name, o.Type(), o.Val())
	}
	return nil
}

// Session is what the cells run so far in one worker defined: an
// immutable snapshot. Rewriting reads one; running a cell makes the next
// (With). Completion and inspection read the latest without locks.
type Session struct {
	syms  map[string]*Sym
	cells map[string]*Cell // by package path
	lost  map[string]bool  // names that died with an earlier worker
}

// NewSession is the state of a fresh worker.
func NewSession() *Session {
	return &Session{syms: map[string]*Sym{}, cells: map[string]*Cell{}, lost: map[string]bool{}}
}

// Lookup finds a name an earlier cell defined.
func (s *Session) Lookup(name string) *Sym { return s.syms[name] }

// Names lists the names earlier cells defined, sorted.
func (s *Session) Names() []string {
	names := make([]string, 0, len(s.syms))
	for n := range s.syms {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lost reports whether name was defined before the worker restarted.
func (s *Session) Lost(name string) bool { return s.lost[name] }

// With is the session after cell r ran: its names replace earlier ones.
func (s *Session) With(r *Result) *Session {
	next := &Session{syms: maps.Clone(s.syms), cells: maps.Clone(s.cells), lost: maps.Clone(s.lost)}
	next.cells[r.Cell.Path] = r.Cell
	for _, sym := range r.Defines {
		next.syms[sym.Name] = sym
		delete(next.lost, sym.Name)
	}
	return next
}

// AfterDeath is the session of a fresh worker that replaced a dead one:
// no names, but those defined before stay explained as lost until a cell
// defines them again.
func (s *Session) AfterDeath() *Session {
	next := NewSession()
	maps.Copy(next.lost, s.lost)
	for n := range s.syms {
		next.lost[n] = true
	}
	return next
}

// cellByPath finds a cell's package by its import path.
func (s *Session) cellByPath(p string) *Cell { return s.cells[p] }

// cellImporter imports earlier cells from the session and everything else
// through the configured importer.
type cellImporter struct {
	cells map[string]*Cell
	base  types.ImporterFrom
}

func (im cellImporter) Import(path string) (*types.Package, error) {
	return im.ImportFrom(path, "", 0)
}

func (im cellImporter) ImportFrom(path, dir string, mode types.ImportMode) (*types.Package, error) {
	if c, ok := im.cells[path]; ok {
		return c.Pkg, nil
	}
	return im.base.ImportFrom(path, dir, mode)
}
