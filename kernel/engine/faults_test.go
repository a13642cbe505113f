package engine

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godl-dev/godl/kernel"
)

// A top-level for with init and post but no condition is one statement,
// instrumented for interrupts like any other loop.
func TestTopLevelForWithoutCondition(t *testing.T) {
	e := sharedEngine(t)
	r := ok(t, e, "n := 0\nfor i := 0; ; i++ {\n\tif i == 3 {\n\t\tbreak\n\t}\n\tn += i\n}\nn")
	if r.text() != "3" {
		t.Errorf("n = %q, want 3", r.text())
	}
}

// After two worker deaths in a row, names from before the first one are
// still explained.
func TestTwoDeathsKeepLostNames(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "lostTwice := 1")
	for range 2 {
		if r := run(t, e, "os.Exit(3)"); r.Error == nil || r.Error.EName != "WorkerDied" {
			t.Fatalf("os.Exit: %+v", r.Error)
		}
	}
	if r := run(t, e, "lostTwice + 1"); r.Error == nil || !strings.Contains(r.Error.EValue, "worker restarted") {
		t.Errorf("lost name error = %+v", r.Error)
	}
}

// workerPid is the pid of the engine's current worker.
func workerPid(t *testing.T, e *Engine) int {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.proc == nil {
		t.Fatal("no worker")
	}
	return e.proc.cmd.Process.Pid
}

// gone waits up to d for process pid to be gone.
func gone(pid int, d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			return true
		}
	}
	return false
}

const childOnStdout = "cmd := exec.Command(\"sleep\", \"600\")\ncmd.Stdout = os.Stdout\ncmd.Start()\nfmt.Println(\"child\", cmd.Process.Pid)\n"

// childPid starts code (which prints "child <pid>") and returns the
// child's pid once printed, and the channel the cell's result comes on.
func childPid(t *testing.T, e *Engine, code string) (int, *recorder, chan kernel.ExecuteResult) {
	t.Helper()
	rec := &recorder{}
	done := make(chan kernel.ExecuteResult, 1)
	go func() { done <- e.Execute(context.Background(), kernel.ExecuteRequest{Code: code}, rec) }()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		rec.mu.Lock()
		out := rec.stdout.String()
		rec.mu.Unlock()
		var pid int
		if _, err := fmt.Sscanf(out, "child %d", &pid); err == nil {
			return pid, rec, done
		}
	}
	t.Fatal("the cell did not print its child's pid")
	return 0, nil, nil
}

// A child holding the worker's stdout neither outlives the worker nor
// keeps the cell from ending.
func TestWorkerDeathKillsChildOnStdout(t *testing.T) {
	for _, c := range []struct {
		name, tail string
		interrupt  bool
	}{{"os.Exit", "os.Exit(3)", false}, {"interrupted Wait", "cmd.Wait()", true}} {
		t.Run(c.name, func(t *testing.T) {
			e := sharedEngine(t)
			child, _, done := childPid(t, e, childOnStdout+c.tail)
			defer syscall.Kill(child, syscall.SIGKILL)
			if c.interrupt {
				time.Sleep(300 * time.Millisecond)
				e.Interrupt()
			}
			select {
			case res := <-done:
				if res.Error == nil || !strings.Contains(res.Error.EValue, "worker process died") {
					t.Errorf("error = %+v", res.Error)
				}
			case <-time.After(e.opts.InterruptGrace + 10*time.Second):
				t.Fatal("the cell did not end")
			}
			if !gone(child, 5*time.Second) {
				t.Error("the cell's child outlived the worker")
			}
			if r := ok(t, e, "6 * 7"); r.text() != "42" {
				t.Errorf("next cell = %q", r.text())
			}
		})
	}
}

// A worker that dies after the request was written but before it read it
// did not run the cell: the cell runs in a fresh worker.
func TestWorkerDeathBeforeTheCellStarts(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "1")
	pid := workerPid(t, e)
	e.mu.Lock()
	p := e.proc
	e.mu.Unlock()
	syscall.Kill(pid, syscall.SIGSTOP)
	rec := &recorder{}
	done := make(chan kernel.ExecuteResult, 1)
	go func() {
		done <- e.Execute(context.Background(), kernel.ExecuteRequest{Code: `fmt.Println("ran")`}, rec)
	}()
	for deadline := time.Now().Add(60 * time.Second); unreadBytes(p.reqW) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("the request never reached the pipe")
		}
	}
	syscall.Kill(pid, syscall.SIGKILL)
	res := <-done
	if res.Error != nil || rec.stdout.String() != "ran\n" || !strings.Contains(rec.stderr.String(), "died before this cell started") {
		t.Errorf("error %+v, stdout %q, stderr %q", res.Error, rec.stdout.String(), rec.stderr.String())
	}
}

// A cell that closes os.Stdout or os.Stderr loses only its own output.
func TestCellClosingStdio(t *testing.T) {
	e := sharedEngine(t)
	t0 := time.Now()
	ok(t, e, "fmt.Println(\"before close\")")
	usual := time.Since(t0)
	ok(t, e, "os.Stdout.Close()\nos.Stderr.Close()")
	t0 = time.Now()
	r := ok(t, e, "fmt.Println(\"out after close\")\nlog.SetFlags(0)\nlog.Print(\"log after close\")")
	if r.out.stdout.String() != "out after close\n" || r.out.stderr.String() != "log after close\n" {
		t.Errorf("stdout %q, stderr %q", r.out.stdout.String(), r.out.stderr.String())
	}
	if d := time.Since(t0); d > usual+time.Second {
		t.Errorf("the cell after the close took %v: the end markers were lost", d)
	}
}
