// Package worker is the process that loads and runs cell plugins. The
// engine builds a small main package around it (linking dl, display,
// gonum and plot so cell plugins share them) and talks to it as
// workerproto describes: requests on fd 3, messages on fd 4, the cells'
// output on stdout and stderr.
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
	"strings"
	"syscall"
	"time"

	"github.com/godl-dev/godl/kernel/engine/rt"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
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
	// Request runs before each request that runs notebook code, with the
	// Jupyter id of the message it serves and the cell's request ID (0
	// for a comm message): widgets.BeginRequest.
	Request func(msgID string, cell int)
	// Comm serves a comm message from the front end and returns once the
	// callbacks it started are done; an error rejects a comm_open
	// (widgets.Receive).
	Comm func(m *wp.Comm) error
	// Describe describes a variable's value for %whos (its Name is filled
	// in by the worker).
	Describe func(v any) wp.VarInfo
	// MemLimit is told the worker's memory limit in bytes
	// (dl.SetMemoryLimit), so that an allocation past it fails its cell
	// instead of the runtime's fatal out-of-memory ending the worker.
	MemLimit func(bytes uint64)
}

var hooks Hooks

// Setup installs the hooks; call it before Main.
func Setup(h Hooks) { hooks = h }

// Main runs `godl worker`: it serves requests until fd 3 is closed.
func Main(args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("worker takes no arguments, got %q", args)
	}
	in, msgs := os.NewFile(wp.RequestFD, "requests"), os.NewFile(wp.MessageFD, "messages")
	if _, err := in.Stat(); err != nil {
		return errors.New("the worker is started by the kernel (it needs its request pipe on fd 3)")
	}
	// Processes the cells start must not inherit the request and message
	// pipes: the engine reads a closed request pipe as the worker's end.
	syscall.CloseOnExec(wp.RequestFD)
	syscall.CloseOnExec(wp.MessageFD)
	if err := limitMemory(); err != nil {
		fmt.Fprintln(os.Stderr, "godl worker: memory limit:", err)
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
	out := newOutbox(std, msgs)
	setFront(out)
	rt.InputRequester = out.input
	if err := serveGonbui(out); err != nil {
		fmt.Fprintln(os.Stderr, "godl worker: rich output:", err)
	}
	if gonbui.IsNotebook {
		rt.OutputSync = gonbui.Sync
	}
	return serve(json.NewDecoder(in), out, std)
}

// serve answers requests until the engine closes the request pipe.
func serve(dec *json.Decoder, out *outbox, std *stdio) error {
	for {
		var req wp.Request
		if err := dec.Decode(&req); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading request: %w", err)
		}
		var rep wp.Reply
		switch req.Op {
		case wp.OpRun:
			std.restore() // also against goroutines of earlier cells
			rep = run(req)
			std.restore()
		case wp.OpMem:
			rep.Mem = memStats()
		case wp.OpEnv:
			if err := os.Setenv(req.Name, req.Value); err != nil {
				rep.Failure, rep.EName, rep.EValue = wp.BadRequest, "env", err.Error()
			}
		case wp.OpComm:
			std.restore()
			rep = serveComm(req)
			std.restore()
		case wp.OpVars:
			rep = describeVars(req.Vars)
		default:
			rep.Failure, rep.EName, rep.EValue = wp.BadRequest, "worker", fmt.Sprintf("unknown request %q", req.Op)
		}
		rep.ID = req.ID
		// What the cell sent through gonbui goes out before the reply.
		rt.SyncOutput()
		if err := out.reply(&rep); err != nil {
			return err
		}
	}
}

// limitMemory caps the address space, so that a huge allocation makes the
// Go runtime die with "out of memory" instead of the machine swapping.
func limitMemory() error {
	s := os.Getenv(wp.EnvMemLimit)
	if s == "" || s == "0" {
		return nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("bad %s=%q", wp.EnvMemLimit, s)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		return err
	}
	if hooks.MemLimit != nil {
		hooks.MemLimit(n)
	}
	return nil
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// load opens a cell's plugin and finds its run function, and the function
// that reaches its variables (for %whos), if it has one.
func load(path string) (func(), func() map[string]any, *wp.Reply) {
	fail := func(err error) (func(), func() map[string]any, *wp.Reply) {
		rep := &wp.Reply{Failure: wp.LoadFailed, EName: "LoadError", EValue: err.Error()}
		// The runtime's words for a plugin built against other package
		// versions than the worker's.
		if strings.Contains(rep.EValue, "different version of package") {
			rep.Failure = wp.Stale
		}
		return nil, nil, rep
	}
	p, err := plugin.Open(path)
	if err != nil {
		return fail(err)
	}
	pluginsLoaded++
	sym, err := p.Lookup(wp.RunSymbol)
	if err != nil {
		return fail(err)
	}
	fn, ok := sym.(func())
	if !ok {
		return fail(fmt.Errorf("%s is %T", wp.RunSymbol, sym))
	}
	var vars func() map[string]any
	if sym, err := p.Lookup(wp.VarsSymbol); err == nil {
		vars, _ = sym.(func() map[string]any)
	}
	return fn, vars, nil
}

func run(req wp.Request) (rep wp.Reply) {
	rt.ResetInterrupt()
	rt.ResetStdin()
	rt.TakeResult()
	fn, vars, failed := load(req.Plugin)
	if failed != nil {
		return *failed
	}
	keepVars(req.ID, vars)
	if hooks.CellStart != nil {
		safely(hooks.CellStart)
	}
	if hooks.Request != nil {
		safely(func() { hooks.Request(req.MsgID, req.ID) })
	}
	t0, c0 := time.Now(), cpuSeconds()
	var timing *wp.Timing
	rep = guard(func() {
		fn()
		if req.Timeit != nil {
			timing = timeCellValue(*req.Timeit)
		}
	}, "the cell")
	rep.Timing = timing
	rep.Wall, rep.CPU = time.Since(t0).Seconds(), cpuSeconds()-c0
	if hooks.Flush != nil {
		safely(hooks.Flush)
	}
	if v, ok := rt.TakeResult(); ok && rep.Failure == wp.Succeeded && req.Timeit == nil {
		rep.Value, rep.ValueMeta = bundle(v)
	}
	return rep
}

// guard runs f in a goroutine of its own, so that runtime.Goexit in it
// ends f, not the worker's request loop, and turns a panic or a Goexit into
// the reply's failure; what names f in messages ("the cell").
func guard(f func(), what string) (rep wp.Reply) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		returned := false
		defer func() {
			if v := recover(); v != nil {
				rep.Stack = string(debug.Stack())
				rep.Failure = wp.Panicked
				if rt.Interrupted() {
					rep.Failure = wp.Interrupted
				}
				rep.EName, rep.EValue = describePanic(v)
			} else if !returned {
				rep.Failure, rep.EName, rep.EValue = wp.Exited, "Goexit", what+" called runtime.Goexit, which ended it early"
			}
		}()
		f()
		returned = true
	}()
	<-done
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
