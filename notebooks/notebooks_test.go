package notebooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/godl-dev/godl/kernel/engine"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
)

// The committed notebooks are what their sources give.
func TestNotebooksUpToDate(t *testing.T) {
	nbs, err := Load(".")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, nb := range nbs {
		have[nb.Name] = true
		old, err := os.ReadFile(nb.Name)
		if err != nil {
			t.Errorf("%s: %v (run make notebooks)", nb.Name, err)
		} else if !bytes.Equal(old, nb.Ipynb()) {
			t.Errorf("%s is not what %s gives: run make notebooks", nb.Name, nb.Source)
		}
	}
	ipynbs, _ := filepath.Glob("*.ipynb")
	for _, f := range ipynbs {
		if !have[f] {
			t.Errorf("%s has no source %s", f, filepath.Join(SourceDir, strings.TrimSuffix(f, ".ipynb")+".go"))
		}
	}
}

// Every notebook's code cells, run in order as one session through the
// kernel's rewriter against the real godl packages, compile: a cell that
// the kernel would refuse fails here, named by its source line.
func TestCellsCompile(t *testing.T) {
	nbs, err := Load(".")
	if err != nil {
		t.Fatal(err)
	}
	cfg := checkConfig(t)
	for _, nb := range nbs {
		t.Run(strings.TrimSuffix(nb.Name, ".ipynb"), func(t *testing.T) {
			for _, p := range checkCells(cfg, nb) {
				t.Error(p)
			}
		})
	}
}

// The check finds a cell that does not compile, in its notebook's
// session: names of earlier cells are known, magic lines are not Go.
func TestCheckCellsFindsErrors(t *testing.T) {
	src := "// %% [markdown]\n// # T\n\n// %%\nx := dl.Ones(2, 3)\n\n// %%\n// %time y := x.Sum()\nfmt.Println(y, x)\nz := x.Mul(undefinedName)\n"
	cells, err := ParsePercent("_src/t.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	probs := checkCells(checkConfig(t), &Notebook{Name: "t.ipynb", Source: "_src/t.go", Cells: cells})
	if len(probs) != 1 || !strings.HasPrefix(probs[0], "t.ipynb, cell 3: _src/t.go:10: line 3:12: undefined: undefinedName") {
		t.Errorf("problems %q", probs)
	}
}

// checkCells rewrites the code cells of nb in order, as a kernel session
// would, and lists what the kernel would refuse or warn about.
func checkCells(cfg *rewrite.Config, nb *Notebook) []string {
	var probs []string
	sess := rewrite.NewSession()
	seq := 0
	for i, c := range nb.Cells {
		if c.Markdown {
			continue
		}
		for _, piece := range goPieces(c.Source) {
			seq++
			res, msgs := rewrite.Rewrite(cfg, sess, piece, seq, seq)
			for _, m := range msgs {
				probs = append(probs, fmt.Sprintf("%s, cell %d: %s", nb.Name, i+1, inSource(nb.Source, c, m)))
			}
			if res == nil {
				continue
			}
			for _, n := range res.Notes {
				probs = append(probs, fmt.Sprintf("%s, cell %d: %s:%d: the kernel would tell the reader: %s", nb.Name, i+1, nb.Source, c.Line, strings.TrimSpace(n)))
			}
			sess = sess.With(res)
		}
	}
	if seq == 0 {
		probs = append(probs, nb.Name+" has no code")
	}
	return probs
}

// inSource puts the source file's line before a rewriter message, which
// speaks in cell lines ("line 3:5: undefined: x").
func inSource(file string, c Cell, msg string) string {
	line := c.Line
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		l, _, _ := strings.Cut(rest, ":")
		if n, err := strconv.Atoi(l); err == nil {
			line += n - 1
		}
	}
	return fmt.Sprintf("%s:%d: %s", file, line, msg)
}

// goPieces are the pieces of Go the kernel compiles for a cell: the cell,
// or, around magic lines (% or ! first), the code above each one before
// it, the statement of %time and %timeit on its own, and the rest after
// the last. Magic lines are blanked so lines keep their numbers.
func goPieces(code string) []string {
	lines := strings.Split(code, "\n")
	var pieces []string
	flush := func(upTo int) {
		if p := strings.Join(lines[:upTo], "\n"); strings.TrimSpace(p) != "" {
			pieces = append(pieces, p)
		}
		clear(lines[:upTo])
	}
	wholeCell := false // %%time and %%timeit time the rest of the cell
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "%") && !strings.HasPrefix(t, "!") || strings.HasPrefix(t, "!=") {
			continue
		}
		lines[i] = ""
		if i == 0 && (t == "%%time" || t == "%%timeit" || strings.HasPrefix(t, "%%timeit ")) {
			wholeCell = true
			continue
		}
		if !wholeCell {
			flush(i)
		}
		name, arg, _ := strings.Cut(t, " ")
		if name == "%time" || name == "%timeit" {
			pieces = append(pieces, strings.Repeat("\n", i)+timeitStatement(name, arg))
		}
	}
	flush(len(lines))
	return pieces
}

// timeitStatement is the statement of a %time or %timeit line, without
// %timeit's -n and -r options.
func timeitStatement(name, arg string) string {
	f := strings.Fields(arg)
	for name == "%timeit" && len(f) >= 2 && (f[0] == "-n" || f[0] == "-r") {
		f = f[2:]
	}
	return strings.Join(f, " ")
}

// checkConfig is the kernel's rewriting configuration, with packages read
// from the export data the go command builds for this checkout (as the
// kernel reads the worker's). It is made once for the tests.
func checkConfig(t *testing.T) *rewrite.Config {
	t.Helper()
	configOnce.Do(func() { config, configErr = newCheckConfig() })
	if configErr != nil {
		t.Fatal(configErr)
	}
	return config
}

var (
	configOnce sync.Once
	config     *rewrite.Config
	configErr  error
)

func newCheckConfig() (*rewrite.Config, error) {
	std, err := goList("list", "std")
	if err != nil {
		return nil, err
	}
	exports := &exportData{files: map[string]string{}}
	// The packages cells use most, in one go; others when asked for.
	if err := exports.list("github.com/godl-dev/godl/dl/...", "github.com/godl-dev/godl/display", "github.com/godl-dev/godl/widgets", rewrite.RuntimePath); err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", exports.open).(types.ImporterFrom)
	return engine.RewriteConfig(fset, rewrite.Locked(imp), strings.Fields(std), "check"), nil
}

func goList(args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// exportData finds the export data of packages through go list -export.
type exportData struct {
	mu    sync.Mutex
	files map[string]string // import path → export data file
}

func (x *exportData) list(pkgs ...string) error {
	out, err := goList(append([]string{"list", "-export", "-deps", "-json=ImportPath,Export"}, pkgs...)...)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if p.Export != "" {
			x.files[p.ImportPath] = p.Export
		}
	}
}

func (x *exportData) open(path string) (io.ReadCloser, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.files[path]; !ok {
		if err := x.list(path); err != nil {
			return nil, err
		}
	}
	f, ok := x.files[path]
	if !ok {
		return nil, fmt.Errorf("no export data for %q", path)
	}
	return os.Open(f)
}
