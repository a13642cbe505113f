// Package engine runs notebook cells as compiled Go plugins in a worker
// process, with state kept across cells.
//
// Each cell is rewritten (go/ast, go/types) into a package of its own:
// top-level statements go into a run function, := variables become package
// variables, names the user did not export are exported behind their back
// (and un-mangled in everything the user sees), and uses of earlier cells'
// names become references into those cells' packages. The package is built
// with -buildmode=plugin in a private build module and loaded into one
// long-lived worker, so values really live on. See builddir.go for how the
// worker and the plugins are kept consistent.
//
// Where the godl packages come from: a checkout (found through
// $GODL_SOURCE, the SourceDir link-time variable, the directory this
// package was compiled in, or the directories above the executable) is
// used through a replace directive; otherwise the build module requires
// the godl version recorded in the binary's build info (`go install
// ...@version`), fetched through the module proxy once.
//
// Environment: GODL_CACHE (build module location, default the user cache
// dir + /godl), GODL_GO (the go command), GODL_SOURCE (a godl checkout),
// GODL_MEMORY_LIMIT (the worker's address-space cap, e.g. 16G, 0 = none;
// default half the RAM, at most 8G), GODL_GO_BUILD=1 (build cells with go
// build instead of calling compile and link directly), GODL_DEBUG=1.
package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/worker"
)

// Options configure an Engine. The zero value is what the kernel uses.
type Options struct {
	GoCmd     string // the go command; default $GODL_GO or go on PATH
	SourceDir string // a godl checkout to build against; default: found
	CacheDir  string // where the build module lives; default $GODL_CACHE or the user cache dir
	NoMold    bool   // do not link with mold even if it is installed
	// MemLimit caps the worker's address space in bytes; 0 picks
	// $GODL_MEMORY_LIMIT or half the machine's memory, at most 8 GiB.
	MemLimit uint64
	// InterruptGrace is how long an interrupted cell may take to stop
	// before the worker is killed; default 3 s.
	InterruptGrace time.Duration
}

// Engine implements kernel.Engine.
type Engine struct {
	opts  Options
	sess  string
	setup sync.Once
	bErr  error
	b     *builder
	done  chan struct{} // closed when the build finished

	mu      sync.Mutex // compile state and the worker
	comp    *compiler
	proc    *proc
	env     []string // from %env, for fresh workers
	running *proc    // the worker running a cell, for Interrupt
	intr    chan struct{}
	// intrEarly is an interrupt that came while the cell was still being
	// compiled: the cell then does not run.
	intrEarly bool
	shellCmd  *exec.Cmd   // a running !command, for Interrupt
	counts    map[int]int // cell seq → execution count

	lastWall, lastCPU float64 // of the last cell, for %time
}

var _ kernel.Engine = (*Engine)(nil)

// New returns an engine; it starts building the worker in the background
// so the first cell waits as little as possible.
func New(opts Options) (*Engine, error) {
	var id [4]byte
	rand.Read(id[:])
	if opts.InterruptGrace == 0 {
		opts.InterruptGrace = 3 * time.Second
	}
	// The session directory names the kernel's pid, so a later kernel can
	// sweep what a killed one left behind.
	sess := fmt.Sprintf("p%dx%s", os.Getpid(), hex.EncodeToString(id[:]))
	e := &Engine{opts: opts, sess: sess, done: make(chan struct{}), counts: map[int]int{}}
	go e.prepare()
	return e, nil
}

// prepare builds the worker and loads what type-checking needs.
func (e *Engine) prepare() {
	defer close(e.done)
	e.setup1()
}

// setup1 makes the builder and the compiler; on failure e.bErr says why.
func (e *Engine) setup1() {
	b, err := newBuilder(e.opts)
	if err == nil {
		err = b.buildWorker()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.bErr = err; err != nil {
		return
	}
	e.b = b
	e.comp = e.newCompiler(nil)
	go sweepSessions(filepath.Join(b.dir, "cells"))
}

// sweepSessions removes the cell directories of kernels that are gone.
func sweepSessions(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, ent := range ents {
		var pid int
		var rest string
		if n, _ := fmt.Sscanf(ent.Name(), "p%dx%s", &pid, &rest); n == 2 {
			if syscall.Kill(pid, 0) == syscall.ESRCH {
				os.RemoveAll(filepath.Join(dir, ent.Name()))
			}
		} else if info, err := ent.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			os.RemoveAll(filepath.Join(dir, ent.Name()))
		}
	}
}

func (e *Engine) newCompiler(lost map[string]bool) *compiler {
	fset := token.NewFileSet()
	c := &compiler{fset: fset, imp: newImporter(fset, e.b), autos: autoImports(e.b.stdPackages()),
		sess: e.sess, syms: map[string]*sym{}, lost: lost}
	if e.comp != nil {
		c.seq = e.comp.seq // package paths are never reused
	}
	return c
}

// Prewarm builds the worker and one throwaway plugin, so the build cache
// holds everything a first cell needs (otherwise ~50 s on a small machine).
func Prewarm(opts Options) error {
	e, _ := New(opts)
	defer e.Close()
	res := e.Execute(context.Background(), kernel.ExecuteRequest{Code: "x := dl.Zeros(2, 2)\nfmt.Sprint(x)"}, discard{})
	if res.Error != nil {
		return fmt.Errorf("pre-warming the cell build: %s: %s", res.Error.EName, res.Error.EValue)
	}
	return nil
}

type discard struct{}

func (discard) Stream(string, string)      {}
func (discard) Display(kernel.DisplayData) {}
func (discard) ClearOutput(bool)           {}
func (discard) Input(string, bool) (string, error) {
	return "", fmt.Errorf("no input")
}

func cellError(ename, evalue string, tb ...string) *kernel.CellError {
	if len(tb) == 0 {
		tb = []string{ename + ": " + evalue}
	}
	return &kernel.CellError{EName: ename, EValue: evalue, Traceback: tb}
}

// Execute runs one cell.
func (e *Engine) Execute(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) kernel.ExecuteResult {
	e.mu.Lock()
	e.intrEarly = false
	e.mu.Unlock()
	if res, ok := e.magic(ctx, req, out); ok {
		return res
	}
	return e.run(ctx, req.Code, req.ExecutionCount, out)
}

// ready waits for the background build.
func (e *Engine) ready(ctx context.Context) *kernel.CellError {
	select {
	case <-e.done:
	case <-ctx.Done():
		return cellError("Cancelled", ctx.Err().Error())
	}
	e.mu.Lock()
	failed := e.bErr != nil
	e.mu.Unlock()
	if failed {
		e.setup1() // it may work now (the go command or the source was fixed)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.bErr != nil {
		tb := []string{"cannot build the worker that runs cells:", e.bErr.Error()}
		if strings.Contains(e.bErr.Error(), "gcc") || strings.Contains(e.bErr.Error(), "cgo") {
			tb = append(tb, "(cells are Go plugins, which need cgo: install a C compiler such as gcc)")
		}
		return cellError("SetupError", "cannot build the worker that runs cells", tb...)
	}
	return nil
}

// workerGone forgets the state of a dead worker; the names it held are
// remembered so errors can say why they are undefined.
//
// The worker binary is brought up to date first (a no-op unless the godl
// source or toolchain changed, or another kernel sharing the build module
// rebuilt it), so the fresh worker and the type information agree.
func (e *Engine) workerGone() {
	if err := e.b.buildWorker(); err != nil {
		fmt.Fprintln(os.Stderr, "godl: rebuilding the worker:", err)
	}
	// Names lost in an earlier death stay lost (and explained) until a
	// cell defines them again.
	lost := map[string]bool{}
	for n := range e.comp.lost {
		lost[n] = true
	}
	for n := range e.comp.syms {
		lost[n] = true
	}
	e.comp = e.newCompiler(lost)
	e.proc = nil
}

func (e *Engine) run(ctx context.Context, code string, count int, out kernel.Output) kernel.ExecuteResult {
	res := e.run1(ctx, code, count, out)
	stale := res.Error != nil && (res.Error.EName == "LoadError" && strings.Contains(res.Error.EValue, "different version of package") ||
		res.Error.EName == "BuildError" && strings.Contains(res.Error.EValue, "go.mod"))
	if !stale {
		return res
	}
	// The godl source changed under a running kernel (a developer's
	// checkout): rebuild the worker and run the cell again in it.
	out.Stream("stderr", "godl: the godl packages changed since the worker was built; rebuilding it (earlier values are gone)\n")
	e.mu.Lock()
	if e.proc != nil {
		e.proc.kill()
	}
	e.workerGone()
	e.mu.Unlock()
	return e.run1(ctx, code, count, out)
}

// run1 compiles, builds and runs a cell. A worker that dies before the
// cell reaches it (while the cell builds, say) is a death between cells:
// the cell is compiled again for a fresh worker, once.
func (e *Engine) run1(ctx context.Context, code string, count int, out kernel.Output) kernel.ExecuteResult {
	res, again := e.try(ctx, code, count, out, true)
	if again {
		res, _ = e.try(ctx, code, count, out, false)
	}
	return res
}

// noteDeath tells the user that the worker died outside a cell and
// forgets its state.
func (e *Engine) noteDeath(when string, out kernel.Output) {
	out.Stream("stderr", "godl: the worker process died "+when+" ("+e.proc.deathReason()+"); all earlier values are gone, starting a fresh worker\n")
	e.workerGone()
}

// try is one attempt of run1; again reports that the worker died before
// the cell was handed to it and retry allowed another attempt.
func (e *Engine) try(ctx context.Context, code string, count int, out kernel.Output, retry bool) (_ kernel.ExecuteResult, again bool) {
	if err := e.ready(ctx); err != nil {
		return kernel.ExecuteResult{Error: err}, false
	}
	e.mu.Lock()
	if e.proc != nil && !e.proc.alive() {
		e.noteDeath("after the previous cell", out)
	}
	comp, msgs := e.comp.compileSafe(code, count)
	e.mu.Unlock()
	if msgs != nil {
		return kernel.ExecuteResult{Error: cellError("CompileError", firstLine(msgs[0]), msgs...)}, false
	}
	if comp == nil {
		return kernel.ExecuteResult{}, false
	}
	for _, n := range comp.notes {
		out.Stream("stderr", n)
	}
	so, err := e.build(comp)
	if err != nil {
		msg := buildPos.ReplaceAllString(unmangle(err.Error()), "line $1")
		return kernel.ExecuteResult{Error: cellError("BuildError", firstLine(msg), msg)}, false
	}
	e.mu.Lock()
	if retry && e.proc != nil && !e.proc.alive() {
		// The cell was compiled against the dead worker's state.
		e.noteDeath("before this cell started", out)
		e.mu.Unlock()
		os.Remove(so)
		return kernel.ExecuteResult{}, true
	}
	if e.proc == nil {
		p, err := startProc(e.b, filepath.Join(e.b.dir, "cells", e.sess), e.memLimit(), e.env)
		if err != nil {
			e.mu.Unlock()
			return kernel.ExecuteResult{Error: cellError("WorkerError", err.Error())}, false
		}
		e.proc = p
	}
	if e.intrEarly {
		e.mu.Unlock()
		return kernel.ExecuteResult{Error: cellError("Interrupted", "interrupted before the cell started; variables are kept")}, false
	}
	p := e.proc
	e.running, e.intr = p, make(chan struct{}, 1)
	e.counts[comp.cell.seq] = count
	e.mu.Unlock()
	rep, dead, killed, unsent := e.exchange(ctx, p, worker.Request{Op: worker.OpRun, ID: comp.cell.seq, Plugin: so}, out)
	// Loaded (mapped) or failed: the file is not needed any more; later
	// cells import the cell's package archive, not its plugin.
	os.Remove(so)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.running = nil
	if unsent && retry {
		e.noteDeath("before this cell started", out)
		return kernel.ExecuteResult{}, true
	}
	if dead {
		why := p.deathReason()
		if killed {
			why = "it did not stop within " + e.opts.InterruptGrace.String() + " of the interrupt, so it was killed"
		}
		e.workerGone()
		msg := "the worker process died (" + why + "); all earlier values are gone, the next cell starts a fresh worker"
		if killed {
			return kernel.ExecuteResult{Error: cellError("Interrupted", "interrupted: "+msg)}, false
		}
		// A crash outside the cell's goroutine still has cell frames.
		tb := append([]string{"WorkerDied: " + msg}, e.cellFrames(p.stderrText())...)
		return kernel.ExecuteResult{Error: cellError("WorkerDied", msg, tb...)}, false
	}
	if rep.EName != "load error" {
		for _, s := range comp.newSyms {
			e.comp.syms[s.name] = s
			delete(e.comp.lost, s.name)
		}
	}
	res := kernel.ExecuteResult{}
	if rep.EName != "" {
		res.Error = e.runtimeError(rep)
	} else if rep.Value != nil {
		if s, ok := rep.Value["text/plain"].(string); ok {
			rep.Value["text/plain"] = unmangle(s) // %v of a cell's struct shows its fields
		}
		res.Value = &kernel.DisplayData{Data: rep.Value, Metadata: rep.ValueMeta}
	}
	e.lastWall, e.lastCPU = rep.Wall, rep.CPU
	return res, false
}

// exchange sends a request and waits for its reply and for all of the
// output it caused. dead reports the worker died; killed that it was
// killed because an interrupt did not stop the cell; unsent that it died
// before the request reached it.
func (e *Engine) exchange(ctx context.Context, p *proc, req worker.Request, out kernel.Output) (rep worker.Reply, dead, killed, unsent bool) {
	p.attach(out)
	defer p.attach(nil)
	if err := p.req.Encode(&req); err != nil {
		// EPIPE: nobody reads requests any more, the worker is gone.
		p.kill()
		p.waitEOF()
		return rep, true, false, true
	}
	var grace <-chan time.Time
	for {
		select {
		case rep = <-p.replies:
			// Both streams carry an end marker written before the reply.
			timeout := time.After(2 * time.Second)
			for got := 0; got < 2; {
				select {
				case m := <-p.markers:
					if m.id == req.ID {
						got++
					}
				case <-timeout:
					got = 2
				}
			}
			return rep, false, false, false
		case <-p.dead:
			p.waitEOF()
			// A request still in the pipe was never read: the cell did
			// not start.
			return rep, true, killed, !killed && unread(p.reqW) > 0
		case <-e.intr:
			// Only the worker: its handler sets the flag cells check. A
			// child the cell waits for is killed with the group below.
			p.cmd.Process.Signal(os.Interrupt)
			if grace == nil {
				grace = time.After(e.opts.InterruptGrace)
			}
		case <-grace:
			killed = true
			p.signal(syscall.SIGKILL)
		case <-ctx.Done():
			killed = true
			p.signal(syscall.SIGKILL)
		}
	}
}

// build writes the cell's package and its plugin main, and builds the .so.
func (e *Engine) build(c *compiled) (string, error) {
	rel := filepath.Join("cells", e.sess, fmt.Sprintf("c%d", c.cell.seq))
	dir := filepath.Join(e.b.dir, rel)
	if err := os.MkdirAll(filepath.Join(dir, "main"), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "cell.go"), []byte(c.src), 0o644); err != nil {
		return "", err
	}
	main := "// Code generated by the godl engine. DO NOT EDIT.\n\npackage main\n\nimport c " +
		fmt.Sprintf("%q", c.cell.path) + "\n\nfunc GodlRun() { c.GodlRun() }\n"
	if err := os.WriteFile(filepath.Join(dir, "main", "main.go"), []byte(main), 0o644); err != nil {
		return "", err
	}
	so := filepath.Join(e.b.dir, "cells", e.sess, fmt.Sprintf("c%d.so", c.cell.seq))
	if os.Getenv("GODL_GO_BUILD") == "" {
		if err := e.b.buildDirect(c.cell.path, dir, so); err == nil {
			return so, nil
		} else if e.b.linksShared() {
			return "", err // go build cannot link against the shared library
		} else if os.Getenv("GODL_DEBUG") != "" {
			fmt.Fprintln(os.Stderr, "godl: direct build failed, using go build:", err)
		}
	}
	return so, e.b.buildPlugin(filepath.Join(rel, "main"), so)
}

// Interrupt asks the running cell to stop: the worker gets SIGINT, which
// sets the flag instrumented loops and dl ops check. If the cell is still
// running after the grace period, the worker is killed.
func (e *Engine) Interrupt() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.shellCmd != nil {
		// The command's whole process group: sh and what it started.
		syscall.Kill(-e.shellCmd.Process.Pid, syscall.SIGINT)
		return
	}
	if e.running != nil {
		select {
		case e.intr <- struct{}{}:
		default:
		}
	} else {
		e.intrEarly = true
	}
}

// Close stops the worker and removes this session's cell packages.
func (e *Engine) Close() error {
	<-e.done
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.proc != nil {
		e.proc.reqW.Close()
		select {
		case <-e.proc.dead:
		case <-time.After(2 * time.Second):
			e.proc.kill()
		}
		e.proc = nil
	}
	if e.b != nil {
		os.RemoveAll(filepath.Join(e.b.dir, "cells", e.sess))
	}
	return nil
}

// buildPos is a cell position in the compiler's messages.
var buildPos = regexp.MustCompile(`(?:\S*/)?cell[0-9]+:([0-9]+(?::[0-9]+)?)`)

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
