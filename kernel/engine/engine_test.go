package engine

import (
	"testing"
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
