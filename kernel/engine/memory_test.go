package engine

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

const smapsSample = `55d4c0a00000-55d4c0a02000 r--p 00000000 fe:00 123 /cache/shlib/worker-ab
Size:                  8 kB
Rss:                   8 kB
Pss:                   8 kB
Private_Clean:         8 kB
Private_Dirty:         0 kB
Anonymous:             0 kB
VmFlags: rd mr mw me dw sd
7f0000000000-7f0000400000 r-xp 00000000 fe:00 124 /cache/shlib/libgodl-0123-core.so
Size:               4096 kB
Rss:                3000 kB
Pss:                1500 kB
Shared_Clean:       3000 kB
Private_Dirty:         0 kB
Anonymous:             0 kB
7f0000400000-7f0000404000 r--p 00001000 fe:00 125 /cache/cells/p1x2/c7.so (deleted)
Size:                 16 kB
Rss:                  12 kB
Private_Dirty:         4 kB
Anonymous:             4 kB
7f0000404000-7f0000405000 rw-p 00005000 fe:00 125 /cache/cells/p1x2/c7.so (deleted)
Size:                  4 kB
Rss:                   4 kB
Private_Dirty:         4 kB
Anonymous:             4 kB
7f0000500000-7f0000600000 rw-p 00000000 00:00 0 
Size:               1024 kB
Rss:                 512 kB
Private_Dirty:       512 kB
Anonymous:           512 kB
7f0000600000-7f0000601000 r-xp 00000000 fe:00 126 /usr/lib/x86_64-linux-gnu/libc.so.6
Size:                  4 kB
Rss:                   4 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
Size:                132 kB
Rss:                  16 kB
Private_Dirty:        16 kB
7ffd00100000-7ffd00101000 r-xp 00000000 00:00 0                          [vdso]
Size:                  4 kB
Rss:                   4 kB
`

func TestSummarizeSmaps(t *testing.T) {
	maps, err := parseSmaps([]byte(smapsSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(maps) != 8 {
		t.Fatalf("parsed %d mappings, want 8", len(maps))
	}
	u := summarize(maps, "/cache/shlib/worker-ab")
	const k = 1 << 10
	want := map[memClass]uint64{memWorker: 3008 * k, memCells: 16 * k, memHeap: 528 * k, memLibs: 4 * k, memOther: 4 * k}
	for c, w := range want {
		if got := u.class[c].rss; got != w {
			t.Errorf("%s: rss %d, want %d", c, got, w)
		}
	}
	if u.rss != 3560*k || u.pss != 1508*k || u.plugins != 1 || u.class[memCells].privDirty != 8*k {
		t.Errorf("rss %d pss %d plugins %d cell dirty %d", u.rss, u.pss, u.plugins, u.class[memCells].privDirty)
	}
}

// TestCellsStaySmall checks what shared mode is for: a cell plugin maps
// only the cell's own code, and the worker still does everything a
// statically linked one does (a package the worker does not link, a
// panic's trace in cell lines, types and functions across cells).
func TestCellsStaySmall(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "type acc struct{ n int }\nfunc (a *acc) add(k int) { a.n += k }\nsum := &acc{}")
	r := ok(t, e, "import \"container/ring\"\nrg := ring.New(3)\nfor i := range 3 { sum.add(i); rg.Value = i; rg = rg.Next() }\nfmt.Println(sum.n, rg.Len())")
	if got := r.out.stdout.String(); got != "3 3\n" {
		t.Errorf("stdout %q, want \"3 3\\n\"", got)
	}
	// Type names and identities across the libraries, the worker and the
	// plugins (reflect, encoding/json, an interface holding a func()).
	r = ok(t, e, "type pt struct{ X int `json:\"x\"` }\nvar f any = func() {}\n_, isFunc := f.(func())\nb, _ := json.Marshal(pt{3})\nfmt.Printf(\"%T %T %s %v\\n\", sum, []string{}, b, isFunc)")
	if got := r.out.stdout.String(); got != "*acc []string {\"x\":3} true\n" {
		t.Errorf("stdout %q", got)
	}
	r = run(t, e, "var m map[string]int\nm[\"x\"] = sum.n")
	if r.Error == nil || !strings.Contains(strings.Join(r.Error.Traceback, "\n"), "line 2") {
		t.Errorf("panic in a cell: %+v", r.Error)
	}
	r = ok(t, e, "%memory")
	text := r.out.stdout.String()
	for _, want := range []string{"worker: ", "resident", "cell plugins", "Go heap", "%reset"} {
		if !strings.Contains(text, want) {
			t.Errorf("%%memory lacks %q:\n%s", want, text)
		}
	}
	if !e.b.linksShared() {
		t.Skip("plugins link their dependencies in on this platform")
	}
	e.mu.Lock()
	pid := e.proc.cmd.Process.Pid
	e.mu.Unlock()
	u, err := workerMemory(pid)
	if err != nil {
		t.Fatal(err)
	}
	// A plugin that carried the runtime and dl would map ~4 MB.
	if u.plugins == 0 || u.class[memCells].size/uint64(u.plugins) > 256<<10 {
		t.Errorf("%d plugins map %d bytes", u.plugins, u.class[memCells].size)
	}
}

func TestResetGivesMemoryBack(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "big := make([]float32, 1<<24)\nbig[1] = 1")
	e.mu.Lock()
	p := e.proc
	e.mu.Unlock()
	ok(t, e, "%reset")
	if p.alive() {
		t.Fatal("the worker still runs after %reset")
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/smaps", p.cmd.Process.Pid)); err == nil {
		t.Error("the old worker's process still exists")
	}
	if r := ok(t, e, "%memory"); !strings.Contains(r.out.stdout.String(), "not running") {
		t.Errorf("%%memory after %%reset: %q", r.out.stdout.String())
	}
}

// TestSharedModeIsOn fails when shared mode could be used here but its
// build failed and the engine fell back to static plugins.
func TestSharedModeIsOn(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "onx := 1")
	if e.b.sharedModeOK() && !e.b.linksShared() {
		t.Fatal("shared mode is possible here, but the worker was built for static plugins (see the kernel's stderr)")
	}
}

// TestCellsGatheredIntoLibraries runs cells past several cell libraries:
// values, methods, types, a panic's trace in an earlier cell and %whos
// must work across them, and the libraries must be loaded.
func TestCellsGatheredIntoLibraries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins; skipped with -short")
	}
	defer func(n int) { cellLibEvery = n }(cellLibEvery)
	cellLibEvery = 3
	e, _ := New(Options{})
	defer e.Close()
	ok(t, e, "type acc struct{ n int }\nfunc (a *acc) add(k int) { a.n += k }\nsum := &acc{}\nfunc boom() {\n\tpanic(\"boom\")\n}\nx0 := 0")
	for i := 1; i <= 9; i++ {
		ok(t, e, fmt.Sprintf("sum.add(%d)\nx%d := x%d + 1", i, i, i-1))
	}
	if !e.b.linksShared() {
		t.Skip("plugins link their dependencies in on this platform")
	}
	r := ok(t, e, "var s fmt.Stringer = time.Second\nfmt.Println(sum.n, x9, s)")
	if got := r.out.stdout.String(); got != "45 9 1s\n" {
		t.Errorf("stdout %q, want \"45 9 1s\\n\"", got)
	}
	r = run(t, e, "boom()")
	if tb := strings.Join(r.Error.Traceback, "\n"); r.Error == nil || !strings.Contains(tb, "line 5, in boom") {
		t.Errorf("a panic in the first cell's function: %+v", r.Error)
	}
	r = ok(t, e, "%whos")
	if len(r.out.display) != 1 || !strings.Contains(fmt.Sprint(r.out.display[0].Data["text/plain"]), "x9") {
		t.Errorf("%%whos: %+v", r.out.display)
	}
	if s := r.out.stdout.String(); !strings.HasPrefix(s, "worker: ") || !strings.Contains(s, " MB resident, ") {
		t.Errorf("%%whos printed %q, want the worker's memory", s)
	}
	e.b.mu.Lock()
	made := e.b.cellLibs.made
	e.b.mu.Unlock()
	e.mu.Lock()
	maps, err := readSmaps(e.proc.cmd.Process.Pid)
	e.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	loaded := map[string]bool{}
	for _, m := range maps {
		if strings.Contains(m.path, "libgodlcells-") {
			loaded[m.path] = true
		}
	}
	if made < 3 || len(loaded) < 2 {
		t.Errorf("%d cell libraries made, %d loaded", made, len(loaded))
	}
}
