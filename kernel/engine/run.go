package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

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
		if strings.Contains(msg, "cannot target DYNIMPORT sym") {
			// A toolchain limit of shared mode (see shared.go), not the cell's fault.
			msg += "\nThe Go linker cannot link this generic type into a cell that shares the worker's libraries;" +
				" start the kernel with GODL_STATIC_CELLS=1 to link every cell on its own."
		}
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

// build writes the cell's package and its plugin main, and builds the .so.
func (e *Engine) build(c *rewrite.Result) (string, error) {
	rel := filepath.Join("cells", e.sess, fmt.Sprintf("c%d", c.Cell.Seq))
	dir := filepath.Join(e.b.dir, rel)
	if err := os.MkdirAll(filepath.Join(dir, "main"), 0o755); err != nil {
		return "", err
	}
	if !c.Empty {
		if err := os.WriteFile(filepath.Join(dir, "cell.go"), []byte(c.Source), 0o644); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main", "main.go"), []byte(c.Main), 0o644); err != nil {
		return "", err
	}
	so := filepath.Join(e.b.dir, "cells", e.sess, fmt.Sprintf("c%d.so", c.Cell.Seq))
	if os.Getenv("GODL_GO_BUILD") == "" {
		if err := e.b.buildDirect(c.Cell.Path, !c.Empty, dir, so); err == nil {
			return so, nil
		} else if e.b.linksShared() {
			return "", err // go build cannot link against the shared library
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
