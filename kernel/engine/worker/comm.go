package worker

import (
	"encoding/base64"
	"sync"

	"github.com/godl-dev/godl/kernel/engine/rt"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// FrontEnd is how libraries linked into the worker (widgets) reach the
// front end on their own: comm messages, outputs shown in an earlier
// cell, error outputs. Each goes through the outbox, in order with what
// the cells print. Before Main runs, and after the kernel is gone, they
// are dropped.
type FrontEnd struct{}

// front is the outbox FrontEnd sends through.
var (
	frontMu sync.Mutex
	front   *outbox
)

func setFront(o *outbox) {
	frontMu.Lock()
	defer frontMu.Unlock()
	front = o
}

func frontOutbox() *outbox {
	frontMu.Lock()
	defer frontMu.Unlock()
	return front
}

func (FrontEnd) send(m wp.Message) {
	if o := frontOutbox(); o != nil {
		o.send(m)
	}
}

// Send sends a comm message.
func (f FrontEnd) Send(m *wp.Comm) { f.send(wp.Message{Kind: wp.KindComm, Comm: m}) }

// Display shows a bundle: an output of the message being served when cell
// is 0, else of that earlier cell. []byte values go as base64, as Jupyter
// wants binary data.
func (f FrontEnd) Display(data, metadata map[string]any, cell int) {
	d := make(map[string]any, len(data))
	for k, v := range data {
		if b, ok := v.([]byte); ok {
			v = base64.StdEncoding.EncodeToString(b)
		}
		d[k] = v
	}
	f.send(wp.Message{Kind: wp.KindDisplay, Display: &wp.Display{Data: d, Metadata: metadata, Cell: cell}})
}

// Error shows an error output where output goes now.
func (f FrontEnd) Error(ename, evalue, stack string) {
	f.send(wp.Message{Kind: wp.KindError, Error: &wp.Error{EName: ename, EValue: evalue, Stack: stack}})
}

// serveComm hands a comm message from the front end to the widgets; the
// callbacks it starts run like a cell (interruptible, a Goexit ends only
// them). A comm_open nobody takes fails with BadRequest.
func serveComm(req wp.Request) wp.Reply {
	rt.ResetInterrupt()
	if hooks.Comm == nil || req.Comm == nil {
		return wp.Reply{Failure: wp.BadRequest, EName: "CommError", EValue: "no comm targets in this worker"}
	}
	if hooks.Request != nil {
		safely(func() { hooks.Request(req.MsgID, 0) })
	}
	var err error
	rep := guard(func() { err = hooks.Comm(req.Comm) }, "a widget callback")
	if hooks.Flush != nil {
		safely(hooks.Flush)
	}
	if rep.Failure == wp.Succeeded && err != nil {
		rep.Failure, rep.EName, rep.EValue = wp.BadRequest, "CommError", err.Error()
	}
	return rep
}
