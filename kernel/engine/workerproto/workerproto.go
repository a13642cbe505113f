// Package workerproto is the protocol between the engine (in the kernel
// process) and the worker process that runs cells: the requests, the
// messages, the sync markers that order them with the cells' stdout and
// stderr, and the names both sides must agree on. It imports only the
// standard library, so the worker, the cells' runtime and display can all
// use it.
//
// The worker's files:
//
//	fd 0  stdin: answers to input requests, one line each
//	fd 1  stdout and fd 2 stderr: the cells' output, as written (a crash
//	      dump of the worker lands there too, so the engine reads them
//	      directly)
//	fd 3  requests, engine → worker: JSON lines (Request)
//	fd 4  messages, worker → engine: JSON lines (Message), in the order the
//	      cells produced them
//
// Ordering: before each message the worker writes the sync marker of the
// message's Sync number to stdout and to stderr. The engine emits a
// message only once both streams reached its marker (all text written
// before it has gone out), and continues a stream past a marker only once
// the message is out (text written after it follows). So a print, a
// display and a print come out in that order. (Between two messages,
// stdout and stderr, two pipes, each keep their own order; the order of
// a print to one and a print to the other right after it is as the pipes
// deliver them.)
//
// Adding a request: a new Op, its fields in Request (or a JSON Body), a
// case in the worker's request loop. Adding a message the worker sends on
// its own (a comm message, say): a new Kind, its payload type as a field of
// Message, a handler in the engine's table of message handlers.
//
// Comms (Jupyter widgets): a comm message from the front end is an OpComm
// request, served like a cell (one at a time, in order, its outputs in the
// context of that message); the worker's own comm messages are KindComm
// messages, ordered with everything else it prints.
package workerproto

import (
	"bytes"
	"strconv"
)

// File descriptors of the request and message pipes in the worker.
const (
	RequestFD = 3
	MessageFD = 4
)

// RunSymbol is the function every cell package defines, and its plugin's
// main package calls: the cell's top-level statements.
const RunSymbol = "GodlRun"

// VarsSymbol is the function a cell's plugin defines when the cell defines
// variables: it maps each variable's symbol to a pointer to it (%whos).
const VarsSymbol = "GodlVars"

// MIMEClearOutput is the key of the one-entry bundle that asks for a
// clear_output message; its value is the bool "wait". gonbui has no message
// of its own for it, so it travels as display data.
const MIMEClearOutput = "application/vnd.godl.clear-output+json"

// NoInputPrefix starts the line the engine writes to the worker's stdin
// when the front end cannot answer an input request; the rest of the line
// is the reason.
const NoInputPrefix = "\x00godl-no-input:"

// EnvMemLimit is the environment variable with the worker's address-space
// limit in bytes (0 or unset: none), so a runaway allocation kills the
// worker, not the machine.
const EnvMemLimit = "GODL_WORKER_MEMLIMIT"

// Op names a request.
type Op string

// Requests.
const (
	OpRun Op = "run" // load Plugin and call its RunSymbol
	OpEnv Op = "env" // set the environment variable Name to Value
	// OpComm hands Comm, a comm message from the front end, to the
	// widgets; the reply comes once the callbacks it started are done. A
	// rejected comm_open fails with BadRequest.
	OpComm Op = "comm"
	// OpVars describes the values of Vars, for %whos; the reply carries
	// VarInfos in the same order.
	OpVars Op = "vars"
)

// Request is one command from the engine to the worker.
type Request struct {
	Op     Op
	ID     int
	Plugin string `json:",omitempty"` // OpRun: the .so to load and run
	Name   string `json:",omitempty"` // OpEnv
	Value  string `json:",omitempty"` // OpEnv
	// MsgID is the Jupyter id of the message the request serves (OpRun,
	// OpComm): output widgets capture output by it.
	MsgID string   `json:",omitempty"`
	Comm  *Comm    `json:",omitempty"` // OpComm
	Vars  []VarRef `json:",omitempty"` // OpVars
	// Timeit makes OpRun time the cell's value, a func(), instead of
	// showing it (%timeit).
	Timeit *Timeit `json:",omitempty"`
}

// Timeit says how to time a function: Repeat runs of Number calls each;
// 0 picks as IPython does (Number: the first power of ten whose calls take
// at least 0.2 s; Repeat: 7).
type Timeit struct{ Number, Repeat int }

// Timing is what timing gave: the seconds each run of Number calls took.
type Timing struct {
	Number int
	Runs   []float64
}

// CommType says which comm message a Comm is.
type CommType string

// Comm message types.
const (
	CommOpen  CommType = "open"
	CommMsg   CommType = "msg"
	CommClose CommType = "close"
)

// Comm is a comm_open, comm_msg or comm_close, in either direction.
type Comm struct {
	Type     CommType
	ID       string
	Target   string         `json:",omitempty"` // CommOpen: the target name
	Data     map[string]any `json:",omitempty"`
	Metadata map[string]any `json:",omitempty"`
	Buffers  [][]byte       `json:",omitempty"`
}

// VarRef names a notebook variable: the cell that defines it and the
// (exported) symbol in that cell's plugin.
type VarRef struct {
	Name   string // the user's spelling
	Cell   int    // the cell's request ID
	Symbol string
}

// VarInfo describes a variable's value for %whos.
type VarInfo struct {
	Name string
	// Kind is "tensor", "module" or "" (anything else); Missing: the
	// worker no longer has the cell (its plugin was not loaded).
	Kind    string `json:",omitempty"`
	Missing bool   `json:",omitempty"`
	// Info is a short description of any value: the value itself for
	// numbers, strings and the like, a length for collections.
	Info string `json:",omitempty"`
	// Tensors.
	Shape        []int  `json:",omitempty"`
	DType        string `json:",omitempty"`
	RequiresGrad bool   `json:",omitempty"`
	NaN, Inf     int    `json:",omitempty"`
	// Bytes is the size of a tensor's elements, or of a module's
	// parameters.
	Bytes int64 `json:",omitempty"`
	// Modules.
	Params, Trainable int64 `json:",omitempty"`
}

// Kind names a message from the worker.
type Kind string

// Messages.
const (
	KindReply   Kind = "reply"   // a request is done: Reply
	KindDisplay Kind = "display" // display_data or update_display_data: Display
	KindClear   Kind = "clear"   // clear_output: Clear
	KindInput   Kind = "input"   // ask the front end for a line: Input; the answer comes on stdin
	KindComm    Kind = "comm"    // a comm message to the front end: Comm
	KindError   Kind = "error"   // an error output that is not a request's failure (a widget callback's panic): Error
)

// Message is what the worker sends, in order. Exactly the field of its
// Kind is set.
type Message struct {
	Kind Kind
	// Sync is the number of the marker written to stdout and stderr just
	// before the message.
	Sync    uint64
	Reply   *Reply   `json:",omitempty"`
	Display *Display `json:",omitempty"`
	Clear   *Clear   `json:",omitempty"`
	Input   *Input   `json:",omitempty"`
	Comm    *Comm    `json:",omitempty"`
	Error   *Error   `json:",omitempty"`
}

// Error is an error output: EName and EValue as Jupyter shows them, Stack
// the raw stack of the panicking goroutine (the engine keeps the cell
// frames).
type Error struct {
	EName, EValue, Stack string
}

// Failure says how a request failed; "" is success.
type Failure string

// Failures.
const (
	Succeeded   Failure = ""
	Panicked    Failure = "panic"       // the cell panicked: EName, EValue, Stack
	Exited      Failure = "goexit"      // the cell called runtime.Goexit
	Interrupted Failure = "interrupted" // the cell stopped on an interrupt
	LoadFailed  Failure = "load"        // the plugin could not be opened
	// Stale: the plugin was built against other versions of packages than
	// the worker has (the godl source changed under a running kernel).
	Stale      Failure = "stale"
	BadRequest Failure = "request" // the request itself failed (an unknown op, a bad variable)
)

// Reply answers a Request.
type Reply struct {
	ID      int
	Failure Failure `json:",omitempty"`
	// EName and EValue describe the failure; Stack is the raw stack of the
	// panicking goroutine (the engine keeps the cell frames).
	EName, EValue, Stack string `json:",omitempty"`
	// Value is the MIME bundle of the cell's last expression, if it had one.
	Value, ValueMeta map[string]any `json:",omitempty"`
	Wall, CPU        float64        // seconds spent in the cell
	Vars             []VarInfo      `json:",omitempty"` // OpVars
	Timing           *Timing        `json:",omitempty"` // OpRun with Timeit
}

// Display is a rich output. Binary values ([]byte, images) arrive as
// base64 strings, as Jupyter wants them.
type Display struct {
	Data, Metadata map[string]any
	// DisplayID, when set, names the output so later ones with the same
	// id replace it in place.
	DisplayID string `json:",omitempty"`
	// Cell, when set, is the request ID of an earlier cell whose output
	// this joins (the output area a widget callback prints into), instead
	// of the request being served.
	Cell int `json:",omitempty"`
}

// Clear asks for clear_output.
type Clear struct{ Wait bool }

// Input asks the front end for a line.
type Input struct {
	Prompt   string
	Password bool `json:",omitempty"`
}

var (
	markerStart = []byte("\x00\x1egodl-sync-")
	markerEnd   = []byte("\x1e\x00")
)

// Marker is the bytes of sync marker n.
func Marker(n uint64) []byte {
	b := append([]byte(nil), markerStart...)
	b = strconv.AppendUint(b, n, 10)
	return append(b, markerEnd...)
}

// CutMarker finds the first complete sync marker in data: the bytes before
// it, its number and the bytes after it.
func CutMarker(data []byte) (before []byte, n uint64, after []byte, found bool) {
	from := 0
	for {
		i := bytes.Index(data[from:], markerStart)
		if i < 0 {
			return data, 0, nil, false
		}
		i += from
		rest := data[i+len(markerStart):]
		j := bytes.Index(rest, markerEnd)
		if j < 0 {
			return data, 0, nil, false
		}
		if n, err := strconv.ParseUint(string(rest[:j]), 10, 64); err == nil {
			return data[:i], n, rest[j+len(markerEnd):], true
		}
		from = i + 1 // not a marker after all
	}
}

// maxMarker is the length of the longest marker.
var maxMarker = len(Marker(^uint64(0)))

// PartialMarker is how many bytes at the end of data may be the start of a
// marker whose rest has not arrived yet: a reader holds them back.
func PartialMarker(data []byte) int {
	i := bytes.LastIndexByte(data, markerStart[0])
	if i < 0 || len(data)-i >= maxMarker {
		return 0
	}
	tail := data[i:]
	if n := min(len(tail), len(markerStart)); !bytes.Equal(tail[:n], markerStart[:n]) {
		return 0
	}
	return len(tail)
}
