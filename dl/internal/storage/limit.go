package storage

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// The memory limit. The process may be capped (the notebook worker sets
// RLIMIT_AS), and past the cap the Go runtime cannot recover: a failed
// mapping is a fatal "out of memory" that ends the process and every value
// in it. So a buffer is checked against the limit before it is allocated,
// and one that would not fit fails its op with an ordinary panic.
//
// The check compares with the address space the OS counts (the size in
// /proc/self/statm, reservations included), which grows by the size of
// every allocation Go cannot serve from memory it already has. Reading it
// costs a few microseconds, so a full check hands out a credit, a quarter
// of the room it found, that allocations draw on until the next one.

var limit struct {
	bytes  atomic.Uint64 // 0: no limit
	credit atomic.Int64  // bytes that may be allocated before the next full check
	mu     sync.Mutex    // one full check at a time
}

// Fail reports an allocation the limit refuses; it must not return. dl
// sets it to panic with its *Error, so that a refused allocation reads
// like any other failed op.
var Fail = func(op, msg string) { panic(op + ": " + msg) }

// SetLimit sets the most address space, in bytes, the process may use; 0
// removes the limit. It also sets the collector's soft memory limit below
// it (when that is lower than the one in force), so that garbage is
// collected before the heap grows into the hard limit.
func SetLimit(bytes uint64) {
	limit.mu.Lock()
	defer limit.mu.Unlock()
	limit.bytes.Store(bytes)
	limit.credit.Store(0)
	if bytes == 0 {
		return
	}
	// Address space Go's heap does not account for: the runtime's
	// reservations, the binary, plugins, thread stacks.
	other := int64(addressSpace()) - int64(goMapped())
	soft := int64(bytes) - max(other, 0) - margin(bytes)
	if soft > 0 && soft < debug.SetMemoryLimit(-1) {
		debug.SetMemoryLimit(soft)
	}
}

// Limit returns the limit set by SetLimit, 0 for none.
func Limit() uint64 { return limit.bytes.Load() }

// margin is the room kept free for what is not checked: goroutine and
// thread stacks, loaded code, the runtime's own metadata.
func margin(lim uint64) int64 { return max(64<<20, int64(lim/32)) }

// checkLimit calls Fail when allocating bytes more would take the process
// past the limit. n and shape describe the request for the message.
func checkLimit(bytes, n int, shape []int) {
	if limit.bytes.Load() == 0 || limit.credit.Add(-int64(bytes)) >= 0 {
		return
	}
	fullCheck(bytes, n, shape)
}

func fullCheck(bytes, n int, shape []int) {
	limit.mu.Lock()
	defer limit.mu.Unlock()
	lim := limit.bytes.Load()
	if lim == 0 {
		return
	}
	used := addressSpace()
	room := int64(lim) - int64(used) - margin(lim)
	if int64(bytes) <= room {
		limit.credit.Store((room - int64(bytes)) / 4)
		return
	}
	// Dead tensors may hold memory the runtime would reuse instead of
	// mapping more: collect them, then count the heap's free pages. Only
	// half of them, as a large buffer needs a contiguous run of pages and
	// the free ones may be scattered.
	runtime.GC()
	used = addressSpace()
	room = int64(lim) - int64(used) - margin(lim) + int64(heapFree()/2)
	if int64(bytes) <= room {
		limit.credit.Store((room - int64(bytes)) / 4)
		return
	}
	limit.credit.Store(0)
	what := fmt.Sprintf("%d float32s", n)
	if shape != nil {
		what = fmt.Sprintf("a tensor of shape %v", shape)
	}
	Fail(callerOp(), fmt.Sprintf("out of memory: %s needs %s, but the memory limit is %s and %s of it is in use",
		what, human(uint64(bytes)), human(lim), human(used)))
}

// human formats a byte count for a reader: 1.5 GiB, 300 MiB.
func human(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", b)
}

// addressSpace is the process's virtual size as the OS counts it against
// RLIMIT_AS; where /proc is missing, the memory Go has mapped.
func addressSpace() uint64 {
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if pages, err := strconv.ParseUint(f[0], 10, 64); err == nil {
				return pages * uint64(os.Getpagesize())
			}
		}
	}
	return goMapped()
}

var memSamples = []string{
	"/memory/classes/total:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
}

func readMetrics() []metrics.Sample {
	s := make([]metrics.Sample, len(memSamples))
	for i, n := range memSamples {
		s[i].Name = n
	}
	metrics.Read(s)
	return s
}

// goMapped is the memory the Go runtime has mapped.
func goMapped() uint64 { return readMetrics()[0].Value.Uint64() }

// heapFree is the heap memory Go holds but does not use, which it can hand
// out again without mapping more.
func heapFree() uint64 {
	s := readMetrics()
	return s[1].Value.Uint64() + s[2].Value.Uint64()
}

// root is the import path of package dl, whose packages name the ops.
var root = strings.TrimSuffix(reflect.TypeFor[Stats]().PkgPath(), "/internal/storage")

// callerOp names the op that asked for memory: the innermost exported
// function of dl's packages on the stack ("Conv2dOp", "Sum",
// "BatchNorm.Forward"), with " backward" when it is a closure that
// Backward runs.
func callerOp() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	op := ""
	closure := false
	for {
		f, more := frames.Next()
		name, isClosure, ok := opName(f.Function)
		if ok && op == "" {
			op, closure = name, isClosure
		}
		if op != "" && closure && strings.HasSuffix(f.Function, ").backward") {
			return op + " backward"
		}
		if !more {
			break
		}
	}
	if op == "" {
		return "dl"
	}
	return op
}

// opName reads a function name such as ".../dl/nn.Conv2dOp.func2" or
// ".../dl.(*Tensor).Sum": the exported function or method of a package
// of dl (not its internal ones) that it is or is a closure of.
func opName(fn string) (name string, closure, ok bool) {
	rest, found := strings.CutPrefix(fn, root)
	if !found || strings.HasPrefix(rest, "/internal/") {
		return "", false, false
	}
	// rest is ".Sym..." or "/pkg.Sym..."
	if i := strings.Index(rest, "."); i >= 0 {
		rest = rest[i+1:]
	} else {
		return "", false, false
	}
	parts := strings.Split(rest, ".")
	name, recv := parts[0], ""
	if strings.HasPrefix(name, "(") && len(parts) > 1 { // a method: (*T).M
		recv = strings.Trim(name, "(*)")
		name = parts[1]
		parts = parts[1:]
	}
	if i := strings.Index(name, "["); i >= 0 { // generic instantiation
		name = name[:i]
	}
	if name == "" || name[0] < 'A' || name[0] > 'Z' {
		return "", false, false
	}
	if recv != "" && recv != "Tensor" { // a layer's method: BatchNorm.Forward
		name = recv + "." + name
	}
	return name, len(parts) > 1, true
}
