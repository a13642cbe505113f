package kernel

import (
	"encoding/json"
	"sync"
	"time"
)

// A front end that shows an Output widget (JupyterLab, and nbclient, which
// imitates it) moves every output captured by the widget into it and
// reports the widget's new state back with a comm_msg on shell: one echo
// per captured output or clear_output(wait=false).
//
// nbclient sends that echo from its iopub task with a plain send on the
// shell socket, beside the asyncio poll that waits for the execute_reply
// (jupyter/nbclient#312). If the reply is already in the client's socket
// when the echo goes out, the send consumes the socket's edge-triggered
// wake-up and the poll sleeps until nbclient's cell timeout: `nbconvert
// --execute` stops for the whole timeout (900 s in the tests) on a cell
// that captured output, more often the busier the machine.
//
// So the execute_reply of a request whose outputs went into an Output
// widget waits until the front end has echoed them: the reply then reaches
// a client that has nothing more to send. The wait is bounded by echoWait,
// and a front end that lets one wait run out without echoing anything is
// not waited for again until it sends an Output widget's state.

// echoWait bounds how long a reply waits for the echoes it is owed.
var echoWait = 5 * time.Second

// echoLedger tracks which Output widgets capture which message's outputs
// and the echoes the front end owes for them. It is safe for concurrent
// use: publishers charge it, the shell reader pays it.
type echoLedger struct {
	mu        sync.Mutex
	outputs   map[string]bool   // comms with a msg_id state: Output widgets
	capturing map[string]string // Output comm id → msg_id it captures
	queue     []string          // msg_id of each echo owed, oldest first
	owed      map[string]int    // msg_id → echoes owed for its outputs
	arrived   chan struct{}     // closed (and replaced) when an echo arrives
	deaf      bool              // the front end let a wait run out silently
}

func newEchoLedger() *echoLedger {
	return &echoLedger{
		outputs:   map[string]bool{},
		capturing: map[string]string{},
		owed:      map[string]int{},
		arrived:   make(chan struct{}),
	}
}

// noteComm follows the msg_id state of the comms the kernel publishes
// (only Output widgets have one): set, the comm captures that message's
// outputs; empty or closed, it captures nothing.
func (l *echoLedger) noteComm(t MsgType, commID string, data map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t == MsgCommClose {
		delete(l.outputs, commID)
		delete(l.capturing, commID)
		return
	}
	state, _ := data["state"].(map[string]any)
	id, ok := state["msg_id"].(string)
	if ok {
		l.outputs[commID] = true
	}
	switch {
	case !ok:
	case id == "":
		delete(l.capturing, commID)
	default:
		l.capturing[commID] = id
	}
}

// noteOutput charges one echo when an output of message parentID goes into
// an Output widget (of several capturing one message, the front end gives
// it to one). Echoes come in the order the outputs were published.
func (l *echoLedger) noteOutput(parentID string) {
	if parentID == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.deaf {
		return
	}
	for _, id := range l.capturing {
		if id == parentID {
			l.queue = append(l.queue, id)
			l.owed[id]++
			return
		}
	}
}

// echo records a comm_msg from the front end on comm commID.
func (l *echoLedger) echo(commID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.outputs[commID] {
		return
	}
	l.deaf = false
	if len(l.queue) == 0 {
		return
	}
	if l.owed[l.queue[0]]--; l.owed[l.queue[0]] <= 0 {
		delete(l.owed, l.queue[0])
	}
	l.queue = l.queue[1:]
	close(l.arrived)
	l.arrived = make(chan struct{})
}

// await returns once the echoes owed for msgID's outputs have arrived,
// echoWait has passed, or stop is closed. A wait that runs out with no
// echo at all marks the front end deaf; what it was owed is dropped.
func (l *echoLedger) await(msgID string, stop <-chan struct{}) {
	timeout := time.NewTimer(echoWait)
	defer timeout.Stop()
	heard := false
	for {
		l.mu.Lock()
		if l.owed[msgID] == 0 {
			l.mu.Unlock()
			return
		}
		arrived := l.arrived
		l.mu.Unlock()
		select {
		case <-arrived:
			heard = true
		case <-stop:
			return
		case <-timeout.C:
			l.mu.Lock()
			l.deaf = l.deaf || !heard
			delete(l.owed, msgID)
			kept := l.queue[:0]
			for _, id := range l.queue {
				if id != msgID {
					kept = append(kept, id)
				}
			}
			l.queue = kept
			l.mu.Unlock()
			return
		}
	}
}

// commIDOf reads the comm_id of a comm message's content ("" if none).
func commIDOf(content json.RawMessage) string {
	var c struct {
		CommID string `json:"comm_id"`
	}
	json.Unmarshal(content, &c)
	return c.CommID
}
