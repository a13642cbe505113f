package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/godl-dev/godl/internal/golden"
)

// The golden files are notebook sessions: testdata/NAME.txtar holds cells
// in order, each followed by what rewriting it gives.
//
//	-- cell --       the code of a cell
//	-- out --        the generated Go source (the cell's package, then its
//	                 plugin's main package), after "// NOTE" lines for
//	                 what the user is told before the cell runs; or the
//	                 cell's errors, one "// ERROR" line each (a message's
//	                 further lines follow as "//" lines)
//	-- restart --    the worker died: earlier names are lost
//
// A cell that rewrites is taken to have run: later cells see its names.
// go test -run Golden -update rewrites the out sections.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) { runGolden(t, file) })
	}
}

func runGolden(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ar := parseTxtar(data)
	cfg := testConfig()
	sess := NewSession()
	seq := 0
	changed := false
	for i := 0; i < len(ar.files); i++ {
		f := ar.files[i]
		switch f.name {
		case "restart":
			sess = sess.AfterDeath()
			continue
		case "cell":
		default:
			t.Fatalf("section %d: %q where a cell or a restart was expected", i, f.name)
		}
		seq++
		res, msgs := Rewrite(cfg, sess, strings.TrimSuffix(f.data, "\n"), seq, seq)
		got := render(res, msgs)
		if res != nil {
			sess = sess.With(res)
		}
		if i+1 >= len(ar.files) || ar.files[i+1].name != "out" {
			if !golden.Update() {
				t.Errorf("cell %d has no out section; got:\n%s", seq, got)
				continue
			}
			ar.files = append(ar.files[:i+1], append([]txtarFile{{name: "out"}}, ar.files[i+1:]...)...)
		}
		i++
		if want := ar.files[i].data; got != want {
			if golden.Update() {
				ar.files[i].data, changed = got, true
				continue
			}
			t.Errorf("cell %d:\n%s\ngot:\n%s\nwant:\n%s\ndiff at: %s", seq, f.data, got, want, firstDiff(got, want))
		}
	}
	if changed {
		if err := os.WriteFile(file, ar.format(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// render is what a golden file shows of a rewrite.
func render(res *Result, msgs []string) string {
	var b strings.Builder
	for _, m := range msgs {
		lines := strings.Split(m, "\n")
		b.WriteString("// ERROR " + lines[0] + "\n")
		for _, l := range lines[1:] {
			b.WriteString("//" + strings.TrimRight(" "+l, " ") + "\n")
		}
	}
	if res == nil {
		if msgs == nil {
			b.WriteString("// (no code)\n")
		}
		return b.String()
	}
	for _, n := range res.Notes {
		b.WriteString("// NOTE " + strings.TrimSuffix(n, "\n") + "\n")
	}
	b.WriteString(res.Source)
	if res.Empty {
		b.WriteString("// (empty: not built)\n")
	}
	b.WriteString("// ---- the plugin's main package ----\n")
	b.WriteString(strings.TrimPrefix(res.Main, generatedHeader))
	return b.String()
}

func firstDiff(a, b string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("byte %d: %q vs %q", i, a[max(0, i-20):min(len(a), i+20)], b[max(0, i-20):min(len(b), i+20)])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}

// txtar is the archive format of Go's own tests: a comment, then files
// each headed by a "-- name --" line.
type txtar struct {
	comment string
	files   []txtarFile
}

type txtarFile struct{ name, data string }

func parseTxtar(data []byte) *txtar {
	ar := &txtar{}
	var cur *txtarFile
	var b strings.Builder
	flush := func() {
		if cur == nil {
			ar.comment = b.String()
		} else {
			cur.data = b.String()
			ar.files = append(ar.files, *cur)
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			flush()
			cur = &txtarFile{name: strings.TrimSpace(trimmed[3 : len(trimmed)-3])}
			continue
		}
		b.WriteString(line)
	}
	flush()
	return ar
}

func (ar *txtar) format() []byte {
	var b bytes.Buffer
	b.WriteString(ar.comment)
	for _, f := range ar.files {
		fmt.Fprintf(&b, "-- %s --\n", f.name)
		b.WriteString(f.data)
		if f.data != "" && !strings.HasSuffix(f.data, "\n") {
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

func TestTxtarRoundTrip(t *testing.T) {
	in := "comment\n-- cell --\nx := 1\n-- out --\n// ERROR a\n-- restart --\n"
	if got := string(parseTxtar([]byte(in)).format()); got != in {
		t.Errorf("round trip: %q", got)
	}
}

// testConfig is the configuration of the golden tests: the standard
// library from source, the cells' runtime and the packages it uses from
// this checkout, and small stand-ins (testdata/stubs) for the packages a
// notebook has preloaded.
func testConfig() *Config {
	imp := sharedTestImporter()
	return &Config{
		Fset:     imp.fset,
		Importer: imp,
		AutoImports: map[string]string{
			"fmt": "fmt", "strings": "strings", "os": "os", "time": "time", "math": "math", "rand": "math/rand",
			"iter": "iter", "runtime": "runtime", "errors": "errors", "log": "log",
			"dl": "github.com/godl-dev/godl/dl", "nn": "github.com/godl-dev/godl/dl/nn",
			"data": "github.com/godl-dev/godl/dl/data", "display": "github.com/godl-dev/godl/display",
			"gonbui": "github.com/janpfeifer/gonb/gonbui",
		},
		Preloaded: []string{"dl", "nn", "optim", "data", "display", "widgets"},
		CellPath:  func(seq int) string { return fmt.Sprintf("godlcells/cells/test/c%d", seq) },
	}
}

// localDirs are the packages type-checked from a directory: this
// checkout's, and the stand-ins.
var localDirs = map[string]string{
	RuntimePath: "../rt",
	"github.com/godl-dev/godl/kernel/engine/workerproto": "../workerproto",
	"github.com/godl-dev/godl/internal/interrupt":        "../../../internal/interrupt",
	"github.com/godl-dev/godl/dl":                        "testdata/stubs/dl",
	"github.com/godl-dev/godl/dl/nn":                     "testdata/stubs/nn",
	"github.com/godl-dev/godl/dl/data":                   "testdata/stubs/data",
	"github.com/godl-dev/godl/display":                   "testdata/stubs/display",
	"github.com/janpfeifer/gonb/gonbui":                  "testdata/stubs/gonbui",
}

// testImporter imports localDirs from their directories and the standard
// library from source, once each; it is safe for concurrent use.
type testImporter struct {
	mu   sync.Mutex
	fset *token.FileSet
	std  types.ImporterFrom
	pkgs map[string]*types.Package
}

var (
	testImporterOnce sync.Once
	testImp          *testImporter
)

func sharedTestImporter() *testImporter {
	testImporterOnce.Do(func() {
		fset := token.NewFileSet()
		testImp = &testImporter{fset: fset, std: importer.ForCompiler(fset, "source", nil).(types.ImporterFrom), pkgs: map[string]*types.Package{}}
	})
	return testImp
}

func (im *testImporter) Import(path string) (*types.Package, error) {
	return im.ImportFrom(path, "", 0)
}

func (im *testImporter) ImportFrom(path, dir string, mode types.ImportMode) (*types.Package, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.load(path)
}

// load imports path; im.mu is held.
func (im *testImporter) load(path string) (*types.Package, error) {
	if p, ok := im.pkgs[path]; ok {
		return p, nil
	}
	d, ok := localDirs[path]
	if !ok {
		return im.std.ImportFrom(path, "", 0)
	}
	files, err := filepath.Glob(filepath.Join(d, "*.go"))
	if err != nil {
		return nil, err
	}
	var syntax []*ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(im.fset, f, nil, 0)
		if err != nil {
			return nil, err
		}
		syntax = append(syntax, af)
	}
	conf := types.Config{Importer: importerFunc(im.load)}
	p, err := conf.Check(path, im.fset, syntax, nil)
	if err != nil {
		return nil, fmt.Errorf("stand-in %s: %w", path, err)
	}
	im.pkgs[path] = p
	return p, nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
