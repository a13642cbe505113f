package dl

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// mappedBytes is the process's address space, as the limit counts it.
func mappedBytes(t *testing.T) uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm")
	}
	pages, _ := strconv.ParseUint(strings.Fields(string(b))[0], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// Past the memory limit an op fails with an *Error naming it, the shape
// and the size, before allocating; tensors made before stay valid.
func TestAllocationPastLimitIsAnError(t *testing.T) {
	defer SetMemoryLimit(0)
	kept := Arange(0, 5000, 1)
	SetMemoryLimit(mappedBytes(t) + 512<<20) // room for small tensors, not for these
	for _, c := range []struct {
		op, shape string
		f         func()
	}{
		{"Zeros", "[1048576 4096]", func() { Zeros(1<<20, 1<<12) }},
		{"ReLU", "[2097152 1024]", func() { ReLU(Ones(1<<10).Expand(1<<21, 1<<10)) }},
		{"MatMul", "[32768 65536]", func() { Ones(1<<15, 1).MatMul(Ones(1, 1<<16)) }},
	} {
		err := Maybe(c.f)
		e, ok := err.(*Error)
		if !ok {
			t.Fatalf("%s: got %v, want a *dl.Error", c.op, err)
		}
		if e.Op != c.op || !strings.Contains(e.Msg, "out of memory") || !strings.Contains(e.Msg, c.shape) {
			t.Errorf("%s: error %q: want op %s, shape %s", c.op, e, c.op, c.shape)
		}
	}
	SetMemoryLimit(0)
	if got := kept.Sum().Item(); got != 4999*5000/2 {
		t.Errorf("a tensor made before reads %v", got)
	}
	if MemoryLimit() != 0 {
		t.Errorf("MemoryLimit() = %d after SetMemoryLimit(0)", MemoryLimit())
	}
}
