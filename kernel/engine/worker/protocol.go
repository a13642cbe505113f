package worker

import "fmt"

// Request is one command from the engine to the worker, a JSON line on the
// worker's fd 3.
type Request struct {
	Op     string // OpRun, OpEnv or OpMem
	ID     int
	Plugin string // OpRun: the .so to load and run
	Name   string // OpEnv
	Value  string // OpEnv
}

// Request operations.
const (
	OpRun = "run" // load Plugin and call its GodlRun
	OpEnv = "env" // set the environment variable Name to Value
	OpMem = "mem" // report the worker's memory (Reply.Mem)
)

// Reply answers a Request, as a JSON line on fd 4.
type Reply struct {
	ID int
	// Value is the MIME bundle of the cell's last expression, if it had one.
	Value, ValueMeta map[string]any
	// EName is set when the cell failed; Stack is the raw stack of the
	// panicking goroutine (the engine keeps the cell frames).
	EName, EValue, Stack string
	Interrupted          bool
	Wall, CPU            float64   // seconds spent in the cell
	Mem                  *MemStats // OpMem
}

// EndMarker is written to the worker's stdout and stderr after request id
// finished, so the engine knows every byte of that cell's output arrived.
func EndMarker(id int) string { return fmt.Sprintf("\x00\x1egodl-end-%d\x1e\x00", id) }

// Environment variables the engine sets for the worker.
const (
	// EnvMemLimit is the address-space limit in bytes (0 or unset: none),
	// so a runaway allocation kills the worker, not the machine.
	EnvMemLimit = "GODL_WORKER_MEMLIMIT"
)
