package engine

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
)

// stubEngine is an engine whose rewriting state is ready without a build:
// the packages cells import are small stand-ins type-checked from text.
// Enough for completion, not for running cells.
func stubEngine(t *testing.T) *Engine {
	fset := token.NewFileSet()
	stubs := map[string]string{
		"fmt":               "package fmt\nfunc Sprint(a ...any) string { return \"\" }\nfunc Println(a ...any) {}",
		"strings":           "package strings\nfunc ToUpper(s string) string { return s }",
		rewrite.RuntimePath: "package rt\nfunc SetResult(v any) {}\nfunc Check() {}",
		"godl/dl":           "package dl\ntype Tensor struct{}",
		rewrite.ModulesPath: "package nn\nimport \"godl/dl\"\ntype Module interface{ Forward(*dl.Tensor) *dl.Tensor }\nfunc Repr(m any) string { return \"\" }",
	}
	pkgs := map[string]*types.Package{}
	var imp importerFunc
	imp = func(path string) (*types.Package, error) {
		if p, ok := pkgs[path]; ok {
			return p, nil
		}
		src, ok := stubs[path]
		if !ok {
			return nil, fmt.Errorf("no package %q", path)
		}
		f, err := parser.ParseFile(fset, path+".go", src, 0)
		if err != nil {
			return nil, err
		}
		p, err := (&types.Config{Importer: imp}).Check(path, fset, []*ast.File{f}, nil)
		pkgs[path] = p
		return p, err
	}
	e := &Engine{done: make(chan struct{})}
	close(e.done)
	e.state.Store(&state{sess: rewrite.NewSession(), cfg: &rewrite.Config{
		Fset:        fset,
		Importer:    rewrite.Locked(imp),
		AutoImports: map[string]string{"fmt": "fmt", "strings": "strings", "dl": "godl/dl", "nn": rewrite.ModulesPath},
		CellPath:    func(seq int) string { return fmt.Sprintf("%s/cells/test/c%d", buildModule, seq) },
	}})
	return e
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
func (f importerFunc) ImportFrom(path, _ string, _ types.ImportMode) (*types.Package, error) {
	return f(path)
}

// Completion reads a snapshot of the names: it may run (on the control
// channel) while a cell defines names. Run with -race.
func TestCompleteWhileNamesChange(t *testing.T) {
	e := stubEngine(t)
	const n = 20
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			code := fmt.Sprintf("type t%d struct{ f%d int }\nv%d := t%d{f%d: %d}\nfmt.Sprint(v%d)", i, i, i, i, i, i, i)
			st := e.current()
			res, msgs := rewrite.Rewrite(st.cfg, st.sess, code, i+1, i+1)
			if msgs != nil {
				t.Errorf("cell %d: %q", i, msgs)
				return
			}
			e.mu.Lock()
			e.commit(res)
			e.mu.Unlock()
			time.Sleep(time.Millisecond) // completions come in between
		}
	}()
	for busy := true; busy; {
		select {
		case <-done:
			busy = false
		default:
		}
		e.Complete("v", 1)
		e.Complete("v0.f", 4)
		e.Complete("x := strings.ToU", 16)
		e.Complete("y := v0\ny.", 10)
		e.Inspect("v0", 1, 0)
		time.Sleep(100 * time.Microsecond) // let the cells go on a busy machine
	}
	got := e.Complete("v", 1).Matches
	for i := range n {
		if !slices.Contains(got, fmt.Sprintf("v%d", i)) {
			t.Fatalf("v%d not completed: %q", i, got)
		}
	}
	if got := e.Complete("y := v7\ny.", 10).Matches; !slices.Equal(got, []string{"f7"}) {
		t.Errorf("members of a cell's variable: %q", got)
	}
	if got := e.Complete("v3.", 3).Matches; !slices.Equal(got, []string{"f3"}) {
		t.Errorf("members of an earlier cell's variable: %q", got)
	}
}

// A model's generated String method (it prints the model as PyTorch
// does) is not offered: the user did not write it.
func TestCompleteHidesGeneratedString(t *testing.T) {
	e := stubEngine(t)
	st := e.current()
	res, msgs := rewrite.Rewrite(st.cfg, st.sess, "type Net struct{ w int }\nfunc (n *Net) Forward(x *dl.Tensor) *dl.Tensor { return x }\nfunc (n *Net) Train() {}\nnet := &Net{}", 1, 1)
	if msgs != nil {
		t.Fatal(msgs)
	}
	if !strings.Contains(res.Source, ") String() string") {
		t.Fatalf("no String method generated:\n%s", res.Source)
	}
	e.commit(res)
	if got := e.Complete("net.", 4).Matches; !slices.Equal(got, []string{"Forward", "Train", "w"}) {
		t.Errorf("members of a model: %q", got)
	}
	if got := e.Complete("x := *net\nx.", 12).Matches; !slices.Equal(got, []string{"Forward", "Train", "w"}) {
		t.Errorf("members of a model in the cell: %q", got)
	}
}

// The same through the real engine: cells that define names run while
// completion requests come in, as they do on the control channel.
func TestCompleteWhileCellsDefineNames(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "warm := 1")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			e.Complete("racy", 4)
			e.Complete("racy0.", 6)
			e.Inspect("racy0", 2, 0)
			time.Sleep(time.Millisecond)
		}
	}()
	for i := range 4 {
		r := e.Execute(context.Background(), kernel.ExecuteRequest{Code: fmt.Sprintf("type racyT%d struct{ n int }\nracy%d := racyT%d{%d}", i, i, i, i)}, &recorder{})
		if r.Error != nil {
			t.Errorf("cell %d: %+v", i, r.Error)
		}
	}
	close(stop)
	wg.Wait()
	if got := strings.Join(e.Complete("racy", 4).Matches, " "); !strings.Contains(got, "racy3") {
		t.Errorf("completions %q", got)
	}
}
