package engine

import (
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
)

// state is what rewriting a cell reads: the configuration for the current
// worker and the names its cells defined. It is never changed, only
// replaced (under e.mu), so completion reads it without locks.
type state struct {
	cfg  *rewrite.Config
	sess *rewrite.Session
}

// preloaded are the packages a notebook has without importing them; a
// cell that hides one with a name of its own is warned.
var preloaded = []string{"dl", "nn", "optim", "data", "display", "widgets"}

// newConfig is the rewriting configuration for a fresh worker: its
// importer reads the export data the worker was built with.
func (e *Engine) newConfig() *rewrite.Config {
	fset := token.NewFileSet()
	return RewriteConfig(fset, newExportImporter(fset, e.b), e.b.stdPackages(), e.sess)
}

// RewriteConfig is the configuration the engine rewrites cells with. imp
// finds the packages cells use (it must be safe for concurrent use; fset
// holds their positions); std lists the standard library's packages (as
// go list std does), which cells import by name; session names the
// cells' packages. Tests that check notebooks without running them use
// it too.
func RewriteConfig(fset *token.FileSet, imp types.ImporterFrom, std []string, session string) *rewrite.Config {
	return &rewrite.Config{
		Fset:        fset,
		Importer:    imp,
		AutoImports: autoImports(std),
		Preloaded:   preloaded,
		CellPath: func(seq int) string {
			return fmt.Sprintf("%s/cells/%s/c%d", buildModule, session, seq)
		},
	}
}

// current is the state for the next cell; nil until the setup is done.
func (e *Engine) current() *state { return e.state.Load() }

// compile rewrites a cell against the current worker's names, noting a
// worker that died since the last cell.
func (e *Engine) compile(code string, count int, out kernel.Output) (*rewrite.Result, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.proc != nil && !e.proc.alive() {
		e.noteDeath("after the previous cell", out)
	}
	e.seq++ // package paths are never reused, even across workers
	st := e.current()
	return rewrite.Rewrite(st.cfg, st.sess, code, e.seq, count)
}

// commit keeps the names a cell that ran defined. e.mu is held.
func (e *Engine) commit(res *rewrite.Result) {
	st := e.current()
	e.state.Store(&state{cfg: st.cfg, sess: st.sess.With(res)})
}

// forget starts the names over for a fresh worker; lost says whether the
// old names are remembered as lost (a death) or not (%reset). e.mu is
// held.
func (e *Engine) forget(lost bool) {
	sess := rewrite.NewSession()
	if st := e.current(); st != nil && lost {
		sess = st.sess.AfterDeath()
	}
	// A fresh importer: the worker may have been rebuilt, with new export
	// data.
	e.state.Store(&state{cfg: e.newConfig(), sess: sess})
}

// newExportImporter imports packages from the export data the go command
// listed for the build module.
func newExportImporter(fset *token.FileSet, b *builder) types.ImporterFrom {
	lookup := func(path string) (io.ReadCloser, error) {
		f, err := b.exportFile(path)
		if err != nil {
			return nil, err
		}
		return os.Open(f)
	}
	return rewrite.Locked(importer.ForCompiler(fset, "gc", lookup).(types.ImporterFrom))
}
