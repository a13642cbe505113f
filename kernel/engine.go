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
	// MsgID is the execute request's Jupyter message id: output widgets
	// capture the outputs of a message by it.
	MsgID string
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
	// Comm sends a comm message to the front end. Unlike outputs it is
	// sent for silent requests too: a widget made there must still exist
	// in the front end.
	Comm(m CommMessage)
	// Error shows an error output that is not the request's own failure
	// (a widget callback that panicked).
	Error(e *CellError)
}

// CommMessage is a comm_open, comm_msg or comm_close, in either direction.
type CommMessage struct {
	Type     MsgType // MsgCommOpen, MsgCommMsg or MsgCommClose
	CommID   string
	Target   string         // comm_open: the target name
	Data     map[string]any // never nil when sent
	Metadata map[string]any // the message's metadata (ipywidgets puts its protocol version there)
	Buffers  [][]byte
}

// Comms is an Engine that serves comms (Jupyter widgets). The kernel
// serves comm messages from the front end on the shell worker, like
// execute requests: one at a time, in order, a message that arrives while
// a cell runs after that cell, as ipykernel does.
type Comms interface {
	// Comm serves a comm message from the front end; msgID is its
	// Jupyter message id. What it causes goes to out, in the message's
	// context. A comm_open the engine cannot serve is answered with a
	// comm_close.
	Comm(ctx context.Context, m CommMessage, msgID string, out Output)
	// CommInfo lists the open comms with the target (all when target is
	// ""): comm id → target name.
	CommInfo(target string) map[string]string
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
