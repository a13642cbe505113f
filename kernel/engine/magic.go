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
	"github.com/godl-dev/godl/kernel/engine/worker"
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
  %memory         the worker's resident memory, by what holds it
  %time stmt      run one line and print its wall and CPU time
  %%time          (first line) time the whole cell
  %env NAME=value set an environment variable for cells and shell commands
  %env NAME       print it
  !cmd            run a shell command, its output streamed
`

// magic runs the lines of a cell that start with % or !. It reports
// whether the cell is done; otherwise the remaining Go code runs.
func (e *Engine) magic(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) (kernel.ExecuteResult, bool) {
	code := req.Code
	trimmed := strings.TrimLeft(code, " \t\r\n")
	if !strings.HasPrefix(trimmed, "%") && !strings.HasPrefix(trimmed, "!") && !strings.Contains(code, "\n%") && !strings.Contains(code, "\n!") {
		return kernel.ExecuteResult{}, false
	}
	lines := strings.Split(code, "\n")
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
			return kernel.ExecuteResult{Payload: []map[string]any{{
				"source": "page", "data": map[string]any{"text/plain": helpText}, "start": 0,
			}}}, true
		case "reset":
			e.reset()
		case "memory":
			r, err := e.workerMemReport(ctx, out)
			if err != nil {
				return kernel.ExecuteResult{Error: cellError("MemoryError", err.Error())}, true
			}
			out.Stream("stdout", r.String())
		case "env":
			if err := e.setEnv(arg, out); err != nil {
				return kernel.ExecuteResult{Error: err}, true
			}
		case "time":
			res := e.timed(ctx, strings.Repeat("\n", i)+arg, req.ExecutionCount, out)
			if res.Error != nil {
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
	return e.run(ctx, rest, req.ExecutionCount, out), true
}

// timed runs code and prints how long it took.
func (e *Engine) timed(ctx context.Context, code string, count int, out kernel.Output) kernel.ExecuteResult {
	t0 := time.Now()
	res := e.run(ctx, code, count, out)
	total := time.Since(t0)
	e.mu.Lock()
	wall, cpu := e.lastWall, e.lastCPU
	e.mu.Unlock()
	out.Stream("stdout", fmt.Sprintf("Wall time: %s, CPU time: %s (running the cell; %s with compiling)\n",
		fmtDur(wall), fmtDur(cpu), total.Round(time.Millisecond)))
	return res
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
	if e.comp != nil {
		e.workerGone()
		e.comp.lost = nil
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
	e.mu.Lock()
	e.env = append(e.env, name+"="+value)
	p := e.proc
	e.mu.Unlock()
	if p != nil && p.alive() {
		<-e.done
		if rep, dead, _, _ := e.exchange(context.Background(), p, worker.Request{Op: worker.OpEnv, ID: -1, Name: name, Value: value}, out); !dead && rep.EName != "" {
			return cellError("EnvError", rep.EValue)
		}
	}
	return nil
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
	e.mu.Lock()
	e.shellCmd = cmd
	e.mu.Unlock()
	err := cmd.Wait()
	e.mu.Lock()
	e.shellCmd = nil
	e.mu.Unlock()
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
