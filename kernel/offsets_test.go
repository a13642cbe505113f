package kernel

import "testing"

func TestOffsets(t *testing.T) {
	s := "aé世🙂b" // 1, 2, 3, 4 and 1 bytes
	bytesAt := []int{0, 1, 3, 6, 10, 11}
	for cp, b := range bytesAt {
		if got := byteOffset(s, cp); got != b {
			t.Errorf("byteOffset(%d) = %d, want %d", cp, got, b)
		}
		if got := codePointOffset(s, b); got != cp {
			t.Errorf("codePointOffset(%d) = %d, want %d", b, got, cp)
		}
	}
	// Clamping and cuts inside a character.
	for _, c := range []struct{ b, cp int }{{-1, 0}, {2, 1}, {7, 3}, {99, 5}} {
		if got := codePointOffset(s, c.b); got != c.cp {
			t.Errorf("codePointOffset(%d) = %d, want %d", c.b, got, c.cp)
		}
	}
	if byteOffset(s, -3) != 0 || byteOffset(s, 99) != len(s) {
		t.Error("byteOffset does not clamp")
	}
}
