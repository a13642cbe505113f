// Package worker is the process that loads and runs cell plugins. The
// engine builds a small main package around it (linking dl, display,
// gonum and plot so cell plugins share them) and talks to it over two
// pipes: JSON requests on fd 3, JSON replies on fd 4. Its stdout and
// stderr are the cells' output; rich output goes through gonbui.
package worker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"plugin"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/godl-dev/godl/kernel/engine/rt"
	"github.com/janpfeifer/gonb/gonbui"
)

// Hooks connect the worker to the libraries linked into it; the generated
// main sets them (the worker package itself stays free of dl and display).
type Hooks struct {
	// Value renders a cell's last value as a MIME bundle
	// (display.ValueBundle).
	Value func(v any) (data, metadata map[string]any)
	// Flush sends output held back by throttling (display.Flush).
	Flush func()
	// CellStart runs before each cell (display.BeginCell: live outputs
	// shown by earlier cells are shown anew in this one).
	CellStart func()
}

var hooks Hooks

// Setup installs the hooks; call it before Main.
func Setup(h Hooks) { hooks = h }

// Main runs `godl worker`: it serves requests until fd 3 is closed.
func Main(args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("worker takes no arguments, got %q", args)
	}
	in, out := os.NewFile(3, "requests"), os.NewFile(4, "replies")
	if _, err := in.Stat(); err != nil {
		return errors.New("the worker is started by the kernel (it needs its request pipe on fd 3)")
	}
	// Processes the cells start must not inherit the request and reply
	// pipes: the engine reads a closed request pipe as the worker's end.
	syscall.CloseOnExec(3)
	syscall.CloseOnExec(4)
	if err := limitMemory(); err != nil {
		fmt.Fprintln(os.Stderr, "godl worker: memory limit:", err)
	}
	if gonbui.IsNotebook {
		rt.InputRequester = gonbui.RequestInput
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	go func() {
		for range sigs {
			rt.Interrupt()
		}
	}()
	std, err := saveStdio()
	if err != nil {
		return fmt.Errorf("keeping stdout and stderr: %w", err)
	}
	dec, enc := json.NewDecoder(in), json.NewEncoder(out)
	for {
		var req Request
		if err := dec.Decode(&req); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading request: %w", err)
		}
		var rep Reply
		switch req.Op {
		case OpRun:
			std.restore() // also against goroutines of earlier cells
			rep = run(req)
			std.restore()
		case OpEnv:
			if err := os.Setenv(req.Name, req.Value); err != nil {
				rep.EName, rep.EValue = "env", err.Error()
			}
		default:
			rep.EName, rep.EValue = "worker", fmt.Sprintf("unknown request %q", req.Op)
		}
		rep.ID = req.ID
		// Everything the cell printed or displayed goes out before the reply.
		if gonbui.IsNotebook {
			gonbui.Sync()
		}
		m := EndMarker(req.ID)
		std.out.WriteString(m)
		std.err.WriteString(m)
		if err := enc.Encode(&rep); err != nil {
			return fmt.Errorf("writing reply: %w", err)
		}
	}
}

// limitMemory caps the address space, so that a huge allocation makes the
// Go runtime die with "out of memory" instead of the machine swapping.
func limitMemory() error {
	s := os.Getenv(EnvMemLimit)
	if s == "" || s == "0" {
		return nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("bad %s=%q", EnvMemLimit, s)
	}
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: n, Max: n})
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func run(req Request) (rep Reply) {
	rt.ResetInterrupt()
	rt.ResetStdin()
	rt.TakeResult()
	p, err := plugin.Open(req.Plugin)
	if err != nil {
		rep.EName, rep.EValue = "load error", err.Error()
		return rep
	}
	sym, err := p.Lookup("GodlRun")
	if err != nil {
		rep.EName, rep.EValue = "load error", err.Error()
		return rep
	}
	fn, ok := sym.(func())
	if !ok {
		rep.EName, rep.EValue = "load error", fmt.Sprintf("GodlRun is %T", sym)
		return rep
	}
	if hooks.CellStart != nil {
		safely(hooks.CellStart)
	}
	t0, c0 := time.Now(), cpuSeconds()
	// The cell runs in a goroutine of its own, so that runtime.Goexit in
	// it ends the cell, not the worker's request loop.
	done := make(chan struct{})
	go func() {
		defer close(done)
		returned := false
		defer func() {
			if v := recover(); v != nil {
				rep.Stack = string(debug.Stack())
				rep.Interrupted = rt.Interrupted()
				rep.EName, rep.EValue = describePanic(v)
			} else if !returned {
				rep.EName, rep.EValue = "Goexit", "the cell called runtime.Goexit, which ended it early"
			}
		}()
		fn()
		returned = true
	}()
	<-done
	rep.Wall, rep.CPU = time.Since(t0).Seconds(), cpuSeconds()-c0
	if hooks.Flush != nil {
		safely(hooks.Flush)
	}
	if v, ok := rt.TakeResult(); ok && rep.EName == "" {
		rep.Value, rep.ValueMeta = bundle(v)
	}
	return rep
}

// describePanic gives the Jupyter ename and evalue of a panic value:
// the error's type for errors, "panic" for everything else (runtime
// errors included: their Go type names say nothing to a reader).
func describePanic(v any) (ename, evalue string) {
	if _, ok := v.(runtime.Error); ok {
		return "panic", v.(error).Error()
	}
	if err, ok := v.(error); ok {
		return fmt.Sprintf("%T", v), err.Error()
	}
	return "panic", fmt.Sprint(v)
}

func bundle(v any) (data, meta map[string]any) {
	if hooks.Value != nil {
		ok := safely(func() { data, meta = hooks.Value(v) })
		if ok && data != nil {
			return data, meta
		}
	}
	return map[string]any{"text/plain": fmt.Sprintf("%v", v)}, nil
}

// safely runs f, reporting a panic on stderr instead of killing the worker.
func safely(f func()) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintln(os.Stderr, "godl worker:", v)
			ok = false
		}
	}()
	f()
	return true
}
