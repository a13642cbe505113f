package widgets

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/godl-dev/godl/internal/interrupt"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// msgIDs lists the msg_id updates of the Output with the given id, and
// marks ("cb") where callbacks ran, in order.
func trace(evs []event, out string) []string {
	var s []string
	for _, e := range evs {
		switch {
		case e.kind == "comm" && e.comm.ID == out && e.comm.Data["method"] == "update":
			if id, ok := e.comm.Data["state"].(map[string]any)["msg_id"]; ok {
				s = append(s, fmt.Sprintf("msg_id=%q", id))
			}
		case e.kind == "callback":
			s = append(s, "cb")
		case e.kind == "error":
			s = append(s, "error "+e.err[0]+": "+e.err[1])
		}
	}
	return s
}

func TestCaptureSetsMsgIDToTheMessageServed(t *testing.T) {
	r := setup(t)
	o := NewOutput()
	r.take()
	o.Capture(func() {
		r.add(event{kind: "callback"})
		o.Capture(func() { r.add(event{kind: "callback"}) }) // nested: no change
	})
	if got := trace(r.take(), o.ModelID()); !reflect.DeepEqual(got, []string{`msg_id="exec-1"`, "cb", "cb", `msg_id=""`}) {
		t.Errorf("capture %v", got)
	}
	// A panic inside is shown inside, and goes no further.
	o.Capture(func() { panic(errBoom) })
	if got := trace(r.take(), o.ModelID()); !reflect.DeepEqual(got, []string{`msg_id="exec-1"`, "error *errors.errorString: boom", `msg_id=""`}) {
		t.Errorf("panic in capture %v", got)
	}
	// Outside any request there is no id to capture by: f just runs.
	BeginRequest("", 0)
	ran := false
	o.Capture(func() { ran = true })
	if evs := r.take(); !ran || len(evs) != 0 {
		t.Errorf("ran %v, events %s", ran, describe(evs))
	}
	// Clear there empties the model (nothing captures a clear_output).
	Receive(update(o.ModelID(), map[string]any{"outputs": []any{map[string]any{"output_type": "stream", "name": "stdout", "text": "x"}}}))
	r.take()
	o.Clear()
	if u := msgs(r.take(), "update"); len(u) != 1 || !reflect.DeepEqual(u[0].Data["state"], map[string]any{"outputs": []any{}}) {
		t.Errorf("Clear outside a request: %v", u)
	}
}

func TestCallbackOutputGoesToTheCellThatShowedTheWidget(t *testing.T) {
	r := setup(t)
	BeginRequest("exec-3", 3)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1) // made in cell 3
	BeginRequest("exec-4", 4)
	s.MIMEBundle() // shown in cell 4
	s.OnChange(func(float64) { r.add(event{kind: "callback"}) })
	s.OnChange(func(v float64) { panic(fmt.Sprintf("bad slope %v", v)) })
	s.OnChange(func(float64) { r.add(event{kind: "callback"}) })
	r.take()

	BeginRequest("comm-1", 0)
	Receive(update(s.ModelID(), map[string]any{"value": 0.5}))
	evs := r.take()
	o := opens(evs)["OutputModel"]
	if o.ID == "" {
		t.Fatalf("no home Output: %s", describe(evs))
	}
	var shown *event
	for i := range evs {
		if evs[i].kind == "display" {
			shown = &evs[i]
		}
	}
	if shown == nil || shown.cell != 4 || shown.data["application/vnd.jupyter.widget-view+json"].(map[string]any)["model_id"] != o.ID || shown.data["text/plain"] != "" {
		t.Fatalf("home Output display %+v", shown)
	}
	want := []string{`msg_id="comm-1"`, "cb", "error panic: bad slope 0.5", "cb", `msg_id=""`}
	if got := trace(evs, o.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("callbacks %v, want %v", got, want)
	}
	// The next message reuses the Output.
	BeginRequest("comm-2", 0)
	Receive(update(s.ModelID(), map[string]any{"value": 0.25}))
	evs = r.take()
	if len(opens(evs)) != 0 {
		t.Errorf("a second home Output: %s", describe(evs))
	}
	if got := trace(evs, o.ID); len(got) != 5 || got[0] != `msg_id="comm-2"` {
		t.Errorf("second message %v", got)
	}
}

func TestCallbacksInACellPrintInTheCell(t *testing.T) {
	r := setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	s.OnChange(func(float64) { r.add(event{kind: "callback"}) })
	r.take()
	s.Set(0.2) // cell 1 runs: its output is the cell's, no Output is made
	evs := r.take()
	if len(opens(evs)) != 0 || len(evs) != 2 || evs[1].kind != "callback" {
		t.Errorf("events %s", describe(evs))
	}
}

func TestInterruptStopsACellButNotTheKernel(t *testing.T) {
	r := setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	later := false
	s.OnChange(func(float64) { interrupt.Set(); panic("interrupted") })
	s.OnChange(func(float64) { later = true })
	defer interrupt.Reset()
	// In a cell the interrupt goes on up, so the cell stops.
	func() {
		defer func() {
			if v := recover(); v != "interrupted" {
				t.Errorf("recovered %v", v)
			}
		}()
		s.Set(0.3)
	}()
	r.take()
	// In a comm message it ends the callbacks with an error output.
	BeginRequest("comm-1", 0)
	if err := Receive(update(s.ModelID(), map[string]any{"value": 0.6})); err != nil {
		t.Fatal(err)
	}
	got := trace(r.take(), "")
	if later || len(got) != 1 || !strings.HasPrefix(got[0], "error Interrupted") {
		t.Errorf("later callback ran: %v; events %v", later, got)
	}
}

func TestInteractRunsInItsOwnOutput(t *testing.T) {
	r := setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	d := NewDropdown("activation", []string{"relu", "tanh"}, "relu")
	r.take()
	var calls []string
	Interact(func(slope float32, act string) {
		calls = append(calls, fmt.Sprintf("%v %v", slope, act))
		r.add(event{kind: "callback"})
	}, s, d)
	evs := r.take()
	st := opens(evs)
	box, out := st["VBoxModel"], st["OutputModel"]
	bs := box.Data["state"].(map[string]any)
	if !reflect.DeepEqual(bs["children"], []any{"IPY_MODEL_" + s.ModelID(), "IPY_MODEL_" + d.ModelID(), "IPY_MODEL_" + out.ID}) ||
		!reflect.DeepEqual(bs["_dom_classes"], []any{"widget-interact"}) {
		t.Errorf("interact box %v", bs)
	}
	var shown []string
	for _, e := range evs {
		if e.kind == "display" {
			shown = append(shown, e.data["application/vnd.jupyter.widget-view+json"].(map[string]any)["model_id"].(string))
		}
	}
	if !reflect.DeepEqual(shown, []string{box.ID}) {
		t.Errorf("shown %v, want the box", shown)
	}
	if got := trace(evs, out.ID); !reflect.DeepEqual(got, []string{`msg_id="exec-1"`, "cb", `msg_id=""`}) {
		t.Errorf("first run %v", got)
	}
	// A change in the front end runs it again, in its Output only (no home
	// Output is made for the controls).
	BeginRequest("comm-1", 0)
	Receive(update(d.ModelID(), map[string]any{"index": 1.0}))
	evs = r.take()
	if got := trace(evs, out.ID); !reflect.DeepEqual(got, []string{`msg_id="comm-1"`, "cb", `msg_id=""`}) {
		t.Errorf("second run %v", got)
	}
	if len(opens(evs)) != 0 {
		t.Errorf("models opened: %s", describe(evs))
	}
	s.Set(0.5)
	if !reflect.DeepEqual(calls, []string{"0.1 relu", "0.1 tanh", "0.5 tanh"}) {
		t.Errorf("calls %v", calls)
	}
}

func TestInteractRejectsMismatches(t *testing.T) {
	setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	for name, f := range map[string]func(){
		"not a func":   func() { Interact(3, s) },
		"arity":        func() { Interact(func(a, b float64) {}, s) },
		"type":         func() { Interact(func(a string) {}, s) },
		"button value": func() { Interact(func(a float64) {}, NewButton("b")) },
	} {
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.HasPrefix(fmt.Sprint(v), "widgets.Interact: ") {
					t.Errorf("%s: %v", name, v)
				}
			}()
			f()
		}()
	}
}

func TestWithoutTransportWidgetsArePlainValues(t *testing.T) {
	SetTransport(nil)
	BeginRequest("", 0)
	defer func() {
		mu.Lock()
		models = map[string]*model{}
		mu.Unlock()
	}()
	s := NewIntSlider("n", 0, 10, 1, 3)
	got := 0
	s.OnChange(func(v int) { got = v })
	s.Set(7)
	if got != 7 || s.Value() != 7 {
		t.Errorf("got %d value %d", got, s.Value())
	}
	_ = wp.CommOpen
}
