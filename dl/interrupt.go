package dl

import "sync/atomic"

// ErrInterrupted is what CheckInterrupt panics with once Interrupt was called.
var ErrInterrupted = &Error{Op: "dl", Msg: "interrupted"}

// interrupted is the process-wide flag; an atomic load is cheap enough to
// check once per op.
var interrupted atomic.Bool

// Interrupt asks running dl ops (and instrumented loops) to stop: the next
// CheckInterrupt panics with ErrInterrupted. The flag stays set until
// ResetInterrupt, so every loop on the way out stops too.
func Interrupt() { interrupted.Store(true) }

// ResetInterrupt clears the flag set by Interrupt.
func ResetInterrupt() { interrupted.Store(false) }

// Interrupted reports whether Interrupt was called since the last reset.
func Interrupted() bool { return interrupted.Load() }

// CheckInterrupt panics with ErrInterrupted if the flag is set. Long ops
// call it once per call.
func CheckInterrupt() {
	if interrupted.Load() {
		panic(ErrInterrupted)
	}
}
