package widgets

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"runtime/debug"
	"sync"

	"github.com/godl-dev/godl/internal/interrupt"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// Model modules and their versions, as ipywidgets 8 names them.
const (
	baseModule      = "@jupyter-widgets/base"
	baseVersion     = "2.0.0"
	controlsModule  = "@jupyter-widgets/controls"
	controlsVersion = "2.0.0"
	outputModule    = "@jupyter-widgets/output"
	outputVersion   = "1.0.0"
)

// spec is a model class: the names that pick the front end's model and
// view.
type spec struct {
	model, module, version        string // _model_name, _model_module, _model_module_version
	view, viewModule, viewVersion string // _view_name, _view_module, _view_module_version
}

// control is the spec of a model and view of @jupyter-widgets/controls.
func control(name string) spec {
	return spec{name + "Model", controlsModule, controlsVersion, name + "View", controlsModule, controlsVersion}
}

// model is one widget model: its comm, its synced state and its
// callbacks. Every widget type wraps one.
type model struct {
	id   string
	spec spec

	mu    sync.Mutex
	state map[string]any // the synced attributes, as JSON values
	// accept turns a value the front end sent for key into the state's
	// (validating it); ok false ignores the key. Keys not in state are
	// always ignored.
	accept func(key string, v any) (any, bool)
	// watched is the key whose changes run the observers.
	watched   string
	observers []observer
	// custom handles the front end's custom messages (a button's click).
	custom func(content map[string]any) []observer
	// home is the cell that last showed the widget, or made it.
	home   int
	closed bool
	// parts are models this one owns (its layout and style).
	parts []*model
}

// watchKey makes key the watched one and check the judge of the values the
// front end sends for it (ok false refuses one); every other key is taken
// as sent.
func (w *model) watchKey(key string, check func(v any) (any, bool)) {
	w.watched = key
	w.accept = func(k string, v any) (any, bool) {
		if k != key {
			return v, true
		}
		return check(v)
	}
}

// observer is a callback; captures says it prints into an Output of its
// own (Interact's), so it needs no home Output.
type observer struct {
	fn       func()
	captures bool
}

// newID is a comm id: 32 hex digits, as ipykernel's uuid4().hex.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ref is how a state refers to another model.
func (w *model) ref() string { return "IPY_MODEL_" + w.id }

// newModel opens a model with the given attributes beside the spec's
// names, sending its comm_open with the whole state.
func newModel(s spec, attrs map[string]any, parts ...*model) *model {
	state := map[string]any{
		"_model_name": s.model, "_model_module": s.module, "_model_module_version": s.version,
		"_view_name": s.view, "_view_module": s.viewModule, "_view_module_version": s.viewVersion,
	}
	if s.view == "" {
		state["_view_name"] = nil
	}
	maps.Copy(state, attrs)
	w := &model{id: newID(), spec: s, state: state, home: current().cell, parts: parts}
	register(w)
	send(&wp.Comm{
		Type: wp.CommOpen, ID: w.id, Target: TargetWidget,
		Data:     map[string]any{"state": w.stateCopy(), "buffer_paths": []any{}},
		Metadata: map[string]any{"version": protocolVersion},
	})
	return w
}

// stateCopy is a deep copy of the state, safe to hand to the transport.
func (w *model) stateCopy() map[string]any {
	w.mu.Lock()
	defer w.mu.Unlock()
	return deepCopy(w.state)
}

func deepCopy(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = copyValue(v)
	}
	return c
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return deepCopy(x)
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = copyValue(e)
		}
		return c
	case []string:
		return append([]string(nil), x...)
	}
	return v
}

// get reads one attribute.
func (w *model) get(key string) any {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state[key]
}

// sendState sends an update with the given keys (all when none).
func (w *model) sendState(keys ...string) {
	w.mu.Lock()
	st := map[string]any{}
	if len(keys) == 0 {
		st = deepCopy(w.state)
	}
	for _, k := range keys {
		st[k] = copyValue(w.state[k])
	}
	closed := w.closed
	w.mu.Unlock()
	if !closed {
		send(&wp.Comm{Type: wp.CommMsg, ID: w.id, Data: map[string]any{"method": "update", "state": st, "buffer_paths": []any{}}})
	}
}

// set changes attributes from Go: the front end gets an update with the
// keys that changed, then the observers run if the watched key changed.
func (w *model) set(attrs map[string]any) {
	w.mu.Lock()
	var changed []string
	for k, v := range attrs {
		if !sameJSON(w.state[k], v) {
			w.state[k] = v
			changed = append(changed, k)
		}
	}
	obs := w.observersFor(changed)
	w.mu.Unlock()
	if len(changed) > 0 {
		w.sendState(changed...)
	}
	fire(w, obs)
}

// observersFor are the observers to run after keys changed; w.mu is held.
func (w *model) observersFor(keys []string) []observer {
	for _, k := range keys {
		if k == w.watched {
			return append([]observer(nil), w.observers...)
		}
	}
	return nil
}

// observe adds a callback for changes of the watched key.
func (w *model) observe(o observer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.observers = append(w.observers, o)
}

// receive serves one comm_msg of the widget from the front end.
func (w *model) receive(method string, data map[string]any) {
	switch method {
	case "update":
		if st, ok := data["state"].(map[string]any); ok {
			w.update(st)
		}
	case "request_state":
		w.sendState()
	case "custom":
		content, _ := data["content"].(map[string]any)
		w.mu.Lock()
		custom := w.custom
		w.mu.Unlock()
		if custom != nil {
			fire(w, custom(content))
		}
	default:
		fmt.Fprintf(os.Stderr, "widgets: %s ignores the front end's %q message\n", w.spec.model, method)
	}
}

// update applies a state change the front end made: echo_update first (so
// every front end hears of it), then the validated values; a value that
// validation changed goes back as an update; then the observers run.
func (w *model) update(st map[string]any) {
	w.mu.Lock()
	echo := map[string]any{}
	var changed, corrected []string
	for k, v := range st {
		old, known := w.state[k]
		if !known {
			continue
		}
		echo[k] = copyValue(v)
		nv, ok := v, true
		if w.accept != nil {
			nv, ok = w.accept(k, v)
		}
		if !ok {
			corrected = append(corrected, k) // refused: tell the front end what stands
			continue
		}
		if !sameJSON(nv, v) {
			corrected = append(corrected, k)
		}
		if !sameJSON(old, nv) {
			w.state[k] = nv
			changed = append(changed, k)
		}
	}
	obs := w.observersFor(changed)
	closed := w.closed
	w.mu.Unlock()
	if len(echo) > 0 && !closed {
		send(&wp.Comm{Type: wp.CommMsg, ID: w.id, Data: map[string]any{"method": "echo_update", "state": echo, "buffer_paths": []any{}}})
	}
	if len(corrected) > 0 {
		w.sendState(corrected...)
	}
	fire(w, obs)
}

// sameJSON compares two state values as JSON sees them (1 == 1.0).
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	var va, vb any
	json.Unmarshal(ja, &va)
	json.Unmarshal(jb, &vb)
	return fmt.Sprint(va) == fmt.Sprint(vb)
}

// markClosed notes that the comm is closed: nothing more is sent.
func (w *model) markClosed() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
}

func (w *model) isClosed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed
}

// close closes the comm (and those of the parts the model owns).
func (w *model) close() {
	w.mu.Lock()
	was := w.closed
	w.closed = true
	w.mu.Unlock()
	if was {
		return
	}
	unregister(w)
	send(&wp.Comm{Type: wp.CommClose, ID: w.id, Data: map[string]any{}})
	for _, p := range w.parts {
		p.close()
	}
}

// shownIn notes that the widget is shown in cell (0: not a cell).
func (w *model) shownIn(cell int) {
	if cell == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.home = cell
}

func (w *model) homeCell() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.home
}

// viewBundle is the display bundle of the model's view.
func (w *model) viewBundle(text string) map[string]any {
	return map[string]any{
		"application/vnd.jupyter.widget-view+json": map[string]any{
			"model_id": w.id, "version_major": viewMajor, "version_minor": viewMinor,
		},
		"text/plain": text,
	}
}

// fire runs observers of w. While a comm message from the front end is
// served, observers that do not capture their own output print into the
// Output of the cell that showed w.
func fire(w *model, obs []observer) {
	if len(obs) == 0 {
		return
	}
	run := func() {
		for _, o := range obs {
			if !call(o.fn) {
				return
			}
		}
	}
	r := current()
	needHome := false
	for _, o := range obs {
		needHome = needHome || !o.captures
	}
	if needHome && r.cell == 0 && r.msgID != "" {
		if home := homeOutput(w.homeCell()); home != nil {
			home.capture(run)
			return
		}
	}
	run()
}

// call runs a callback; a panic is shown as an error output and stops
// nothing else, except an interrupt: inside a cell it goes on up (the
// cell stops), inside a comm message it ends the callbacks (ok false).
func call(fn func()) (ok bool) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		stack := string(debug.Stack())
		if interrupt.Pending() {
			if current().cell != 0 {
				panic(v)
			}
			showError("Interrupted", "the callback was interrupted", stack)
			ok = false
			return
		}
		ename, evalue := describePanic(v)
		showError(ename, evalue, stack)
		ok = true
	}()
	fn()
	return true
}

// describePanic names a panic as Jupyter shows errors: the error's type
// for errors, "panic" for anything else.
func describePanic(v any) (ename, evalue string) {
	if err, ok := v.(error); ok {
		if _, rt := v.(interface{ RuntimeError() }); rt {
			return "panic", err.Error()
		}
		return fmt.Sprintf("%T", v), err.Error()
	}
	return "panic", fmt.Sprint(v)
}

// showError sends an error output, or prints it without a transport.
func showError(ename, evalue, stack string) {
	if t := transport(); t != nil {
		t.Error(ename, evalue, stack)
		return
	}
	fmt.Fprintf(os.Stderr, "%s: %s\n", ename, evalue)
}
