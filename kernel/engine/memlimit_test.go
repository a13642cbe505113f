package engine

import (
	"strings"
	"testing"
)

// An allocation past the worker's memory limit fails its cell with a dl
// error naming the op, the shape and the size, before anything is
// allocated: the worker lives on and later cells see every earlier value.
func TestAllocationPastMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins; skipped with -short")
	}
	e, _ := New(Options{MemLimit: 6 << 30})
	defer e.Close()
	ok(t, e, "w := dl.Randn(300, 200)\nsum0 := w.Sum().Item()\nlabel := \"kept\"")
	for _, c := range []struct{ code, op, shape, size string }{
		{"big := dl.Zeros(1<<20, 1<<12)", "Zeros", "[1048576 4096]", "16.0 GiB"},
		{"r := dl.ReLU(dl.Ones(1 << 10).Expand(1<<21, 1<<10))", "ReLU", "[2097152 1024]", "8.0 GiB"},
		{"p := dl.Ones(1<<15, 1).MatMul(dl.Ones(1, 1<<16))", "MatMul", "[32768 65536]", "8.0 GiB"},
	} {
		r := run(t, e, c.code)
		if r.Error == nil {
			t.Fatalf("%q: no error", c.code)
		}
		msg := r.Error.EValue
		for _, want := range []string{c.op + ": out of memory", c.shape, c.size, "memory limit is 6.0 GiB"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%q: error %s: %q does not say %q", c.code, r.Error.EName, msg, want)
			}
		}
		if r.Error.EName == "WorkerDied" {
			t.Fatalf("the worker died: %q", msg)
		}
	}
	r := ok(t, e, "fmt.Println(w.Sum().Item() == sum0, label, w.Shape())")
	if got := r.out.stdout.String(); got != "true kept [300 200]\n" {
		t.Errorf("after the refused allocations, earlier values read %q", got)
	}
	// Memory within the limit is still there to use.
	ok(t, e, "m := dl.Ones(1<<14, 1<<14).Sum().Item()\nfmt.Println(m)")
}
