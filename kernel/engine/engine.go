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
// The files: engine.go is the engine's life (setup, a worker replaced or
// dead, interrupts, closing); run.go runs a cell (compile, build, run,
// retry once when the worker was stale or died before the cell reached
// it); exchange.go is one request to the worker and its outcome;
// session.go holds the names earlier cells defined, an immutable snapshot
// that completion (complete.go) reads without locks; proc.go is the
// worker process and output.go puts its output in order; failure.go
// turns failures into cell errors; magic.go serves %, %% and ! lines.
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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/godl-dev/godl/kernel"
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

// replaceWorker kills the worker; the next cell starts a fresh one.
func (e *Engine) replaceWorker() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.proc != nil {
		e.proc.kill()
	}
	e.workerGone()
}

// noteDeath tells the user that the worker died outside a cell and
// forgets its state. e.mu is held.
func (e *Engine) noteDeath(when string, out kernel.Output) {
	out.Stream("stderr", "godl: the worker process died "+when+" ("+e.proc.deathReason()+"); all earlier values are gone, starting a fresh worker\n")
	e.workerGone()
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
