package kernel

import "context"

// MIMEBundle maps a MIME type to its data, as in the data field of
// display_data and execute_result messages.
type MIMEBundle map[string]any

// DisplayData is one rich output of a running cell.
type DisplayData struct {
	Data     MIMEBundle
	Metadata map[string]any
	// DisplayID, when set, goes out as transient.display_id so the output
	// can be replaced in place later.
	DisplayID string
	// Update sends update_display_data (DisplayID required) instead of
	// display_data.
	Update bool
}

// ExecuteRequest is what the engine needs from an execute_request.
type ExecuteRequest struct {
	Code           string
	Silent         bool
	StoreHistory   bool
	AllowStdin     bool
	ExecutionCount int
}

// Output receives what a cell produces while it runs. The kernel turns
// each call into an iopub (or stdin) message in the parent's context.
type Output interface {
	Stream(name, text string) // name is "stdout" or "stderr"
	Display(d DisplayData)
	ClearOutput(wait bool)
	// Input asks the front end for a line (input_request on stdin). It
	// fails when the request did not allow stdin.
	Input(prompt string, password bool) (string, error)
}

// CellError is a failed cell, as sent in the error reply and iopub error.
type CellError struct {
	EName     string
	EValue    string
	Traceback []string // never empty
}

// ExecuteResult is the outcome of one cell.
type ExecuteResult struct {
	Value   *DisplayData     // execute_result, nil when the cell has no value
	Error   *CellError       // nil on success
	Payload []map[string]any // execute_reply payloads, e.g. the pager
}

// Completion answers complete_request. Start and End are byte offsets
// into the code; the kernel converts them to code points for the wire.
type Completion struct {
	Matches    []string
	Start, End int
	Metadata   map[string]any
}

// Inspection answers inspect_request.
type Inspection struct {
	Found bool
	Data  MIMEBundle
}

// Engine runs cells. The kernel process never runs user code itself: the
// engine does, in a worker process it can restart. Cursor positions are
// byte offsets into code.
type Engine interface {
	Execute(ctx context.Context, req ExecuteRequest, out Output) ExecuteResult
	Complete(code string, cursor int) Completion
	Inspect(code string, cursor, detailLevel int) Inspection
	// Interrupt asks the running cell to stop; it returns at once.
	Interrupt()
	// Close stops the worker and frees its resources.
	Close() error
}
