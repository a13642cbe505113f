// Package rewrite turns a notebook cell into the source of a Go package of
// its own, given what earlier cells defined. It is pure: no processes, no
// files; the caller builds and runs what it returns.
//
// A cell mixes declarations and statements; names it defines live on in
// later cells, which are other packages. Rewrite goes in stages, each a
// file of this package:
//
//   - parse (parse.go): cut the cell into top-level pieces and write it
//     as a Go file "as written": imports, declarations, and the
//     statements inside the run function; add the imports of the
//     packages it uses without importing them.
//   - check as written (check.go): type-check that file with earlier
//     cells' names standing in (proxies). Errors in statements are the
//     user's; completion stops here (CheckAsWritten).
//   - plan (plan.go): decide what becomes a package variable (top-level
//     := and var), which functions become variables (so a later cell can
//     redefine them), and whether the last expression is the cell's value.
//   - emit (emit.go): write the package as planned, type-check it, export
//     every package-level name (mangle), point uses of earlier cells' names
//     into their packages, put interrupt checks in loops, and write the
//     import block last, from the imports the text really uses.
//   - verify (verify.go): parse and type-check the final text; its package
//     is what later cells are checked against. The run function goes to
//     the plugin's main package (Result.Main), checked too.
//
// Every piece of the user's text is preceded by a //line directive naming
// its place in the cell, so errors, compiler messages and runtime traces
// all speak in cell lines; edits never add lines. Names are un-mangled in
// everything the user sees (Unmangle).
package rewrite

import (
	"fmt"
	"go/ast"
	"go/types"
)

// Result is a rewritten cell, ready to build.
type Result struct {
	Cell   *Cell
	Source string // the package's Go source: the cell's declarations
	// Main is the source of the plugin's main package: the run function
	// (the cell's statements) and the function that lists the cell's
	// variables. The statements live apart from the declarations so that
	// a cell's package imports only what its declarations use: a later
	// cell that reads a variable imports that cell's package, not every
	// cell whose variables its statements read (a notebook's cells would
	// otherwise form a chain, and each cell's export data, which lists
	// every package below it, would grow with the session).
	Main string
	// Empty says that the cell's package declares nothing: it is not
	// built, and Main does not import it.
	Empty   bool
	Defines []*Sym // names the cell defines for later cells
	Notes   []string
}

// cellRewrite is one cell going through the stages; each stage fills in
// its part.
type cellRewrite struct {
	cfg  *Config
	sess *Session
	code string
	cell *Cell
	file string // the cell's file name in positions
	segs []segment
	imp  cellImporter

	// parse
	srcA    string
	startsA map[int]int // segment → offset of its text in srcA
	fA      *ast.File
	// check as written
	declared  map[string]bool // names the cell declares at package level
	mentioned map[string]*Sym // earlier cells' names the cell spells
	keys      map[string]bool // composite-literal keys that are struct fields
	pkgA      *types.Package
	infoA     *types.Info
	errsA     errList
	// plan
	plan *plan
	// emit
	src        string          // the cell's package
	runSrc     string          // the run function, for the plugin's main
	runImports map[string]bool // import specs the run function needs
	ownUsed    bool            // the run function uses the cell's own names
	empty      bool            // the cell's package declares nothing
}

func newCellRewrite(cfg *Config, sess *Session, code string, seq, count int) *cellRewrite {
	path := cfg.CellPath(seq)
	return &cellRewrite{
		cfg: cfg, sess: sess, code: code,
		cell: &Cell{Seq: seq, Path: path, Alias: fmt.Sprintf("_c%d", seq), Count: count},
		file: fileName(seq),
		imp:  cellImporter{cells: sess.cells, base: cfg.Importer},
	}
}

// Rewrite turns the code of cell seq (shown as execution count) into its
// package. It returns the messages, in cell terms, when the cell is wrong,
// and a nil result without messages for a cell with no code.
func Rewrite(cfg *Config, sess *Session, code string, seq, count int) (*Result, []string) {
	r := newCellRewrite(cfg, sess, code, seq, count)
	if r.segs = splitCell(code); len(r.segs) == 0 {
		return nil, nil
	}
	if msgs := r.parse(); msgs != nil {
		return nil, msgs
	}
	if msgs := r.checkAsWritten(); msgs != nil {
		return nil, msgs
	}
	if errs := r.asWrittenErrors(); len(errs) > 0 {
		return nil, r.messages(errs)
	}
	r.plan = r.makePlan()
	if msgs := r.emit(); msgs != nil {
		return nil, msgs
	}
	return r.verify()
}
