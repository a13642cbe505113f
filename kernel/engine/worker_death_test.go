package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/godl-dev/godl/kernel"
)

// Each of these kills the worker: the cell says so, the next one runs in a
// fresh worker, and earlier names are reported as lost.
func TestWorkerDeath(t *testing.T) {
	e := sharedEngine(t)
	for _, c := range []struct{ name, code, want string }{
		{"goroutine panic", "go func() { panic(\"in goroutine\") }()\ntime.Sleep(5 * time.Second)", "goroutine panicked"},
		{"os.Exit", "os.Exit(3)", "exited with status 3"},
		{"10 GB", "big := make([]byte, 10<<30)\nbig[len(big)-1] = 1", "out of memory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ok(t, e, "before := 1")
			r := run(t, e, c.code)
			if r.Error == nil || r.Error.EName != "WorkerDied" || !strings.Contains(r.Error.EValue, c.want) || !strings.Contains(r.Error.EValue, "earlier values are gone") {
				t.Fatalf("error = %+v, stderr %q", r.Error, r.out.stderr.String())
			}
			if n := len(r.out.stderr.String()); n > 2000 {
				t.Errorf("stderr has %d bytes: the runtime's goroutine dump should be dropped", n)
			}
			if c.name == "goroutine panic" && !strings.Contains(strings.Join(r.Error.Traceback, "\n"), "line 1") {
				t.Errorf("traceback lacks the cell line: %q", r.Error.Traceback)
			}
			if r := ok(t, e, "6 * 7"); r.text() != "42" {
				t.Errorf("next cell = %q", r.text())
			}
			if r := run(t, e, "before"); r.Error == nil || !strings.Contains(r.Error.EValue, "worker restarted") {
				t.Errorf("lost name error = %+v", r.Error)
			}
		})
	}
}

func TestInterrupt(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "steps := 0")
	for _, body := range []string{
		"for {\n}",
		"for {\n\tsteps++\n\ttime.Sleep(time.Millisecond)\n}",
		"steps++\ntime.Sleep(time.Hour)",
		"w := dl.Ones(64, 64)\nfor {\n\tw = w.MatMul(dl.Ones(64, 64)).MulScalar(1.0 / 64)\n\tsteps++\n}",
	} {
		code := "fmt.Println(\"started\")\n" + body
		rec := &recorder{}
		done := make(chan kernel.ExecuteResult)
		go func() {
			done <- e.Execute(context.Background(), kernel.ExecuteRequest{Code: code}, rec)
		}()
		// Interrupt once the cell runs (building it takes a while).
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			rec.mu.Lock()
			started := strings.Contains(rec.stdout.String(), "started")
			rec.mu.Unlock()
			if started {
				break
			}
		}
		time.Sleep(200 * time.Millisecond)
		e.Interrupt()
		select {
		case res := <-done:
			if res.Error == nil || res.Error.EName != "Interrupted" || !strings.Contains(res.Error.EValue, "variables are kept") {
				t.Fatalf("%q: error = %+v", code, res.Error)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%q: not interrupted", code)
		}
	}
	if r := ok(t, e, "steps > 0"); r.text() != "true" {
		t.Errorf("steps > 0 = %q: state lost", r.text())
	}
}

func TestMagics(t *testing.T) {
	e := sharedEngine(t)
	// An interactive front end gets the pager; one that cannot answer
	// input (nbconvert) drops pagers, so it gets an output too.
	rec := &recorder{}
	res := e.Execute(context.Background(), kernel.ExecuteRequest{Code: "%help", AllowStdin: true}, rec)
	if len(res.Payload) != 1 || res.Payload[0]["source"] != "page" || res.Value != nil || len(rec.events) != 0 {
		t.Errorf("%%help = %+v, events %q", res, rec.events)
	}
	r := ok(t, e, "%help")
	if len(r.Payload) != 1 || len(r.out.display) != 1 || !strings.Contains(r.out.display[0].Data["text/plain"].(string), "%%time") {
		t.Errorf("%%help without stdin = %+v, displays %+v", r.ExecuteResult, r.out.display)
	}
	r = ok(t, e, "%env GODL_TEST_VAR=hello\nos.Getenv(\"GODL_TEST_VAR\")")
	if r.text() != `"hello"` && r.text() != "hello" {
		t.Errorf("%%env then Getenv = %q", r.text())
	}
	r = ok(t, e, "!echo from-shell $GODL_TEST_VAR")
	if r.out.stdout.String() != "from-shell hello\n" {
		t.Errorf("!echo = %q", r.out.stdout.String())
	}
	r = ok(t, e, "%%time\nn := 0\nfor i := range 1000 { n += i }")
	if !strings.Contains(r.out.stdout.String(), "Wall time:") {
		t.Errorf("%%%%time printed %q", r.out.stdout.String())
	}
	// A cell that does not compile did not run: its error only.
	r = run(t, e, "%%time\nn := undefinedName")
	if r.Error == nil || r.Error.EName != "CompileError" || len(r.out.events) != 0 {
		t.Errorf("%%%%time of a wrong cell: error %+v, events %q", r.Error, r.out.events)
	}
	ok(t, e, "resetMe := 1")
	ok(t, e, "%reset")
	if r := run(t, e, "resetMe"); r.Error == nil || r.Error.EName != "CompileError" {
		t.Errorf("after %%reset: %+v", r.Error)
	}
	if r := run(t, e, "%nope"); r.Error == nil || r.Error.EName != "UnknownMagic" {
		t.Errorf("unknown magic: %+v", r.Error)
	}
}

func TestCompleteInspect(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "type net struct{ weight float64 }\nfunc (n *net) forward() {}\nmodel := &net{}\nrate := 0.1")
	for _, c := range []struct {
		code string
		want string
	}{
		{"fmt.Printl", "Println"},
		{"dl.Ra", "Randn"},
		{"model.we", "weight"},
		{"model.for", "forward"},
		{"ra", "rate"},
		{"ran", "range"},
		{"mod", "model"},
		{"lin := nn.NewLinear(2, 1)\nlin.We", "Weight"},
		{"func f() {\n\tvar sb strings.Builder\n\tsb.Wri", "WriteString"},
	} {
		got := e.Complete(c.code, len(c.code))
		found := false
		for _, m := range got.Matches {
			found = found || m == c.want
		}
		if !found || got.End != len(c.code) {
			t.Errorf("Complete(%q) = %+v, want %s", c.code, got, c.want)
		}
	}
	in := e.Inspect("fmt.Println(1)", 6, 0)
	if !in.Found || !strings.Contains(in.Data["text/plain"].(string), "func Println") {
		t.Errorf("Inspect fmt.Println = %+v", in)
	}
	code := "lin := nn.NewLinear(2, 1)\nlin.Forward"
	in = e.Inspect(code, len(code)-3, 0)
	if !in.Found || !strings.Contains(in.Data["text/plain"].(string), "Forward") {
		t.Errorf("Inspect lin.Forward = %+v", in)
	}
	in = e.Inspect("model", 2, 0)
	if !in.Found || !strings.Contains(in.Data["text/plain"].(string), "net") {
		t.Errorf("Inspect model = %+v", in)
	}
}

func TestInterruptShell(t *testing.T) {
	e := sharedEngine(t)
	done := make(chan kernel.ExecuteResult)
	go func() {
		done <- e.Execute(context.Background(), kernel.ExecuteRequest{Code: "!sleep 60"}, &recorder{})
	}()
	time.Sleep(500 * time.Millisecond)
	e.Interrupt()
	select {
	case res := <-done:
		if res.Error == nil || res.Error.EName != "ShellError" {
			t.Errorf("error = %+v", res.Error)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("!sleep 60 was not interrupted")
	}
}
