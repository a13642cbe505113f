package storage

import (
	"strings"
	"testing"
)

// refused runs f with Fail reporting through a panic this test recovers,
// and returns the message, "" if f was not refused.
func refused(f func()) (msg string) {
	defer func(old func(op, msg string)) { Fail = old }(Fail)
	type failure struct{ op, msg string }
	Fail = func(op, msg string) { panic(failure{op, msg}) }
	defer func() {
		if r := recover(); r != nil {
			f := r.(failure)
			msg = f.op + ": " + f.msg
		}
	}()
	f()
	return ""
}

func TestLimitRefusesBeforeAllocating(t *testing.T) {
	defer SetLimit(0)
	used := addressSpace()
	SetLimit(used + 512<<20)
	// 4 GiB would be far past the limit: refused, not allocated.
	msg := refused(func() { Get(1<<30, []int{1 << 15, 1 << 15}) })
	if msg == "" {
		t.Fatal("a 4 GiB buffer under a limit 512 MiB above the current use was allocated")
	}
	for _, want := range []string{"out of memory", "[32768 32768]", "4.0 GiB", "memory limit"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not mention %q", msg, want)
		}
	}
	// Small buffers still come.
	if msg := refused(func() { Get(1<<20, nil) }); msg != "" {
		t.Fatalf("a 4 MiB buffer was refused: %s", msg)
	}
	SetLimit(0)
	if msg := refused(func() { Get(1<<24, nil) }); msg != "" {
		t.Fatalf("no limit, yet refused: %s", msg)
	}
}

func TestOpName(t *testing.T) {
	for _, c := range []struct {
		fn      string
		name    string
		closure bool
		ok      bool
	}{
		{root + ".ReLU", "ReLU", false, true},
		{root + ".ReLU.func1", "ReLU", true, true},
		{root + ".(*Tensor).Sum", "Sum", false, true},
		{root + ".(*Tensor).Sum.func2", "Sum", true, true},
		{root + "/nn.Conv2dOp.func3", "Conv2dOp", true, true},
		{root + "/nn.(*Linear).Forward", "Linear.Forward", false, true},
		{root + "/nn.(*BatchNorm).Forward.func1", "BatchNorm.Forward", true, true},
		{root + ".unaryMap", "", false, false},
		{root + "/internal/kernels.Sgemm", "", false, false},
		{"main.main", "", false, false},
	} {
		name, closure, ok := opName(c.fn)
		if name != c.name || closure != c.closure || ok != c.ok {
			t.Errorf("opName(%q) = %q, %v, %v; want %q, %v, %v", c.fn, name, closure, ok, c.name, c.closure, c.ok)
		}
	}
}
