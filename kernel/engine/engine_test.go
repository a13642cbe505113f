package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/godl-dev/godl/kernel"
)

func TestStateAcrossCells(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "x := 40\ntype point struct{ x, y int }\nfunc add(a, b int) int { return a + b }")
	r := ok(t, e, "x += 2\np := point{x: 1, y: 2}\nfmt.Println(\"hello\", x)\nadd(p.x, x)")
	if got := r.out.stdout.String(); got != "hello 42\n" {
		t.Errorf("stdout = %q", got)
	}
	if r.text() != "43" {
		t.Errorf("value = %q, want 43", r.text())
	}
}

func TestRedefinitionAndTypes(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "type celsius float64\nfunc greet() string { return \"old\" }\nfunc caller() string { return greet() }")
	ok(t, e, "func greet() string { return \"new\" }")
	if r := ok(t, e, "caller()"); r.text() != `"new"` && r.text() != "new" {
		t.Errorf("caller() after redefinition = %q, want new", r.text())
	}
	ok(t, e, "temps := []celsius{20, 25}")
	r := ok(t, e, "var total celsius\nfor _, c := range temps { total += c }\nfmt.Println(total)")
	if got := r.out.stdout.String(); got != "45\n" {
		t.Errorf("stdout = %q", got)
	}
	if r := ok(t, e, "type celsius float32"); !strings.Contains(r.out.stderr.String(), "old type") {
		t.Errorf("redefining a type: stderr %q, want a note", r.out.stderr.String())
	}
}

func TestModernGo(t *testing.T) {
	e := sharedEngine(t)
	code := `func sum[T int | float64](xs ...T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}
func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}
n := 0
for i := range count(4) {
	n += i
}
fmt.Println(n, min(3, 1, 2), max(2.5, 1), sum(1, 2, 3), sum(0.5, 0.25))`
	if got := ok(t, e, code).out.stdout.String(); got != "6 1 2.5 6 0.75\n" {
		t.Errorf("stdout = %q", got)
	}
}

func TestCompileErrorPosition(t *testing.T) {
	e := sharedEngine(t)
	r := run(t, e, "a := 1\nb := a +\n  \"x\"\nfmt.Println(b)")
	if r.Error == nil || r.Error.EName != "CompileError" || !strings.HasPrefix(r.Error.EValue, "line 2:") {
		t.Fatalf("error = %+v", r.Error)
	}
	r = run(t, e, "for i := range 3 {\n\tfmt.Println(i)")
	if r.Error == nil || !strings.HasPrefix(r.Error.EValue, "line 2:") || !strings.Contains(r.Error.EValue, "missing") {
		t.Fatalf("unfinished cell: error = %+v", r.Error)
	}
	r = run(t, e, "fmt.Println(undefinedThing)")
	if r.Error == nil || !strings.Contains(r.Error.EValue, "line 1:13: undefined: undefinedThing") {
		t.Fatalf("error = %+v", r.Error)
	}
	if tb := strings.Join(r.Error.Traceback, "\n"); !strings.Contains(tb, "fmt.Println(undefinedThing)") {
		t.Errorf("traceback lacks the offending line:\n%s", tb)
	}
}

func TestPanicKeepsState(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "kept := 7\nfunc boom() { panic(\"boom\") }")
	r := run(t, e, "kept++\nboom()")
	if r.Error == nil || r.Error.EName != "panic" || r.Error.EValue != "boom" {
		t.Fatalf("error = %+v", r.Error)
	}
	tb := strings.Join(r.Error.Traceback, "\n")
	if !strings.Contains(tb, "line 2\n") && !strings.HasSuffix(tb, "line 2") || !strings.Contains(tb, "line 2, in boom") || strings.Contains(tb, "Ǝ") {
		t.Errorf("traceback:\n%s", tb)
	}
	if r := ok(t, e, "kept"); r.text() != "8" {
		t.Errorf("kept = %q, want 8", r.text())
	}
	r = run(t, e, "kept++\nruntime.Goexit()")
	if r.Error == nil || r.Error.EName != "Goexit" {
		t.Fatalf("Goexit: error = %+v", r.Error)
	}
	if r := ok(t, e, "kept"); r.text() != "9" {
		t.Errorf("kept after Goexit = %q, want 9", r.text())
	}
	r = run(t, e, "var m map[string]int\nm[\"a\"] = 1")
	if r.Error == nil || r.Error.EName != "panic" || !strings.Contains(r.Error.EValue, "nil map") {
		t.Fatalf("error = %+v", r.Error)
	}
}

func TestStreamsAndDisplay(t *testing.T) {
	e := sharedEngine(t)
	r := ok(t, e, "fmt.Println(\"one\")\nfmt.Fprintln(os.Stderr, \"two\")\ndisplay.HTML(\"<b>hi</b>\")\ngonbui.DisplayMarkdown(\"*md*\")\nfmt.Println(\"three\")")
	if got := r.out.stdout.String(); got != "one\nthree\n" {
		t.Errorf("stdout = %q", got)
	}
	if got := r.out.stderr.String(); got != "two\n" {
		t.Errorf("stderr = %q", got)
	}
	if len(r.out.display) != 2 || r.out.display[0].Data["text/html"] != "<b>hi</b>" || r.out.display[1].Data["text/markdown"] != "*md*" {
		t.Errorf("displays = %+v", r.out.display)
	}
	// Displays come where the cell made them (gonbui called directly too):
	// after the text printed before, before the text printed after.
	// (stdout and stderr, two pipes, keep their order between themselves
	// as the pipes deliver it.)
	evs := append([]string(nil), r.out.events...)
	if len(evs) == 5 {
		slices.Sort(evs[:2])
	}
	if order, want := strings.Join(evs, "|"), "stderr:two\n|stdout:one\n|display|display|stdout:three\n"; order != want {
		t.Errorf("events = %q, want %q (the first two in any order)", r.out.events, want)
	}
	// Nothing leaks into the next cell.
	r = ok(t, e, "1 + 1")
	if r.out.stdout.Len()+r.out.stderr.Len()+len(r.out.display) != 0 || r.text() != "2" {
		t.Errorf("next cell got %+v, value %q", r.out.events, r.text())
	}
	r = ok(t, e, "display.Clear(false)")
	if len(r.out.events) != 1 || r.out.events[0] != "clear" {
		t.Errorf("events = %q", r.out.events)
	}
}

// Prints and displays in a loop come out interleaved, as made.
func TestInterleavedOutput(t *testing.T) {
	e := sharedEngine(t)
	r := ok(t, e, `for i := range 20 {
	fmt.Printf("text %d\n", i)
	display.Markdown(fmt.Sprintf("md %d", i))
	if i%5 == 4 {
		fmt.Fprintf(os.Stderr, "err %d\n", i)
		display.Clear(true)
	}
}
fmt.Print("end")`)
	var want, got []string
	for i := range 20 {
		want = append(want, fmt.Sprintf("stdout:text %d\n", i), "md "+fmt.Sprint(i))
		if i%5 == 4 {
			want = append(want, fmt.Sprintf("stderr:err %d\n", i), "clear")
		}
	}
	want = append(want, "stdout:end")
	md := 0
	for _, ev := range r.out.events {
		if ev == "display" {
			ev = fmt.Sprint(r.out.display[md].Data["text/markdown"])
			md++
		}
		got = append(got, ev)
	}
	// Text written in one go may arrive in pieces, or pieces in one go:
	// compare the sequence with adjacent texts of a stream joined.
	if join(got) != join(want) {
		t.Errorf("events:\n%q\nwant:\n%q", got, want)
	}
}

// join concatenates adjacent events of the same stream.
func join(evs []string) string {
	var b strings.Builder
	last := ""
	for _, ev := range evs {
		name, text, isStream := strings.Cut(ev, ":")
		if !isStream || (name != "stdout" && name != "stderr") {
			b.WriteString("|" + ev)
			last = ""
			continue
		}
		if name != last {
			b.WriteString("|" + name + ":")
			last = name
		}
		b.WriteString(text)
	}
	return b.String()
}

func TestInput(t *testing.T) {
	e := sharedEngine(t)
	r := &recorder{inputs: []string{"21", "hello"}}
	res := e.Execute(context.Background(), kernel.ExecuteRequest{Code: "var n int\nfmt.Scan(&n)\nvar w string\nfmt.Fscan(os.Stdin, &w)\nfmt.Println(n*2, w)", AllowStdin: true}, r)
	if res.Error != nil {
		t.Fatalf("error: %+v", res.Error)
	}
	if got := r.stdout.String(); got != "42 hello\n" {
		t.Errorf("stdout = %q (prompts %q)", got, r.prompts)
	}
}

// TestStatementCellsBuildNoPackage runs cells of statements alone, which
// declare nothing: their package is not compiled (only the plugin's main
// is), and the cells around them see every name as before.
func TestStatementCellsBuildNoPackage(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, "total := 1\nfunc twice(v int) int { return 2 * v }")
	archive := func() string {
		e.mu.Lock()
		defer e.mu.Unlock()
		return filepath.Join(e.b.dir, "cells", e.sess, fmt.Sprintf("c%d", e.seq), "cell.a")
	}
	if _, err := os.Stat(archive()); err != nil {
		t.Fatalf("a cell that declares names has no archive: %v", err)
	}
	r := ok(t, e, "for i := range 3 { total += twice(i) }\nfmt.Println(total)")
	if got := r.out.stdout.String(); got != "7\n" {
		t.Errorf("stdout = %q, want 7", got)
	}
	if _, err := os.Stat(archive()); !os.IsNotExist(err) {
		t.Errorf("a cell of statements alone was compiled as a package (stat: %v)", err)
	}
	if r := ok(t, e, "total + twice(1)"); r.text() != "9" {
		t.Errorf("value = %q, want 9", r.text())
	}
}
