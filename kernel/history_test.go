package kernel

import (
	"io"
	"log"
	"os"
	"path/filepath"
	"testing"
)

func TestGlob(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"6*7", "6*7", true},
		{"6*7", "6 * 7", true},
		{"6*7", "6*7 ", false},
		{"*Println*", "fmt.Println(1)\nx := 2", true},
		{"print ?", "print a", true},
		{"print ?", "print ab", false},
		{"[a-c]x", "bx", true},
		{"[^a-c]x", "bx", false},
		{"a.b", "axb", false},
		{"(x)", "(x)", true},
		{"[x", "[x", true},
		{"", "", true},
		{"", "a", false},
	}
	for _, c := range cases {
		re, err := globRegexp(c.pattern)
		if err != nil {
			t.Fatalf("%q: %v", c.pattern, err)
		}
		if got := re.MatchString(c.s); got != c.want {
			t.Errorf("glob %q on %q = %v", c.pattern, c.s, got)
		}
	}
}

func TestHistorySessionsAndFallback(t *testing.T) {
	logger := log.New(io.Discard, "", 0)
	path := filepath.Join(t.TempDir(), "godl", "history.json")
	a := openHistory(path, logger)
	b := openHistory(path, logger) // a second kernel running at once
	if a.session != 1 || b.session != 2 {
		t.Fatalf("sessions %d %d", a.session, b.session)
	}
	a.add(1, "a1", nil)
	b.add(1, "b1", nil)
	a.add(2, "a2", nil)
	if es := a.all(); len(es) != 3 || es[0].Input != "a1" || es[1].Input != "a2" || es[2].Input != "b1" {
		t.Errorf("all %v", es)
	}
	if es := b.rangeOf(-1, 1, 0); len(es) != 2 {
		t.Errorf("previous session %v", es)
	}

	// A corrupt file is set aside, not fatal.
	os.WriteFile(path, []byte("{not json"), 0o644)
	c := openHistory(path, logger)
	c.add(1, "c1", nil)
	if es := c.all(); len(es) != 1 || es[0].Input != "c1" {
		t.Errorf("after corruption %v", es)
	}
	if _, err := os.Stat(path + ".corrupt"); err != nil {
		t.Error(err)
	}

	// An unwritable place keeps the history in memory.
	ro := filepath.Join(t.TempDir(), "file")
	os.WriteFile(ro, nil, 0o644)
	m := openHistory(filepath.Join(ro, "godl", "history.json"), logger)
	m.add(1, "m1", nil)
	if es := m.tail(0); len(es) != 1 || es[0].Input != "m1" || m.session != 1 {
		t.Errorf("in memory %v", es)
	}
}
