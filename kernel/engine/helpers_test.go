package engine

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/godl-dev/godl/kernel"
)

// recorder is a kernel.Output that keeps everything a cell produced, in
// order.
type recorder struct {
	mu      sync.Mutex
	events  []string // "stdout:text", "display:...", "clear"
	stdout  strings.Builder
	stderr  strings.Builder
	display []kernel.DisplayData
	inputs  []string // answers to give
	prompts []string
	comms   []kernel.CommMessage
	errors  []*kernel.CellError
}

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "stdout" {
		r.stdout.WriteString(text)
	} else {
		r.stderr.WriteString(text)
	}
	r.events = append(r.events, name+":"+text)
}

func (r *recorder) Display(d kernel.DisplayData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.display = append(r.display, d)
	r.events = append(r.events, "display")
}

func (r *recorder) ClearOutput(wait bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "clear")
}

func (r *recorder) Comm(m kernel.CommMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.comms = append(r.comms, m)
	r.events = append(r.events, "comm_"+strings.TrimPrefix(string(m.Type), "comm_"))
}

func (r *recorder) Error(e *kernel.CellError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, e)
	r.events = append(r.events, "error:"+e.EName+": "+e.EValue)
}

func (r *recorder) Input(prompt string, password bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prompts = append(r.prompts, prompt)
	if len(r.inputs) == 0 {
		return "", errNoInput
	}
	s := r.inputs[0]
	r.inputs = r.inputs[1:]
	return s, nil
}

type inputError struct{}

func (inputError) Error() string { return "stdin not allowed" }

var errNoInput = inputError{}

var (
	sharedOnce sync.Once
	shared     *Engine
)

// sharedEngine is one engine for the slow tests: building the worker and
// the first plugin is the expensive part.
func sharedEngine(t *testing.T) *Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("builds plugins; skipped with -short")
	}
	sharedOnce.Do(func() {
		shared, _ = New(Options{})
	})
	return shared
}

type cellResult struct {
	kernel.ExecuteResult
	out *recorder
}

func run(t *testing.T, e *Engine, code string) cellResult {
	t.Helper()
	r := &recorder{}
	res := e.Execute(context.Background(), kernel.ExecuteRequest{Code: code}, r)
	return cellResult{res, r}
}

// ok runs a cell that must succeed and returns its stdout.
func ok(t *testing.T, e *Engine, code string) cellResult {
	t.Helper()
	res := run(t, e, code)
	if res.Error != nil {
		t.Fatalf("cell %q failed: %s: %s\n%s", code, res.Error.EName, res.Error.EValue, strings.Join(res.Error.Traceback, "\n"))
	}
	return res
}

func (c cellResult) text() string {
	if c.Value == nil {
		return ""
	}
	s, _ := c.Value.Data["text/plain"].(string)
	return s
}

// TestMain closes the shared engine, which removes its cell packages.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Close()
	}
	os.Exit(code)
}
