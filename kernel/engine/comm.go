package engine

import (
	"context"
	"maps"
	"sync"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// Comms: the widgets live in the worker. A comm message from the front end
// is an OpComm request, served like a cell (the kernel hands them over one
// at a time, after the running cell); the worker's own comm messages come
// in order with its other output and go to the request being served, or,
// between requests, at once to the latest one's context.

// Comm targets the engine knows by name: it answers the control comm
// itself while no worker runs (there are no widgets then).
const (
	targetControl = "jupyter.widget.control"
	// widgetViewMIME is the MIME type of a widget's view.
	widgetViewMIME = "application/vnd.jupyter.widget-view+json"
)

// Comm serves a comm message from the front end (kernel.Comms). It never
// starts a worker: without one there are no widgets to talk to.
func (e *Engine) Comm(ctx context.Context, m kernel.CommMessage, msgID string, out kernel.Output) {
	e.noteControl(m)
	p, intr := e.startComm()
	if p == nil {
		commWithoutWorker(m, out)
		return
	}
	defer e.endComm()
	c := &wp.Comm{Type: wireCommTypes[m.Type], ID: m.CommID, Target: m.Target, Data: m.Data, Metadata: m.Metadata, Buffers: m.Buffers}
	o := e.exchange(ctx, p, wp.Request{Op: wp.OpComm, ID: -2, MsgID: msgID, Comm: c}, intr, out)
	if o.fate != answered {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.proc == p {
			e.noteDeath("while a widget callback ran", out)
		}
		return
	}
	switch rep := o.reply; rep.Failure {
	case wp.Succeeded:
		if m.Type == kernel.MsgCommClose {
			p.forgetComm(m.CommID)
		}
	case wp.BadRequest:
		// A comm_open nobody takes, or a message for a widget this worker
		// does not have (it was closed, or made by a worker since
		// restarted): closing it makes the front end drop its views.
		if m.Type != kernel.MsgCommClose && (m.Type != kernel.MsgCommOpen || m.Target != targetControl) {
			out.Comm(kernel.CommMessage{Type: kernel.MsgCommClose, CommID: m.CommID})
		}
	default:
		out.Error(e.runtimeError(rep))
	}
}

// noteControl keeps track of the control comms the front end opens: they
// outlive workers (the control comm holds no state).
func (e *Engine) noteControl(m kernel.CommMessage) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case m.Type == kernel.MsgCommOpen && m.Target == targetControl:
		e.controls[m.CommID] = true
	case m.Type == kernel.MsgCommClose:
		delete(e.controls, m.CommID)
	}
}

// startComm returns the live worker, if any, and marks it busy with a
// comm message so that interrupts reach it.
func (e *Engine) startComm() (*proc, chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.proc == nil || !e.proc.alive() {
		return nil, nil
	}
	e.intr = make(chan struct{}, 1)
	return e.proc, e.intr
}

func (e *Engine) endComm() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.intr = nil
}

// commWithoutWorker answers the front end while no worker runs: the
// control comm's request for every widget's state gets none; anything
// else addressed to a widget is closed.
func commWithoutWorker(m kernel.CommMessage, out kernel.Output) {
	switch m.Type {
	case kernel.MsgCommOpen:
		if m.Target != targetControl {
			out.Comm(kernel.CommMessage{Type: kernel.MsgCommClose, CommID: m.CommID})
		}
	case kernel.MsgCommMsg:
		if m.Data["method"] == "request_states" {
			out.Comm(kernel.CommMessage{Type: kernel.MsgCommMsg, CommID: m.CommID, Data: map[string]any{
				"method": "update_states", "states": map[string]any{}, "buffer_paths": []any{},
			}})
			return
		}
		out.Comm(kernel.CommMessage{Type: kernel.MsgCommClose, CommID: m.CommID})
	}
}

// CommInfo lists the open comms (kernel.Comms): the control comms and the
// widgets of the running worker.
func (e *Engine) CommInfo(target string) map[string]string {
	e.mu.Lock()
	p := e.proc
	all := map[string]string{}
	for id := range e.controls {
		all[id] = targetControl
	}
	e.mu.Unlock()
	if p != nil {
		maps.Copy(all, p.openComms())
	}
	for id, t := range all {
		if target != "" && t != target {
			delete(all, id)
		}
	}
	return all
}

var wireCommTypes = map[kernel.MsgType]wp.CommType{
	kernel.MsgCommOpen: wp.CommOpen, kernel.MsgCommMsg: wp.CommMsg, kernel.MsgCommClose: wp.CommClose,
}

var kernelCommTypes = map[wp.CommType]kernel.MsgType{
	wp.CommOpen: kernel.MsgCommOpen, wp.CommMsg: kernel.MsgCommMsg, wp.CommClose: kernel.MsgCommClose,
}

// procWidgets is a worker's comm side.
type procWidgets struct {
	comms  map[string]string // the worker's open comms: id → target
	frames func(stack string) []string
	cells  *cellOutputs
}

// connect gives a fresh worker what its error outputs and its outputs for
// earlier cells need.
func (p *proc) connect(frames func(string) []string, cells *cellOutputs) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.widgets.frames, p.widgets.cells = frames, cells
}

func (p *proc) openComms() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.widgets.comms)
}

func (p *proc) forgetComm(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.widgets.comms, id)
}

// onComm sends a comm message of the worker's: to the request being
// served, else to the latest request's context at once.
func (p *proc) onComm(m *wp.Message) {
	c := m.Comm
	if c == nil {
		return
	}
	t, ok := kernelCommTypes[c.Type]
	if !ok {
		return
	}
	km := kernel.CommMessage{Type: t, CommID: c.ID, Target: c.Target, Data: c.Data, Metadata: c.Metadata, Buffers: c.Buffers}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch t {
	case kernel.MsgCommOpen:
		if p.widgets.comms == nil {
			p.widgets.comms = map[string]string{}
		}
		p.widgets.comms[c.ID] = c.Target
	case kernel.MsgCommClose:
		delete(p.widgets.comms, c.ID)
	}
	to := p.out.to
	if to == nil {
		to = p.out.last
	}
	if to != nil {
		to.Comm(km)
		return
	}
	p.out.pending = append(p.out.pending, func(o kernel.Output) { o.Comm(km) })
}

// onError shows an error output (a widget callback's panic) with the cell
// frames of its stack.
func (p *proc) onError(m *wp.Message) {
	if m.Error == nil {
		return
	}
	p.mu.Lock()
	frames := p.widgets.frames
	p.mu.Unlock()
	ev := rewrite.Unmangle(m.Error.EValue)
	tb := []string{m.Error.EName + ": " + ev}
	if frames != nil {
		tb = append(tb, frames(m.Error.Stack)...)
	}
	ce := cellError(m.Error.EName, ev, tb...)
	p.emit(func(o kernel.Output) { o.Error(ce) })
}

// showInCell shows a display as an output of an earlier cell; false when
// that cell's outputs are not known (any more).
func (p *proc) showInCell(cell int, dd kernel.DisplayData) bool {
	p.mu.Lock()
	cells := p.widgets.cells
	p.mu.Unlock()
	if out := cells.get(cell); out != nil {
		out.Display(dd)
		return true
	}
	return false
}

// keptCells bounds how many cells' Outputs are remembered.
const keptCells = 1000

// cellOutputs remembers where each cell's outputs went, by cell sequence
// number, for outputs that join an earlier cell.
type cellOutputs struct {
	mu    sync.Mutex
	outs  map[int]kernel.Output
	order []int
}

func newCellOutputs() *cellOutputs { return &cellOutputs{outs: map[int]kernel.Output{}} }

func (c *cellOutputs) put(seq int, out kernel.Output) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.outs[seq]; !ok {
		c.order = append(c.order, seq)
	}
	c.outs[seq] = out
	if len(c.order) > keptCells {
		delete(c.outs, c.order[0])
		c.order = c.order[1:]
	}
}

func (c *cellOutputs) get(seq int) kernel.Output {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.outs[seq]
}
