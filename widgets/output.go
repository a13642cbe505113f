package widgets

import "github.com/godl-dev/godl/display"

// Output is an output area (ipywidgets' Output): what runs inside Capture
// — prints, displays, errors — shows there instead of in the cell's own
// outputs.
//
// It works as ipywidgets' does: while capturing, the model's msg_id is the
// id of the message being served (the cell's execute request, or the comm
// message that started a callback), and the front end (or nbclient) moves
// every output of that message into the area.
type Output struct {
	core
	depth int // nested captures; guarded by m.mu
}

// NewOutput makes an empty output area.
func NewOutput() *Output {
	o := &Output{}
	o.m = newDOMWidget(spec{"OutputModel", outputModule, outputVersion, "OutputView", outputModule, outputVersion}, "",
		map[string]any{"msg_id": "", "outputs": []any{}})
	o.repr = o.String
	o.m.accept = func(key string, v any) (any, bool) {
		// The front end keeps outputs (and reports them back); msg_id is
		// the kernel's to set.
		if key == "outputs" {
			_, ok := v.([]any)
			return v, ok
		}
		return nil, false
	}
	return o
}

// Capture runs f with its output going to the area. A panic in f is shown
// there as an error and goes no further, as ipywidgets' "with out:" does;
// an interrupt goes on up.
func (o *Output) Capture(f func()) {
	o.capture(func() { call(f) })
}

// capture runs f with the area capturing. Outside a request (no message
// id known) it just runs f.
func (o *Output) capture(f func()) {
	id := current().msgID
	if id == "" {
		f()
		return
	}
	o.m.mu.Lock()
	o.depth++
	first := o.depth == 1
	o.m.mu.Unlock()
	if first {
		o.m.set(map[string]any{"msg_id": id})
	}
	defer func() {
		o.m.mu.Lock()
		o.depth--
		last := o.depth == 0
		o.m.mu.Unlock()
		if last {
			o.m.set(map[string]any{"msg_id": ""})
		}
	}()
	f()
}

// Clear empties the area: a clear_output captured by it while a message
// is served; outside one (a goroutine between cells) its outputs are
// emptied in the model itself.
func (o *Output) Clear() {
	if current().msgID == "" {
		o.m.set(map[string]any{"outputs": []any{}})
		return
	}
	o.capture(func() { display.Clear(false) })
}

func (o *Output) String() string { return "Output()" }

// homeOutput is the Output that callbacks of widgets shown in cell print
// into while a comm message is served: made, and added to that cell's
// outputs, the first time. nil when there is no such cell.
func homeOutput(cell int) *Output {
	t := transport()
	if cell == 0 || t == nil {
		return nil
	}
	mu.Lock()
	o := homes[cell]
	mu.Unlock()
	if o != nil && !o.m.isClosed() {
		return o
	}
	o = NewOutput()
	// Empty text: a text-only view of the cell shows nothing for it.
	t.Display(o.m.viewBundle(""), map[string]any{}, cell)
	mu.Lock()
	homes[cell] = o
	mu.Unlock()
	return o
}
