package workerproto

import (
	"bytes"
	"testing"
)

func TestCutMarker(t *testing.T) {
	data := append(append(append([]byte("before\n"), Marker(7)...), "after"...), Marker(12)...)
	before, n, after, ok := CutMarker(data)
	if !ok || string(before) != "before\n" || n != 7 {
		t.Fatalf("first cut: %q %d %v", before, n, ok)
	}
	before, n, after, ok = CutMarker(after)
	if !ok || string(before) != "after" || n != 12 || len(after) != 0 {
		t.Fatalf("second cut: %q %d %q %v", before, n, after, ok)
	}
	if _, _, _, ok := CutMarker([]byte("plain text")); ok {
		t.Error("found a marker in plain text")
	}
	// Something that looks like a marker but has no number is text.
	fake := []byte("\x00\x1egodl-sync-x\x1e\x00tail")
	if b, _, _, ok := CutMarker(append(fake, Marker(3)...)); !ok || !bytes.Equal(b, fake) {
		t.Errorf("fake marker: %q %v", b, ok)
	}
}

func TestPartialMarker(t *testing.T) {
	m := Marker(123456)
	for i := 1; i < len(m); i++ {
		data := append([]byte("text"), m[:i]...)
		if got := PartialMarker(data); got != i {
			t.Errorf("prefix of %d bytes: hold %d", i, got)
		}
	}
	for _, s := range []string{"text", "a\x00b c", "\x00\x1egodl-sync-1\x1e\x00"[:0]} {
		if got := PartialMarker([]byte(s)); got != 0 {
			t.Errorf("%q: hold %d", s, got)
		}
	}
	long := append([]byte("\x00\x1egodl-sync-"), bytes.Repeat([]byte("9"), 40)...)
	if got := PartialMarker(long); got != 0 {
		t.Errorf("overlong: hold %d", got)
	}
}
