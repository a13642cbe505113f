// Package engine runs notebook cells as compiled Go plugins in a worker
// process, with state kept across cells.
//
// Each cell is rewritten into a package of its own (package rewrite, pure:
// top-level statements go into a run function, := variables become
// package variables, names are exported behind the user's back, uses of
// earlier cells' names point into their packages). The package is built
// with -buildmode=plugin in a private build module and loaded into one
// long-lived worker, so values really live on. See builddir.go for how the
// worker and the plugins are kept consistent, and package workerproto for
// how the engine and the worker talk.
//
// The files: engine.go runs a cell (compile, build, run, retry once when
// the worker was stale or died before the cell reached it); session.go
// holds the names earlier cells defined, an immutable snapshot that
// completion (complete.go) reads without locks; proc.go is the worker
// process and output.go puts its output in order; failure.go turns
// failures into cell errors; magic.go serves %, %% and ! lines.
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
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
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
	opts Options
	sess string
	done chan struct{} // closed when the background setup finished

	// state is what rewriting reads; it is replaced under mu and read
	// without it.
	state atomic.Pointer[state]

	mu   sync.Mutex // guards everything below
	b    *builder
	bErr error
	seq  int // the last cell's sequence number
	proc *proc
	env  []string // from %env, for fresh workers
	// intr takes interrupts for the cell the worker runs; nil when none.
	intr chan struct{}
	// intrEarly is an interrupt that came while the cell was still being
	// compiled: the cell then does not run.
	intrEarly bool
	shellCmd  *exec.Cmd // a running !command, for Interrupt
	// msgID is the Jupyter id of the execute request being served:
	// output widgets capture by it.
	msgID string

	counts   sync.Map        // cell seq → execution count, read by the output readers too
	cellOuts *cellOutputs    // where each cell's outputs go, for outputs that join an earlier cell
	controls map[string]bool // jupyter.widget.control comms the front end opened
}

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
	e := &Engine{opts: opts, sess: sess, done: make(chan struct{}), cellOuts: newCellOutputs(), controls: map[string]bool{}}
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
	e.forget(false)
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
func (discard) Comm(kernel.CommMessage)    {}
func (discard) Error(*kernel.CellError)    {}
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
	e.setEarlyInterrupt(false)
	e.mu.Lock()
	e.msgID = req.MsgID
	e.mu.Unlock()
	if res, ok := e.magic(ctx, req, out); ok {
		return res
	}
	return e.run(ctx, req.Code, req.ExecutionCount, out).ExecuteResult
}

func (e *Engine) setEarlyInterrupt(v bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.intrEarly = v
}

// ready waits for the background build.
func (e *Engine) ready(ctx context.Context) *kernel.CellError {
	select {
	case <-e.done:
	case <-ctx.Done():
		return cellError("Cancelled", ctx.Err().Error())
	}
	if e.setupFailed() {
		e.setup1() // it may work now (the go command or the source was fixed)
	}
	return e.setupError()
}

func (e *Engine) setupFailed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.bErr != nil
}

func (e *Engine) setupError() *kernel.CellError {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.bErr == nil {
		return nil
	}
	tb := []string{"cannot build the worker that runs cells:", e.bErr.Error()}
	if strings.Contains(e.bErr.Error(), "gcc") || strings.Contains(e.bErr.Error(), "cgo") {
		tb = append(tb, "(cells are Go plugins, which need cgo: install a C compiler such as gcc)")
	}
	return cellError("SetupError", "cannot build the worker that runs cells", tb...)
}

// workerGone forgets the state of a dead worker; the names it held are
// remembered so errors can say why they are undefined. e.mu is held.
//
// The worker binary is brought up to date first (a no-op unless the godl
// source or toolchain changed, or another kernel sharing the build module
// rebuilt it), so the fresh worker and the type information agree.
func (e *Engine) workerGone() {
	if err := e.b.buildWorker(); err != nil {
		fmt.Fprintln(os.Stderr, "godl: rebuilding the worker:", err)
	}
	e.forget(true)
	e.proc = nil
}

// cellRun is what running a cell gave.
type cellRun struct {
	kernel.ExecuteResult
	ran       bool    // the cell reached the worker (it compiled and built)
	wall, cpu float64 // seconds the cell ran, when it did
	timing    *wp.Timing
}

// retry says why a cell runs a second time.
type retry int

const (
	noRetry     retry = iota
	staleWorker       // the godl packages changed since the worker was built
	deadBefore        // the worker died before the cell reached it
)

// run compiles, builds and runs a cell. When the worker turns out stale,
// or dies before the cell reaches it (the cell was compiled against its
// state), it runs the cell again in a fresh worker, once per reason.
func (e *Engine) run(ctx context.Context, code string, count int, out kernel.Output) cellRun {
	return e.runTimed(ctx, code, count, nil, out)
}

// runTimed is run; with timeit set, the cell's value (a func()) is timed
// instead of shown (%timeit).
func (e *Engine) runTimed(ctx context.Context, code string, count int, timeit *wp.Timeit, out kernel.Output) cellRun {
	tried := map[retry]bool{}
	for {
		r, again := e.runOnce(ctx, code, count, timeit, out)
		if again == noRetry || tried[again] {
			return r
		}
		tried[again] = true
		if again == staleWorker {
			out.Stream("stderr", "godl: the godl packages changed since the worker was built; rebuilding it (earlier values are gone)\n")
			e.replaceWorker()
		}
	}
}

// replaceWorker kills the worker; the next cell starts a fresh one.
func (e *Engine) replaceWorker() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.proc != nil {
		e.proc.kill()
	}
	e.workerGone()
}

// runOnce is one attempt of run; again says why a second one should be
// made (r is the result if it is not).
func (e *Engine) runOnce(ctx context.Context, code string, count int, timeit *wp.Timeit, out kernel.Output) (r cellRun, again retry) {
	if err := e.ready(ctx); err != nil {
		return failed(err), noRetry
	}
	comp, msgs := e.compile(code, count, out)
	if msgs != nil {
		return failed(cellError("CompileError", firstLine(msgs[0]), msgs...)), noRetry
	}
	if comp == nil {
		return cellRun{}, noRetry
	}
	for _, n := range comp.Notes {
		out.Stream("stderr", n)
	}
	so, err := e.build(comp)
	if err != nil {
		msg := buildPos.ReplaceAllString(rewrite.Unmangle(err.Error()), "line $1")
		r := failed(cellError("BuildError", firstLine(msg), msg))
		if errors.As(err, new(staleModuleError)) {
			return r, staleWorker
		}
		return r, noRetry
	}
	defer os.Remove(so) // loaded or failed: later cells import the cell's archive, not its plugin
	p, intr, msgID, cerr := e.startCell(comp, count, out)
	if cerr != nil {
		return failed(cerr), noRetry
	}
	if p == nil {
		// The worker died after the cell was compiled against its state.
		return failed(cellError("WorkerDied", "the worker process died before this cell started")), deadBefore
	}
	o := e.exchange(ctx, p, wp.Request{Op: wp.OpRun, ID: comp.Cell.Seq, Plugin: so, MsgID: msgID, Timeit: timeit}, intr, out)
	return e.finishCell(comp, p, o, out)
}

func failed(err *kernel.CellError) cellRun {
	return cellRun{ExecuteResult: kernel.ExecuteResult{Error: err}}
}

// noteDeath tells the user that the worker died outside a cell and
// forgets its state. e.mu is held.
func (e *Engine) noteDeath(when string, out kernel.Output) {
	out.Stream("stderr", "godl: the worker process died "+when+" ("+e.proc.deathReason()+"); all earlier values are gone, starting a fresh worker\n")
	e.workerGone()
}

// startCell makes sure a worker is there for a compiled cell and marks
// the cell running. It returns no worker when the one the cell was
// compiled against died meanwhile.
func (e *Engine) startCell(comp *rewrite.Result, count int, out kernel.Output) (*proc, chan struct{}, string, *kernel.CellError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.proc != nil && !e.proc.alive() {
		e.noteDeath("before this cell started", out)
		return nil, nil, "", nil
	}
	if e.proc == nil {
		p, err := startProc(e.b, filepath.Join(e.b.dir, "cells", e.sess), e.memLimit(), e.env)
		if err != nil {
			return nil, nil, "", cellError("WorkerError", err.Error())
		}
		p.connect(e.cellFrames, e.cellOuts)
		e.proc = p
	}
	if e.intrEarly {
		return nil, nil, "", cellError("Interrupted", "interrupted before the cell started; variables are kept")
	}
	e.intr = make(chan struct{}, 1)
	e.counts.Store(comp.Cell.Seq, count)
	e.cellOuts.put(comp.Cell.Seq, out)
	return e.proc, e.intr, e.msgID, nil
}

// finishCell turns the outcome of a cell's run into its result and keeps
// the names it defined.
func (e *Engine) finishCell(comp *rewrite.Result, p *proc, o outcome, out kernel.Output) (cellRun, retry) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.intr = nil
	switch o.fate {
	case unread:
		e.noteDeath("before this cell started", out)
		return failed(cellError("WorkerDied", "the worker process died before this cell started; all earlier values are gone")), deadBefore
	case died, killed:
		return failed(e.deathError(p, o.fate == killed)), noRetry
	}
	rep := o.reply
	if rep.Failure != wp.LoadFailed && rep.Failure != wp.Stale {
		e.commit(comp)
	}
	r := cellRun{ran: true, wall: rep.Wall, cpu: rep.CPU, timing: rep.Timing}
	if rep.Failure != wp.Succeeded {
		r.Error = e.runtimeError(rep)
	} else if rep.Value != nil {
		if s, ok := rep.Value["text/plain"].(string); ok {
			rep.Value["text/plain"] = rewrite.Unmangle(s) // %v of a cell's struct shows its fields
		}
		r.Value = &kernel.DisplayData{Data: rep.Value, Metadata: rep.ValueMeta}
		if _, ok := rep.Value[widgetViewMIME]; ok {
			// A widget is shown, not returned: the same display_data as
			// widgets.Show and Interact give, whichever way it was shown.
			out.Display(*r.Value)
			r.Value = nil
		}
	}
	if rep.Failure == wp.Stale {
		return r, staleWorker
	}
	return r, noRetry
}

// deathError is the error of a cell during which the worker died. e.mu
// is held.
func (e *Engine) deathError(p *proc, killed bool) *kernel.CellError {
	why := p.deathReason()
	if killed {
		why = "it did not stop within " + e.opts.InterruptGrace.String() + " of the interrupt, so it was killed"
	}
	e.workerGone()
	msg := "the worker process died (" + why + "); all earlier values are gone, the next cell starts a fresh worker"
	if killed {
		return cellError("Interrupted", "interrupted: "+msg)
	}
	// A crash outside the cell's goroutine still has cell frames.
	tb := append([]string{"WorkerDied: " + msg}, e.cellFrames(p.stderrText())...)
	return cellError("WorkerDied", msg, tb...)
}

// fate says how a request to the worker ended.
type fate int

const (
	answered fate = iota // the worker replied
	died                 // the worker died while it served the request
	killed               // it was killed: it did not stop after an interrupt, or the request was cancelled
	unread               // it died before it read the request
)

// outcome is how a request ended, and the worker's reply if it made one.
type outcome struct {
	fate  fate
	reply wp.Reply
}

// exchange sends a request and waits for its reply; the reply comes after
// all of the output the request caused. Interrupts arrive on intr.
func (e *Engine) exchange(ctx context.Context, p *proc, req wp.Request, intr <-chan struct{}, out kernel.Output) outcome {
	p.attach(out)
	defer p.attach(nil)
	if err := p.send(req); err != nil {
		// EPIPE: nobody reads requests any more, the worker is gone.
		p.kill()
		p.waitEOF()
		return outcome{fate: unread}
	}
	var grace <-chan time.Time
	wasKilled := false
	for {
		select {
		case rep := <-p.replies:
			return outcome{fate: answered, reply: rep}
		case <-p.dead:
			p.waitEOF()
			select {
			case rep := <-p.replies: // it replied, then died
				return outcome{fate: answered, reply: rep}
			default:
			}
			switch {
			case wasKilled:
				return outcome{fate: killed}
			case unreadBytes(p.reqW) > 0:
				// A request still in the pipe was never read: the cell
				// did not start.
				return outcome{fate: unread}
			}
			return outcome{fate: died}
		case <-intr:
			// Only the worker: its handler sets the flag cells check. A
			// child the cell waits for is killed with the group below.
			p.cmd.Process.Signal(os.Interrupt)
			if grace == nil {
				grace = time.After(e.opts.InterruptGrace)
			}
		case <-grace:
			wasKilled = true
			p.signal(syscall.SIGKILL)
		case <-ctx.Done():
			wasKilled = true
			p.signal(syscall.SIGKILL)
		}
	}
}

// build writes the cell's package and its plugin main, and builds the .so.
func (e *Engine) build(c *rewrite.Result) (string, error) {
	rel := filepath.Join("cells", e.sess, fmt.Sprintf("c%d", c.Cell.Seq))
	dir := filepath.Join(e.b.dir, rel)
	if err := os.MkdirAll(filepath.Join(dir, "main"), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "cell.go"), []byte(c.Source), 0o644); err != nil {
		return "", err
	}
	main := fmt.Sprintf("// Code generated by the godl engine. DO NOT EDIT.\n\npackage main\n\nimport c %q\n\nfunc %s() { c.%[2]s() }\n",
		c.Cell.Path, wp.RunSymbol) + varsFunc(c)
	if err := os.WriteFile(filepath.Join(dir, "main", "main.go"), []byte(main), 0o644); err != nil {
		return "", err
	}
	so := filepath.Join(e.b.dir, "cells", e.sess, fmt.Sprintf("c%d.so", c.Cell.Seq))
	if os.Getenv("GODL_GO_BUILD") == "" {
		if err := e.b.buildDirect(c.Cell.Path, dir, so); err == nil {
			return so, nil
		} else if os.Getenv("GODL_DEBUG") != "" {
			fmt.Fprintln(os.Stderr, "godl: direct build failed, using go build:", err)
		}
	}
	if err := e.b.buildPlugin(filepath.Join(rel, "main"), so); err != nil {
		if strings.Contains(err.Error(), "go.mod") {
			// -mod=readonly refused: the godl module changed its
			// requirements under a running kernel.
			return so, staleModuleError{err}
		}
		return so, err
	}
	return so, nil
}

// staleModuleError is a cell build that failed because the build module's
// go.mod is out of date: the worker must be rebuilt.
type staleModuleError struct{ error }

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
	if e.intr != nil {
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
