// Package rt holds the few helpers that rewritten notebook cells call at run
// time: the cell's result, the interrupt check put into every loop, and
// standard input that asks the front end for a line.
//
// Cell code never names this package itself; the engine's rewriter does.
package rt

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// ErrInterrupted is what Check panics with when no interrupt hook is set.
var ErrInterrupted = errors.New("interrupted")

var (
	interrupted atomic.Bool

	hookMu    sync.Mutex
	onSet     func()                // e.g. dl.Interrupt
	onReset   func()                // e.g. dl.ResetInterrupt
	onCheck   func()                // e.g. dl.CheckInterrupt, panics with the library's error
	stop      = make(chan struct{}) // closed by Interrupt, for Sleep
	resultMu  sync.Mutex
	result    any
	hasResult bool
)

// SetInterruptHooks connects the interrupt flag to a library's own flag, so
// an interrupt also stops library ops and loops panic with the library's
// error value.
func SetInterruptHooks(set, reset, check func()) {
	hookMu.Lock()
	defer hookMu.Unlock()
	onSet, onReset, onCheck = set, reset, check
}

// Interrupt sets the flag that Check looks at.
func Interrupt() {
	interrupted.Store(true)
	hookMu.Lock()
	f := onSet
	select {
	case <-stop:
	default:
		close(stop)
	}
	hookMu.Unlock()
	if f != nil {
		f()
	}
}

// ResetInterrupt clears the flag; the worker calls it before each cell.
func ResetInterrupt() {
	interrupted.Store(false)
	hookMu.Lock()
	f := onReset
	select {
	case <-stop:
		stop = make(chan struct{})
	default:
	}
	hookMu.Unlock()
	if f != nil {
		f()
	}
}

// Interrupted reports whether an interrupt is pending.
func Interrupted() bool { return interrupted.Load() }

// Check is put at the top of every loop body of cell code: it panics when
// the cell was interrupted, which the worker reports as "interrupted".
func Check() {
	if !interrupted.Load() {
		return
	}
	hookMu.Lock()
	f := onCheck
	hookMu.Unlock()
	if f != nil {
		f()
	}
	panic(ErrInterrupted)
}

// SetResult records the value of a cell's last expression.
func SetResult(v any) {
	resultMu.Lock()
	defer resultMu.Unlock()
	result, hasResult = v, true
}

// TakeResult returns and forgets the recorded value.
func TakeResult() (any, bool) {
	resultMu.Lock()
	defer resultMu.Unlock()
	v, ok := result, hasResult
	result, hasResult = nil, false
	return v, ok
}

// Sleep replaces time.Sleep in cell code: an interrupt ends it at once.
func Sleep(d time.Duration) {
	hookMu.Lock()
	ch := stop
	hookMu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ch:
	}
	Check()
}
