package dl

import "github.com/godl-dev/godl/internal/interrupt"

// ErrInterrupted is what CheckInterrupt panics with once Interrupt was called.
var ErrInterrupted = &Error{Op: "dl", Msg: "interrupted"}

// Interrupt asks running dl ops (and instrumented loops) to stop: the next
// CheckInterrupt panics with ErrInterrupted. The flag stays set until
// ResetInterrupt, so every loop on the way out stops too. It is the one
// flag of the process: a notebook kernel's interrupt sets it as well.
func Interrupt() { interrupt.Set() }

// ResetInterrupt clears the flag set by Interrupt.
func ResetInterrupt() { interrupt.Reset() }

// Interrupted reports whether Interrupt was called since the last reset.
func Interrupted() bool { return interrupt.Pending() }

// CheckInterrupt panics with ErrInterrupted if the flag is set. Long ops
// call it once per call.
func CheckInterrupt() {
	if interrupt.Pending() {
		panic(ErrInterrupted)
	}
}
