package kernel

import "unicode/utf8"

// Since protocol 5.2 cursor positions on the wire count Unicode code
// points; the engine works with byte offsets into the UTF-8 code.

// byteOffset converts a code-point offset into s to a byte offset,
// clamped to [0, len(s)].
func byteOffset(s string, codePoints int) int {
	if codePoints <= 0 {
		return 0
	}
	n := 0
	for i := range s {
		if n == codePoints {
			return i
		}
		n++
	}
	return len(s)
}

// codePointOffset converts a byte offset into s to a code-point offset.
// A character that the offset cuts in two is not counted; offsets are
// clamped to [0, len(s)].
func codePointOffset(s string, b int) int {
	b = min(max(b, 0), len(s))
	n := 0
	for i := 0; i < b; n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		if i+size > b {
			break
		}
		i += size
	}
	return n
}
