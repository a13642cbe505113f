package engine

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/godl-dev/godl/kernel"
)

// commOpen finds the comm_open of a model among recorded comm messages.
func commOpen(t *testing.T, ms []kernel.CommMessage, model string) kernel.CommMessage {
	t.Helper()
	for _, m := range ms {
		if st, ok := m.Data["state"].(map[string]any); ok && m.Type == kernel.MsgCommOpen && st["_model_name"] == model {
			return m
		}
	}
	t.Fatalf("no comm_open of %s among %d comm messages", model, len(ms))
	return kernel.CommMessage{}
}

func TestWidgetCommsThroughTheWorker(t *testing.T) {
	e := sharedEngine(t)
	r := ok(t, e, `ws := widgets.NewFloatSlider("w", 0, 1, 0.1, 0.2)
ws.OnChange(func(v float64) { fmt.Println("ws is", v) })
ws`)
	open := commOpen(t, r.out.comms, "FloatSliderModel")
	if open.Target != "jupyter.widget" || open.Metadata["version"] != "2.1.0" {
		t.Errorf("comm_open %+v", open)
	}
	// The widget is shown as display_data, not as the cell's value.
	if r.Value != nil || len(r.out.display) != 1 {
		t.Fatalf("value %v, displays %d", r.Value, len(r.out.display))
	}
	view, _ := r.out.display[0].Data[widgetViewMIME].(map[string]any)
	if view["model_id"] != open.CommID {
		t.Errorf("view %v, comm %s", view, open.CommID)
	}
	if info := e.CommInfo("jupyter.widget"); info[open.CommID] != "jupyter.widget" {
		t.Errorf("comm_info %v", info)
	}

	// An update from the front end runs the callback, in its context.
	out := &recorder{}
	e.Comm(context.Background(), kernel.CommMessage{Type: kernel.MsgCommMsg, CommID: open.CommID,
		Data: map[string]any{"method": "update", "state": map[string]any{"value": 0.5}, "buffer_paths": []any{}}}, "msg-1", out)
	if got := out.stdout.String(); got != "ws is 0.5\n" {
		t.Errorf("callback printed %q; events %q", got, out.events)
	}
	if len(out.comms) == 0 || out.comms[0].Data["method"] != "echo_update" {
		t.Errorf("comms %+v", out.comms)
	}
	// The print sits between the home Output's msg_id set to the
	// message's id and back.
	var ids []any
	for _, m := range out.comms {
		if st, ok := m.Data["state"].(map[string]any); ok && m.Data["method"] == "update" {
			ids = append(ids, st["msg_id"])
		}
	}
	if !slices.Equal(ids, []any{"msg-1", ""}) {
		t.Errorf("msg_id updates %v", ids)
	}
	if r := ok(t, e, "ws.Value()"); r.text() != "0.5" {
		t.Errorf("Value %q", r.text())
	}

	// A message for a comm the worker does not have closes it.
	out = &recorder{}
	e.Comm(context.Background(), kernel.CommMessage{Type: kernel.MsgCommMsg, CommID: "gone", Data: map[string]any{"method": "update"}}, "msg-2", out)
	if len(out.comms) != 1 || out.comms[0].Type != kernel.MsgCommClose || out.comms[0].CommID != "gone" {
		t.Errorf("unknown comm: %+v", out.comms)
	}
}

func TestWhosAndTimeit(t *testing.T) {
	e := sharedEngine(t)
	r := ok(t, e, "whosT := dl.Zeros(3, 4)\nwhosN := 7\n%whos")
	if len(r.out.display) != 1 {
		t.Fatalf("displays %d", len(r.out.display))
	}
	text := r.out.display[0].Data["text/plain"].(string)
	var tensor, number string
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "whosT "):
			tensor = line
		case strings.HasPrefix(line, "whosN "):
			number = line
		}
	}
	if !strings.Contains(tensor, "*dl.Tensor") || !strings.Contains(tensor, "shape [3, 4]") || !strings.Contains(tensor, "48 B") {
		t.Errorf("tensor row %q in\n%s", tensor, text)
	}
	if f := strings.Fields(number); len(f) != 3 || f[1] != "int" || f[2] != "7" {
		t.Errorf("int row %q", number)
	}
	r = ok(t, e, "%timeit -n 10 -r 3 whosT.Sum()")
	// (A warning about uneven runs may come first: 10 calls are few.)
	if !regexp.MustCompile(`(?m)^\S+ (s|ms|μs|ns) ± \S+ (s|ms|μs|ns) per loop \(mean ± std\. dev\. of 3 runs, 10 loops each\)\n\z`).MatchString(r.out.stdout.String()) {
		t.Errorf("timeit printed %q", r.out.stdout.String())
	}
}
