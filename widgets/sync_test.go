package widgets

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

func TestFrontEndUpdateIsEchoedThenRunsOnChange(t *testing.T) {
	r := setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	var got []float64
	s.OnChange(func(v float64) {
		got = append(got, v)
		r.add(event{kind: "callback"})
	})
	r.take()
	BeginRequest("comm-1", 0)
	if err := Receive(update(s.ModelID(), map[string]any{"value": 0.7})); err != nil {
		t.Fatal(err)
	}
	if s.Value() != 0.7 || !reflect.DeepEqual(got, []float64{0.7}) {
		t.Fatalf("Value %v, OnChange saw %v", s.Value(), got)
	}
	evs := r.take()
	// echo_update first, the callback later; no update back (the value
	// stood as sent).
	if len(evs) == 0 || evs[0].kind != "comm" || evs[0].comm.Data["method"] != "echo_update" {
		t.Fatalf("events %s: want echo_update first", describe(evs))
	}
	if st := evs[0].comm.Data["state"]; !reflect.DeepEqual(st, map[string]any{"value": 0.7}) || evs[0].comm.ID != s.ModelID() {
		t.Errorf("echo_update %v", evs[0].comm)
	}
	if n := len(msgs(evs, "update")); n != 2 {
		// the home Output's msg_id set and reset: nothing for the slider
		t.Errorf("events %s", describe(evs))
	}
	for _, u := range msgs(evs, "update") {
		if u.ID == s.ModelID() {
			t.Errorf("an update of the slider went back: %v", u.Data)
		}
	}
}

func TestOutOfRangeValueIsClampedAndSentBack(t *testing.T) {
	r := setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	var got []float64
	s.OnChange(func(v float64) { got = append(got, v) })
	r.take()
	BeginRequest("comm-1", 0)
	Receive(update(s.ModelID(), map[string]any{"value": 5.0}))
	if s.Value() != 1 || !reflect.DeepEqual(got, []float64{1}) {
		t.Errorf("Value %v, OnChange saw %v", s.Value(), got)
	}
	evs := r.take()
	var back []wp.Comm
	for _, u := range msgs(evs, "update") {
		if u.ID == s.ModelID() {
			back = append(back, u)
		}
	}
	if len(back) != 1 || !reflect.DeepEqual(back[0].Data["state"], map[string]any{"value": 1.0}) {
		t.Errorf("updates back %v (events %s)", back, describe(evs))
	}
	// A value of the wrong type is refused: the standing value goes back.
	Receive(update(s.ModelID(), map[string]any{"value": "high"}))
	if s.Value() != 1 {
		t.Errorf("Value %v after a string", s.Value())
	}
	if u := msgs(r.take(), "update"); len(u) != 1 || !reflect.DeepEqual(u[0].Data["state"], map[string]any{"value": 1.0}) {
		t.Errorf("after a string: %v", u)
	}
}

func TestSetFromGoReachesTheFrontEnd(t *testing.T) {
	r := setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	n := NewIntSlider("epochs", 1, 20, 1, 5)
	var calls []string
	s.OnChange(func(v float64) { calls = append(calls, fmt.Sprint("s", v)) })
	n.OnChange(func(v int) { calls = append(calls, fmt.Sprint("n", v)) })
	r.take()
	s.Set(0.5)
	s.Set(0.5) // unchanged: nothing
	n.Set(99)  // clamped
	evs := r.take()
	u := msgs(evs, "update")
	if len(u) != 2 || u[0].ID != s.ModelID() || !reflect.DeepEqual(u[0].Data["state"], map[string]any{"value": 0.5}) ||
		u[1].ID != n.ModelID() || !reflect.DeepEqual(u[1].Data["state"], map[string]any{"value": 20.0}) {
		t.Errorf("updates %v", u)
	}
	if len(evs) != 2 {
		t.Errorf("events %s", describe(evs))
	}
	if !reflect.DeepEqual(calls, []string{"s0.5", "n20"}) {
		t.Errorf("callbacks %v", calls)
	}
	if s.Value() != 0.5 || n.Value() != 20 {
		t.Errorf("values %v %v", s.Value(), n.Value())
	}
}

func TestRequestStateAndRequestStates(t *testing.T) {
	r := setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	open := opens(r.take())["FloatSliderModel"]
	s.Set(0.3)
	r.take()
	Receive(&wp.Comm{Type: wp.CommMsg, ID: s.ModelID(), Data: map[string]any{"method": "request_state"}})
	u := msgs(r.take(), "update")
	want := open.Data["state"].(map[string]any)
	want["value"] = 0.3
	if len(u) != 1 || !reflect.DeepEqual(u[0].Data["state"], want) {
		t.Errorf("request_state answered %v, want the whole state %v", u, want)
	}

	if err := Receive(&wp.Comm{Type: wp.CommOpen, ID: "ctl", Target: "jupyter.widget.control"}); err != nil {
		t.Fatal(err)
	}
	Receive(&wp.Comm{Type: wp.CommMsg, ID: "ctl", Data: map[string]any{"method": "request_states"}})
	us := msgs(r.take(), "update_states")
	if len(us) != 1 || us[0].ID != "ctl" {
		t.Fatalf("update_states %v", us)
	}
	states := us[0].Data["states"].(map[string]any)
	if len(states) != 3 { // slider, layout, style
		t.Errorf("%d states, want 3", len(states))
	}
	mine := states[s.ModelID()].(map[string]any)
	if mine["model_name"] != "FloatSliderModel" || mine["model_module"] != "@jupyter-widgets/controls" || mine["model_module_version"] != "2.0.0" ||
		!reflect.DeepEqual(mine["state"], want) {
		t.Errorf("state of the slider %v", mine)
	}
	if bp, ok := us[0].Data["buffer_paths"].([]any); !ok || len(bp) != 0 {
		t.Errorf("buffer_paths %v", us[0].Data["buffer_paths"])
	}
}

func TestCommOpenTargets(t *testing.T) {
	setup(t)
	if err := Receive(&wp.Comm{Type: wp.CommOpen, ID: "x", Target: "something.else"}); err == nil || !strings.Contains(err.Error(), "something.else") {
		t.Errorf("unknown target: %v", err)
	}
	if err := Receive(&wp.Comm{Type: wp.CommOpen, ID: "y", Target: "jupyter.widget", Data: map[string]any{"state": map[string]any{}}}); err == nil {
		t.Error("a front-end model was accepted")
	}
	if err := Receive(&wp.Comm{Type: wp.CommMsg, ID: "nope", Data: map[string]any{"method": "update"}}); err == nil {
		t.Error("a message for no widget was accepted")
	}
}

func TestClosedWidgetSendsNothing(t *testing.T) {
	r := setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	r.take()
	Receive(&wp.Comm{Type: wp.CommClose, ID: s.ModelID()})
	s.Set(0.9)
	if evs := r.take(); len(evs) != 0 {
		t.Errorf("after the front end closed it: %s", describe(evs))
	}
	if s.Value() != 0.9 {
		t.Errorf("Value %v", s.Value())
	}
	n := NewIntSlider("n", 0, 9, 1, 0)
	r.take()
	n.Close()
	evs := r.take()
	if len(evs) != 3 || evs[0].comm.Type != wp.CommClose || evs[0].comm.ID != n.ModelID() {
		t.Errorf("Close sent %s, want the widget's, its layout's and its style's comm_close", describe(evs))
	}
	if err := Receive(update(n.ModelID(), map[string]any{"value": 3.0})); err == nil {
		t.Error("a closed widget took an update")
	}
}

func TestButtonClickRunsOnClick(t *testing.T) {
	r := setup(t)
	b := NewButton("train")
	clicks := 0
	b.OnClick(func() { clicks++ })
	b.OnClick(func() { clicks += 10 })
	r.take()
	BeginRequest("comm-2", 0)
	Receive(&wp.Comm{Type: wp.CommMsg, ID: b.ModelID(), Data: map[string]any{"method": "custom", "content": map[string]any{"event": "click"}}})
	if clicks != 11 {
		t.Errorf("clicks %d", clicks)
	}
	Receive(&wp.Comm{Type: wp.CommMsg, ID: b.ModelID(), Data: map[string]any{"method": "custom", "content": map[string]any{"event": "hover"}}})
	b.Click()
	if clicks != 22 {
		t.Errorf("clicks %d", clicks)
	}
}

func TestDropdownSyncsTheIndex(t *testing.T) {
	r := setup(t)
	d := NewDropdown("activation", []string{"relu", "tanh", "gelu"}, "")
	var got []string
	d.OnChange(func(v string) { got = append(got, v) })
	if d.Value() != "relu" || d.Index() != 0 {
		t.Fatalf("default %q %d", d.Value(), d.Index())
	}
	r.take()
	Receive(update(d.ModelID(), map[string]any{"index": 2.0}))
	d.Set("tanh")
	if d.Value() != "tanh" || !reflect.DeepEqual(got, []string{"gelu", "tanh"}) {
		t.Errorf("value %q, OnChange saw %v", d.Value(), got)
	}
	u := msgs(r.take(), "update")
	if len(u) != 1 || !reflect.DeepEqual(u[0].Data["state"], map[string]any{"index": 1.0}) {
		t.Errorf("updates %v", u)
	}
	Receive(update(d.ModelID(), map[string]any{"index": 7.0}))
	if d.Value() != "tanh" {
		t.Errorf("an index out of range was taken: %q", d.Value())
	}
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), `"sigmoid"`) {
			t.Errorf("Set of a value not offered: %v", v)
		}
	}()
	d.Set("sigmoid")
}

func TestCheckboxAndText(t *testing.T) {
	r := setup(t)
	c := NewCheckbox("bias", false)
	x := NewText("name", "")
	var seen []any
	c.OnChange(func(v bool) { seen = append(seen, v) })
	x.OnChange(func(v string) { seen = append(seen, v) })
	r.take()
	Receive(update(c.ModelID(), map[string]any{"value": true}))
	Receive(update(x.ModelID(), map[string]any{"value": "mlp"}))
	Receive(update(c.ModelID(), map[string]any{"value": "yes"})) // refused
	if !c.Value() || x.Value() != "mlp" || !reflect.DeepEqual(seen, []any{true, "mlp"}) {
		t.Errorf("checkbox %v text %q callbacks %v", c.Value(), x.Value(), seen)
	}
}

func TestConstructorsRejectBadArguments(t *testing.T) {
	setup(t)
	for name, f := range map[string]func(){
		"min > max":           func() { NewFloatSlider("a", 1, 0, 0.1, 0) },
		"step 0":              func() { NewIntSlider("b", 0, 10, 0, 0) },
		"NaN":                 func() { NewFloatSlider("c", 0, 1, 0.1, nanValue()) },
		"value not an option": func() { NewDropdown("d", []string{"x"}, "y") },
	} {
		func() {
			defer func() {
				v := recover()
				if err, ok := v.(error); !ok || !strings.HasPrefix(err.Error(), "widgets.New") {
					t.Errorf("%s: %v", name, v)
				}
			}()
			f()
		}()
	}
}

var errBoom = errors.New("boom")

func nanValue() float64 { var z float64; return z / z }

func TestConcurrentSetAndReceive(t *testing.T) {
	setup(t)
	s := NewIntSlider("n", 0, 1000, 1, 0)
	var mu sync.Mutex
	calls := 0
	s.OnChange(func(int) { mu.Lock(); calls++; mu.Unlock() })
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if g%2 == 0 {
					s.Set(i)
				} else {
					Receive(update(s.ModelID(), map[string]any{"value": float64(i)}))
				}
				_ = s.Value()
			}
		}()
	}
	wg.Wait()
	if calls == 0 {
		t.Error("no callback ran")
	}
	if v := s.Value(); v < 0 || v > 199 {
		t.Errorf("value %d", v)
	}
}
