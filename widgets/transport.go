package widgets

import (
	"fmt"
	"sync"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// Comm targets.
const (
	// TargetWidget is the comm target of every widget model.
	TargetWidget = "jupyter.widget"
	// TargetControl is the comm a front end opens to fetch every
	// widget's state in one message (request_states).
	TargetControl = "jupyter.widget.control"
)

// Protocol versions, as ipywidgets 8 states them.
const (
	protocolVersion = "2.1.0" // comm_open metadata
	viewMajor       = 2       // widget-view+json version
	viewMinor       = 0
)

// Transport carries widget traffic to the front end. The notebook runtime
// installs one; its methods must be safe for concurrent use and must have
// handed the message on, in order with the text printed before it, when
// they return.
type Transport interface {
	// Send sends a comm message.
	Send(m *wp.Comm)
	// Display shows a MIME bundle as an output: of the message being
	// served when cell is 0, else of that earlier cell.
	Display(data, metadata map[string]any, cell int)
	// Error shows an error output where output goes now; stack is the
	// raw stack of the panicking goroutine.
	Error(ename, evalue, stack string)
}

// request is what the runtime serves while widget code runs.
type request struct {
	msgID string // the Jupyter message id (Output widgets capture by it)
	cell  int    // the cell's number; 0 while a comm message is served
}

var (
	mu sync.Mutex // guards the variables below
	tr Transport
	// cur is the message being served.
	cur request
	// models holds every open widget by model id.
	models = map[string]*model{}
	// controls are the open jupyter.widget.control comms.
	controls = map[string]bool{}
	// homes are the Output widgets that callbacks outside any Output
	// print into, one per cell that showed or made a widget.
	homes = map[int]*Output{}
)

// SetTransport installs the transport to the front end (nil: none).
func SetTransport(t Transport) {
	mu.Lock()
	defer mu.Unlock()
	tr = t
}

func transport() Transport {
	mu.Lock()
	defer mu.Unlock()
	return tr
}

// BeginRequest tells the package which message the runtime serves next:
// its Jupyter message id, and the cell's number for an execute request (0
// for a comm message).
func BeginRequest(msgID string, cell int) {
	mu.Lock()
	defer mu.Unlock()
	cur = request{msgID: msgID, cell: cell}
}

func current() request {
	mu.Lock()
	defer mu.Unlock()
	return cur
}

// send hands a comm message to the transport, if there is one.
func send(m *wp.Comm) {
	if t := transport(); t != nil {
		t.Send(m)
	}
}

// Receive serves a comm message from the front end. It returns once the
// callbacks the message started are done; an error rejects a comm_open
// (the front end is then sent a comm_close).
func Receive(m *wp.Comm) error {
	switch m.Type {
	case wp.CommOpen:
		switch m.Target {
		case TargetControl:
			mu.Lock()
			controls[m.ID] = true
			mu.Unlock()
			return nil
		case TargetWidget:
			return fmt.Errorf("widgets: models made by the front end are not supported (comm %s)", m.ID)
		}
		return fmt.Errorf("no comm target %q", m.Target)
	case wp.CommClose:
		mu.Lock()
		delete(controls, m.ID)
		w := models[m.ID]
		delete(models, m.ID)
		mu.Unlock()
		if w != nil {
			w.markClosed()
		}
		return nil
	case wp.CommMsg:
		method, _ := m.Data["method"].(string)
		if method == "request_states" {
			// The method is the control comm's own: answer it even on a
			// comm opened before this worker started.
			sendStates(m.ID)
			return nil
		}
		mu.Lock()
		w := models[m.ID]
		mu.Unlock()
		if w == nil {
			return fmt.Errorf("widgets: no widget %s (it was closed, or made by a worker that has since restarted)", m.ID)
		}
		w.receive(method, m.Data)
		return nil
	}
	return fmt.Errorf("widgets: unknown comm message type %q", m.Type)
}

// sendStates answers request_states: every open widget's whole state.
func sendStates(commID string) {
	mu.Lock()
	all := make([]*model, 0, len(models))
	for _, w := range models {
		all = append(all, w)
	}
	mu.Unlock()
	states := make(map[string]any, len(all))
	for _, w := range all {
		states[w.id] = map[string]any{
			"model_name":           w.spec.model,
			"model_module":         w.spec.module,
			"model_module_version": w.spec.version,
			"state":                w.stateCopy(),
		}
	}
	send(&wp.Comm{Type: wp.CommMsg, ID: commID, Data: map[string]any{
		"method": "update_states", "states": states, "buffer_paths": []any{},
	}})
}

// register makes w reachable by its model id.
func register(w *model) {
	mu.Lock()
	defer mu.Unlock()
	models[w.id] = w
}

// unregister forgets w (closed from Go).
func unregister(w *model) {
	mu.Lock()
	defer mu.Unlock()
	delete(models, w.id)
}
