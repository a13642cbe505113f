package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// Running one cell: compile, build, hand it to the worker, and turn what
// happened into the cell's result.

// cellRun is what running a cell gave.
type cellRun struct {
	kernel.ExecuteResult
	ran       bool    // the cell reached the worker (it compiled and built)
	wall, cpu float64 // seconds the cell ran, when it did
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
	tried := map[retry]bool{}
	for {
		r, again := e.runOnce(ctx, code, count, out)
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
func (e *Engine) runOnce(ctx context.Context, code string, count int, out kernel.Output) (r cellRun, again retry) {
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
	p, intr, cerr := e.startCell(comp, count, out)
	if cerr != nil {
		return failed(cerr), noRetry
	}
	if p == nil {
		// The worker died after the cell was compiled against its state.
		return failed(cellError("WorkerDied", "the worker process died before this cell started")), deadBefore
	}
	o := e.exchange(ctx, p, wp.Request{Op: wp.OpRun, ID: comp.Cell.Seq, Plugin: so}, intr, out)
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
func (e *Engine) startCell(comp *rewrite.Result, count int, out kernel.Output) (*proc, chan struct{}, *kernel.CellError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.proc != nil && !e.proc.alive() {
		e.noteDeath("before this cell started", out)
		return nil, nil, nil
	}
	if e.proc == nil {
		p, err := startProc(e.b, filepath.Join(e.b.dir, "cells", e.sess), e.memLimit(), e.env)
		if err != nil {
			return nil, nil, cellError("WorkerError", err.Error())
		}
		e.proc = p
	}
	if e.intrEarly {
		return nil, nil, cellError("Interrupted", "interrupted before the cell started; variables are kept")
	}
	e.intr = make(chan struct{}, 1)
	e.counts[comp.Cell.Seq] = count
	return e.proc, e.intr, nil
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
	r := cellRun{ran: true, wall: rep.Wall, cpu: rep.CPU}
	if rep.Failure != wp.Succeeded {
		r.Error = e.runtimeError(rep)
	} else if rep.Value != nil {
		if s, ok := rep.Value["text/plain"].(string); ok {
			rep.Value["text/plain"] = rewrite.Unmangle(s) // %v of a cell's struct shows its fields
		}
		r.Value = &kernel.DisplayData{Data: rep.Value, Metadata: rep.ValueMeta}
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
		c.Cell.Path, wp.RunSymbol)
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
