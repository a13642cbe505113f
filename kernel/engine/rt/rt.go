// Package rt holds the few helpers that rewritten notebook cells call at run
// time: the cell's result, the interrupt check put into every loop, and
// standard input that asks the front end for a line.
//
// Cell code never names this package itself; the engine's rewriter does.
package rt

import (
	"errors"
	"sync"
	"time"

	"github.com/godl-dev/godl/internal/interrupt"
)

// ErrInterrupted is what Check panics with once the cell was interrupted.
var ErrInterrupted = errors.New("interrupted")

var (
	resultMu  sync.Mutex
	result    any
	hasResult bool
)

// Interrupt raises the process's interrupt flag, which Check, Sleep and
// dl's ops look at.
func Interrupt() { interrupt.Set() }

// ResetInterrupt clears the flag; the worker calls it before each cell.
func ResetInterrupt() { interrupt.Reset() }

// Interrupted reports whether an interrupt is pending.
func Interrupted() bool { return interrupt.Pending() }

// Check is put at the top of every loop body of cell code: it panics when
// the cell was interrupted, which the worker reports as "interrupted".
func Check() {
	if interrupt.Pending() {
		panic(ErrInterrupted)
	}
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
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-interrupt.Done():
	}
	Check()
}

// OutputSync waits until the rich output a cell sent through gonbui itself
// is on its way, so that text printed next comes after it. The rewriter
// puts a call after each statement of a cell that calls gonbui; the worker
// sets it (rt does not import gonbui: every cell links rt).
var OutputSync func()

// SyncOutput calls OutputSync, if set.
func SyncOutput() {
	if f := OutputSync; f != nil {
		f()
	}
}
