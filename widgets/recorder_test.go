package widgets

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// event is one thing the package handed its transport, as JSON saw it.
type event struct {
	kind string // "comm", "display", "error"
	comm wp.Comm
	data map[string]any // display
	cell int            // display
	err  [2]string      // error: ename, evalue
}

// recorder is a Transport that keeps what it is given, after a JSON round
// trip (what the worker's pipe does), so tests see the wire form.
type recorder struct {
	mu     sync.Mutex
	events []event
}

func (r *recorder) Send(m *wp.Comm) {
	var c wp.Comm
	roundTrip(m, &c)
	r.add(event{kind: "comm", comm: c})
}

func (r *recorder) Display(data, metadata map[string]any, cell int) {
	var d map[string]any
	roundTrip(data, &d)
	r.add(event{kind: "display", data: d, cell: cell})
}

func (r *recorder) Error(ename, evalue, stack string) {
	r.add(event{kind: "error", err: [2]string{ename, evalue}})
}

func (r *recorder) add(e event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// take returns the events so far and forgets them.
func (r *recorder) take() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events
	r.events = nil
	return e
}

func roundTrip(v, into any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("not JSON: %v: %#v", err, v))
	}
	if err := json.Unmarshal(b, into); err != nil {
		panic(err)
	}
}

// setup installs a recorder and the context of cell 1 (execute request
// "exec-1"); everything is forgotten after the test.
func setup(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	SetTransport(r)
	BeginRequest("exec-1", 1)
	t.Cleanup(func() {
		SetTransport(nil)
		BeginRequest("", 0)
		mu.Lock()
		models, controls, homes = map[string]*model{}, map[string]bool{}, map[int]*Output{}
		mu.Unlock()
	})
	return r
}

// describe lists events briefly, for failure messages.
func describe(evs []event) string {
	var parts []string
	for _, e := range evs {
		switch e.kind {
		case "comm":
			parts = append(parts, fmt.Sprintf("comm_%s %s %v", e.comm.Type, short(e.comm.ID), e.comm.Data["method"]))
		case "display":
			parts = append(parts, fmt.Sprintf("display cell %d", e.cell))
		case "error":
			parts = append(parts, "error "+e.err[0]+": "+e.err[1])
		}
	}
	return strings.Join(parts, "; ")
}

func short(id string) string { return id[:min(6, len(id))] }

// opens are the comm_opens among events, by model name.
func opens(evs []event) map[string]wp.Comm {
	m := map[string]wp.Comm{}
	for _, e := range evs {
		if e.kind == "comm" && e.comm.Type == wp.CommOpen {
			m[e.comm.Data["state"].(map[string]any)["_model_name"].(string)] = e.comm
		}
	}
	return m
}

// keys are a map's keys, sorted.
func keys(m map[string]any) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// msgs are the comm_msgs among events with the given method.
func msgs(evs []event, method string) []wp.Comm {
	var out []wp.Comm
	for _, e := range evs {
		if e.kind == "comm" && e.comm.Type == wp.CommMsg && e.comm.Data["method"] == method {
			out = append(out, e.comm)
		}
	}
	return out
}

// update is the front end's update of one widget.
func update(id string, state map[string]any) *wp.Comm {
	return &wp.Comm{Type: wp.CommMsg, ID: id, Data: map[string]any{"method": "update", "state": state, "buffer_paths": []any{}}}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}
