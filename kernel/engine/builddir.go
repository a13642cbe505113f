package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
)

// modulePath is godl's own module.
const modulePath = "github.com/godl-dev/godl"

// buildModule is the module path of the private build directory in which
// the worker and every cell plugin are built.
const buildModule = "godlcells"

// SourceDir, when set with -ldflags "-X github.com/godl-dev/godl/kernel/engine.SourceDir=...",
// names the godl checkout the kernel was built from.
var SourceDir string

// builder owns the private build module. Host (worker) and plugins must be
// built by the same go, with the same flags and module versions, or
// plugin.Open refuses them; so the kernel builds the worker itself, here,
// with exactly the flags it later builds cells with.
type builder struct {
	goCmd   string
	dir     string // the build module's root
	worker  string // the worker binary
	flags   []string
	env     []string
	mu      sync.Mutex
	exports map[string]string // import path → export data file
	src     string            // the godl checkout, or "" for a module version

	gover, toolDir, cc string            // for calling compile and link directly
	ldflags            []string          // the linker flags of every build
	archives           map[string]string // cell package path → its compiled archive
}

// locateSource finds the godl source to build against. Order: the option,
// $GODL_SOURCE, SourceDir set at link time, the directory this file was
// compiled in (a checkout, `go build`/`go test`), and the executable's
// ancestors (bin/godl inside a checkout). "" means none was found; then
// the build module requires the version this binary was built from, which
// the go command fetches through the module proxy (`go install ...@v`).
func locateSource(opt string) string {
	cands := []string{opt, os.Getenv("GODL_SOURCE"), SourceDir}
	if _, file, _, ok := runtime.Caller(0); ok {
		cands = append(cands, filepath.Join(filepath.Dir(file), "..", ".."))
	}
	if exe, err := os.Executable(); err == nil {
		for d := filepath.Dir(exe); d != filepath.Dir(d); d = filepath.Dir(d) {
			cands = append(cands, d)
		}
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(c, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module "+modulePath+"\n")) {
			if abs, err := filepath.Abs(c); err == nil {
				return abs
			}
		}
	}
	return ""
}

// moduleVersion is the godl version this binary was built from, for the
// `go install` case.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	if bi.Main.Path == modulePath && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			return d.Version
		}
	}
	return ""
}

func cacheDir(opt string) (string, error) {
	if opt != "" {
		return opt, nil
	}
	if d := os.Getenv("GODL_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the build module: %w (set GODL_CACHE)", err)
	}
	return filepath.Join(d, "godl"), nil
}

func findGo(opt string) (string, error) {
	if opt != "" {
		return opt, nil
	}
	if g := os.Getenv("GODL_GO"); g != "" {
		return g, nil
	}
	if g, err := exec.LookPath("go"); err == nil {
		return g, nil
	}
	g := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(g); err == nil {
		return g, nil
	}
	return "", errors.New("the go command is needed to compile cells: put it on PATH or set GODL_GO")
}

// newBuilder prepares the build module for this toolchain and godl source
// or version. It does not build anything yet.
func newBuilder(opts Options) (*builder, error) {
	goCmd, err := findGo(opts.GoCmd)
	if err != nil {
		return nil, err
	}
	b := &builder{goCmd: goCmd, src: locateSource(opts.SourceDir)}
	b.env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=1")
	goenv, err := b.goOutput("", "env", "GOVERSION", "GOTOOLDIR", "CC")
	if err != nil {
		return nil, err
	}
	if f := strings.Split(goenv, "\n"); len(f) >= 3 {
		b.gover, b.toolDir, b.cc = f[0], f[1], f[2]
	}
	gover := b.gover
	src := b.src
	ver := moduleVersion()
	if src == "" && ver == "" {
		return nil, errors.New("cannot find the godl source or version to build cells against: set GODL_SOURCE to a godl checkout")
	}
	cache, err := cacheDir(opts.CacheDir)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(gover) + "\x00" + src + "\x00" + ver))
	b.dir = filepath.Join(cache, "build-"+hex.EncodeToString(h[:6]))
	b.worker = filepath.Join(b.dir, "worker.bin")
	ld := "-s -w"
	if _, err := exec.LookPath("mold"); err == nil && !opts.NoMold {
		ld += " -extldflags=-fuse-ld=mold"
	}
	b.flags = []string{"-ldflags=" + ld}
	b.ldflags = strings.Fields(ld)
	b.archives = map[string]string{}
	if err := os.MkdirAll(filepath.Join(b.dir, "worker"), 0o755); err != nil {
		return nil, err
	}
	gomod := fmt.Sprintf("module %s\n\ngo 1.26\n\nrequire %s %s\n", buildModule, modulePath, ver)
	if src != "" {
		gomod = fmt.Sprintf("module %s\n\ngo 1.26\n\nrequire %s v0.0.0-00010101000000-000000000000\n\nreplace %s => %s\n",
			buildModule, modulePath, modulePath, src)
	}
	// -mod=mod lets the go command add the requirements the worker's
	// imports need; so keep what it added unless the base line changed.
	if old, err := os.ReadFile(filepath.Join(b.dir, "go.mod")); err != nil || !bytes.HasPrefix(old, []byte(gomod)) {
		if err := os.WriteFile(filepath.Join(b.dir, "go.mod"), []byte(gomod), 0o644); err != nil {
			return nil, err
		}
	}
	if err := writeIfChanged(filepath.Join(b.dir, "worker", "main.go"), []byte(workerMain)); err != nil {
		return nil, err
	}
	return b, nil
}

func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}

func (b *builder) goOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command(b.goCmd, args...)
	cmd.Dir, cmd.Env = dir, b.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// buildWorker (re)builds the worker binary (the go command makes this a
// no-op when nothing changed) and lists the export data that type-checking
// cells needs, built with the plugins' flags so it also warms their cache.
func (b *builder) buildWorker() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.src != "" {
		// The checkout's go.sum covers everything it needs, offline.
		if sum, err := os.ReadFile(filepath.Join(b.src, "go.sum")); err == nil {
			if err := writeIfChanged(filepath.Join(b.dir, "go.sum"), sum); err != nil {
				return err
			}
		}
	}
	args := append([]string{"build"}, b.flags...)
	args = append(args, "-o", b.worker, "./worker")
	if _, err := b.goOutput(b.dir, args...); err != nil {
		return fmt.Errorf("building the worker: %w", err)
	}
	exp, err := b.listExports("./worker")
	if err != nil {
		return err
	}
	b.exports = exp
	return nil
}

func (b *builder) listExports(pkgs ...string) (map[string]string, error) {
	args := append([]string{"list", "-buildmode=plugin"}, b.flags...)
	args = append(args, "-export", "-deps", "-json=ImportPath,Export")
	out, err := b.goOutput(b.dir, append(args, pkgs...)...)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if p.Export != "" {
			m[p.ImportPath] = p.Export
		}
	}
	return m, nil
}

// exportFile finds the export data of path, listing (and compiling) it on
// first use when the worker does not link it.
func (b *builder) exportFile(path string) (string, error) {
	b.mu.Lock()
	f, ok := b.exports[path]
	b.mu.Unlock()
	if ok {
		return f, nil
	}
	m, err := b.listExports(path)
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, v := range m {
		// Keep what the worker was built with: a package edited since
		// would list as a new archive the worker does not have.
		if _, ok := b.exports[k]; !ok {
			b.exports[k] = v
		}
	}
	if f, ok := b.exports[path]; ok {
		return f, nil
	}
	return "", fmt.Errorf("no export data for %q", path)
}

// buildPlugin builds the main package in pkgDir (relative to the build
// module) into so.
func (b *builder) buildPlugin(pkgDir, so string) error {
	args := append([]string{"build", "-buildmode=plugin"}, b.flags...)
	args = append(args, "-o", so, "./"+filepath.ToSlash(pkgDir))
	cmd := exec.Command(b.goCmd, args...)
	// The worker build settled go.mod; cells only read it (several kernels
	// may share the build module).
	cmd.Dir, cmd.Env = b.dir, append(b.env, "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s", strings.TrimSpace(string(out)))
	}
	return nil
}

// stdPackages lists the standard library's importable packages.
func (b *builder) stdPackages() []string {
	cache := filepath.Join(b.dir, "std.txt")
	data, err := os.ReadFile(cache)
	if err != nil {
		out, err := b.goOutput(b.dir, "list", "std")
		if err != nil {
			return nil
		}
		data = []byte(out)
		_ = os.WriteFile(cache, data, 0o644)
	}
	var pkgs []string
	for _, p := range strings.Fields(string(data)) {
		if strings.Contains("/"+p+"/", "/internal/") || strings.HasPrefix(p, "vendor/") {
			continue
		}
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	return pkgs
}

// workerMain is the worker's main package. Its imports decide which
// packages cells share with the worker (and so load fast): dl and its
// subpackages, display, widgets, gonum, gonum/plot, gonbui.
const workerMain = `// Code generated by the godl engine. DO NOT EDIT.

package main

import (
	"fmt"
	"os"

	"github.com/godl-dev/godl/dl"
	_ "github.com/godl-dev/godl/dl/data"
	_ "github.com/godl-dev/godl/dl/nn"
	_ "github.com/godl-dev/godl/dl/optim"
	"github.com/godl-dev/godl/display"
	"github.com/godl-dev/godl/kernel/engine/describe"
	"github.com/godl-dev/godl/kernel/engine/worker"
	"github.com/godl-dev/godl/widgets"
	_ "github.com/janpfeifer/gonb/gonbui"
	_ "gonum.org/v1/gonum/floats"
	_ "gonum.org/v1/gonum/mat"
	_ "gonum.org/v1/gonum/stat"
	_ "gonum.org/v1/plot"
	_ "gonum.org/v1/plot/plotter"
	_ "gonum.org/v1/plot/plotutil"
	_ "gonum.org/v1/plot/vg"
)

func main() {
	widgets.SetTransport(worker.FrontEnd{})
	worker.Setup(worker.Hooks{
		Value: display.ValueBundle, Flush: display.Flush, CellStart: display.BeginCell,
		Request: widgets.BeginRequest, Comm: widgets.Receive, Describe: describe.Value,
		MemLimit: dl.SetMemoryLimit,
	})
	if err := worker.Main(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "godl worker:", err)
		os.Exit(1)
	}
}
`
