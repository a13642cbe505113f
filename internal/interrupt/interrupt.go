// Package interrupt is the one interrupt flag of a process that runs
// notebook cells. The worker sets it when the kernel interrupts a cell; the
// loops of cell code (through the cells' runtime) and dl's long ops check
// it. It is a package of its own, importing nothing of godl, so that dl and
// the cells' runtime share the flag without knowing each other.
package interrupt

import (
	"sync"
	"sync/atomic"
)

var (
	pending atomic.Bool // an atomic load is cheap enough to check once per op

	mu   sync.Mutex
	done = make(chan struct{}) // closed by Set, replaced by Reset
)

// Set raises the flag. It stays set until Reset, so every loop on the way
// out of the cell stops too.
func Set() {
	mu.Lock()
	defer mu.Unlock()
	pending.Store(true)
	select {
	case <-done:
	default:
		close(done)
	}
}

// Reset lowers the flag; the worker calls it before each cell.
func Reset() {
	mu.Lock()
	defer mu.Unlock()
	pending.Store(false)
	select {
	case <-done:
		done = make(chan struct{})
	default:
	}
}

// Pending reports whether the flag is set.
func Pending() bool { return pending.Load() }

// Done is closed once the flag is set (until the next Reset): waits select
// on it to end early.
func Done() <-chan struct{} {
	mu.Lock()
	defer mu.Unlock()
	return done
}
