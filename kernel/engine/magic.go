package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/godl-dev/godl/kernel"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

const helpText = `godl: Go cells, compiled, with state kept between cells.

Cells
  Write Go: declarations (func, type, var, const, import) and statements may
  be mixed. x := f() at the top level defines x for later cells. The value of
  a cell's last expression is shown. dl, nn, optim, data, display, fmt, math
  and the rest of the standard library are imported when used.
  Redefining a function or variable is fine (the new one wins); a redefined
  type is a new type: values made before keep the old one.
  Interrupt stops loops and dl ops; the variables stay.

Magics (at the start of a line)
  %help           this text
  %reset          start a fresh worker: every value is forgotten
  %time stmt      run one line and print its wall and CPU time
  %%time          (first line) time the whole cell
  %timeit stmt    time one line over many calls, as IPython: mean ± std. dev.
                  per loop (-n N calls per run, -r R runs; chosen if not given)
  %%timeit        (first line) time the rest of the cell the same way; code
                  after the options on that line runs once before the timing
  %whos           list the variables the cells defined: type, and for tensors
                  shape, dtype, grad, NaN/Inf count, size; for modules parameters
  %env NAME=value set an environment variable for cells and shell commands
  %env NAME       print it
  !cmd            run a shell command, its output streamed
`

// magic runs the lines of a cell that start with % or !, in order with
// the Go code around them: the code above a magic line runs before it (so
// %whos and %timeit see what it defined), the rest after the last one. It
// reports whether the cell is done; otherwise the remaining Go code runs.
func (e *Engine) magic(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) (kernel.ExecuteResult, bool) {
	code := req.Code
	trimmed := strings.TrimLeft(code, " \t\r\n")
	if !strings.HasPrefix(trimmed, "%") && !strings.HasPrefix(trimmed, "!") && !strings.Contains(code, "\n%") && !strings.Contains(code, "\n!") {
		return kernel.ExecuteResult{}, false
	}
	lines := strings.Split(code, "\n")
	if t := strings.TrimSpace(lines[0]); t == "%%timeit" || strings.HasPrefix(t, "%%timeit ") {
		return e.timeitCell(ctx, strings.TrimPrefix(t, "%%timeit"), strings.Join(lines[1:], "\n"), req.ExecutionCount, out), true
	}
	timeCell := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "%") && !strings.HasPrefix(t, "!") || strings.HasPrefix(t, "!=") {
			continue
		}
		lines[i] = "" // keep line numbers of the Go code
		if t == "%%time" {
			timeCell = true
			continue
		}
		if !timeCell {
			if res, failed := e.runAbove(ctx, lines[:i], req.ExecutionCount, out); failed {
				return res, true
			}
		}
		if strings.HasPrefix(t, "!") {
			if err := e.shell(ctx, strings.TrimPrefix(t, "!"), out); err != nil {
				return kernel.ExecuteResult{Error: err}, true
			}
			continue
		}
		name, arg, _ := strings.Cut(t[1:], " ")
		arg = strings.TrimSpace(arg)
		switch name {
		case "help":
			return help(req, out), true
		case "reset":
			e.reset()
		case "env":
			if err := e.setEnv(arg, out); err != nil {
				return kernel.ExecuteResult{Error: err}, true
			}
		case "time":
			res := e.timed(ctx, strings.Repeat("\n", i)+arg, req.ExecutionCount, out)
			if res.Error != nil {
				return res, true
			}
		case "timeit":
			if res := e.timeitLine(ctx, arg, i, req.ExecutionCount, out); res.Error != nil {
				return res, true
			}
		case "whos":
			if res := e.whos(ctx, out); res.Error != nil {
				return res, true
			}
		default:
			return kernel.ExecuteResult{Error: cellError("UnknownMagic", fmt.Sprintf("unknown magic %%%s (%%help lists the magics)", name))}, true
		}
	}
	rest := strings.Join(lines, "\n")
	if strings.TrimSpace(rest) == "" {
		return kernel.ExecuteResult{}, true
	}
	if timeCell {
		return e.timed(ctx, rest, req.ExecutionCount, out), true
	}
	return e.run(ctx, rest, req.ExecutionCount, out).ExecuteResult, true
}

// runAbove runs the Go code in lines (those above a magic), if there is
// any, and blanks them; a value of its last expression is not shown (it
// was not the cell's last). failed says the code failed: its result is
// the cell's.
func (e *Engine) runAbove(ctx context.Context, lines []string, count int, out kernel.Output) (kernel.ExecuteResult, bool) {
	code := strings.Join(lines, "\n")
	if strings.TrimSpace(code) == "" {
		return kernel.ExecuteResult{}, false
	}
	clear(lines)
	r := e.run(ctx, code, count, out)
	return r.ExecuteResult, r.Error != nil
}

// timed runs code and prints how long it ran. A cell that did not compile
// or build did not run: it reports its error only.
func (e *Engine) timed(ctx context.Context, code string, count int, out kernel.Output) kernel.ExecuteResult {
	t0 := time.Now()
	r := e.run(ctx, code, count, out)
	if r.ran {
		out.Stream("stdout", fmt.Sprintf("Wall time: %s, CPU time: %s (running the cell; %s with compiling)\n",
			fmtDur(r.wall), fmtDur(r.cpu), time.Since(t0).Round(time.Millisecond)))
	}
	return r.ExecuteResult
}

// help shows helpText in the pager. A request that cannot ask for input
// comes from a front end that runs notebooks unattended (nbconvert,
// papermill), which drops pager payloads: it gets the text as an output
// too.
func help(req kernel.ExecuteRequest, out kernel.Output) kernel.ExecuteResult {
	if !req.AllowStdin {
		out.Display(kernel.DisplayData{Data: kernel.MIMEBundle{"text/plain": helpText}})
	}
	return kernel.ExecuteResult{Payload: []map[string]any{{
		"source": "page", "data": map[string]any{"text/plain": helpText}, "start": 0,
	}}}
}

func fmtDur(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Microsecond).String()
}

func (e *Engine) reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.proc != nil {
		e.proc.kill()
	}
	if e.current() != nil {
		e.workerGone()
		e.forget(false) // a reset forgets on purpose: nothing is "lost"
	}
}

func (e *Engine) setEnv(arg string, out kernel.Output) *kernel.CellError {
	name, value, set := strings.Cut(arg, "=")
	name = strings.TrimSpace(name)
	if name == "" {
		return cellError("UsageError", "%env NAME=value sets a variable, %env NAME prints it")
	}
	if !set {
		out.Stream("stdout", os.Getenv(name)+"\n")
		return nil
	}
	os.Setenv(name, value)
	if p := e.addEnv(name + "=" + value); p != nil && p.alive() {
		<-e.done
		o := e.exchange(context.Background(), p, wp.Request{Op: wp.OpEnv, ID: -1, Name: name, Value: value}, nil, out)
		if o.fate == answered && o.reply.Failure != wp.Succeeded {
			return cellError("EnvError", o.reply.EValue)
		}
	}
	return nil
}

// addEnv keeps a variable for fresh workers and returns the running one.
func (e *Engine) addEnv(kv string) *proc {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.env = append(e.env, kv)
	return e.proc
}

// setShell records the running !command (nil: none), for Interrupt.
func (e *Engine) setShell(cmd *exec.Cmd) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.shellCmd = cmd
}

// shell runs a command with sh, streaming its output.
func (e *Engine) shell(ctx context.Context, cmdline string, out kernel.Output) *kernel.CellError {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", cmdline)
	cmd.Stdout = streamWriter{out, "stdout"}
	cmd.Stderr = streamWriter{out, "stderr"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return cellError("ShellError", fmt.Sprintf("!%s: %v", cmdline, err))
	}
	e.setShell(cmd)
	err := cmd.Wait()
	e.setShell(nil)
	if err != nil {
		return cellError("ShellError", fmt.Sprintf("!%s: %v", cmdline, err))
	}
	return nil
}

type streamWriter struct {
	out  kernel.Output
	name string
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.out.Stream(w.name, string(p))
	return len(p), nil
}

var _ io.Writer = streamWriter{}
