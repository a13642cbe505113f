package rewrite

import (
	"strings"
	"testing"
)

func TestSplitCell(t *testing.T) {
	code := `import "strings"
x := 1
func f() int { return x }
func (p *pt) m() {}
func() { fmt.Println("lit") }()
type pt struct{ a int }
var y = strings.ToUpper("a"); const c = 2
for i := range 3 {
	x += i
}`
	want := []struct {
		kind segKind
		text string
	}{
		{segImport, `import "strings"`},
		{segStmt, "x := 1"},
		{segFunc, "func f() int { return x }"},
		{segDecl, "func (p *pt) m() {}"},
		{segStmt, `func() { fmt.Println("lit") }()`},
		{segDecl, "type pt struct{ a int }"},
		{segVar, `var y = strings.ToUpper("a")`},
		{segDecl, "const c = 2"},
		{segStmt, "for i := range 3 {\n\tx += i\n}"},
	}
	got := splitCell(code)
	if len(got) != len(want) {
		t.Fatalf("got %d segments, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].kind != w.kind || code[got[i].start:got[i].end] != w.text {
			t.Errorf("segment %d = %v %q, want %v %q", i, got[i].kind, code[got[i].start:got[i].end], w.kind, w.text)
		}
	}
}

func TestUnmangle(t *testing.T) {
	for in, want := range map[string]string{
		"undefined: fmt.Ǝprintln":                     "undefined: fmt.println",
		"godlcells/cells/ab12/c3.Ǝboom()":             "boom()",
		"cannot use m (variable of type *cell4.Ǝnet)": "cannot use m (variable of type *net)",
		"godlcells/cells/ab12/c3.godlfn_train(0x1)":   "train(0x1)",
		"{Ǝweight:1 Ǝbias:2}":                         "{weight:1 bias:2}",
	} {
		if got := Unmangle(in); got != want {
			t.Errorf("Unmangle(%q) = %q, want %q", in, got, want)
		}
	}
}

// Semicolons in an if/for/switch header do not end the statement.
func TestSplitCellHeaders(t *testing.T) {
	for code, want := range map[string][]string{
		"for i := 0; ; i++ {\n\tfmt.Println(i)\n}\nx := 1":                      {"for i := 0; ; i++ {\n\tfmt.Println(i)\n}", "x := 1"},
		"for ;; {\n}; y := 2":                                                   {"for ;; {\n}", "y := 2"},
		"if v := f(); v > 0 {\n} else if w := g(); w {\n}\nz := 3":              {"if v := f(); v > 0 {\n} else if w := g(); w {\n}", "z := 3"},
		"switch x := 2; x {\ncase 1:\n}":                                        {"switch x := 2; x {\ncase 1:\n}"},
		"if err := func() error { return nil }(); err != nil {\n}; a := 1":      {"if err := func() error { return nil }(); err != nil {\n}", "a := 1"},
		"for x := []int{1}; len(x) < 3; x = append(x, 1) {\n}; b := 1":          {"for x := []int{1}; len(x) < 3; x = append(x, 1) {\n}", "b := 1"},
		"for _, v := range m[k].items {\n}; c := 1":                             {"for _, v := range m[k].items {\n}", "c := 1"},
		"for _, v := range [][]int{{1}} {\n}; d := 1":                           {"for _, v := range [][]int{{1}} {\n}", "d := 1"},
		"for x := (struct{ a int }{}); x.a < 2; x.a++ {\n}; e := 1":             {"for x := (struct{ a int }{}); x.a < 2; x.a++ {\n}", "e := 1"},
		"for i := 0; i < 3; i++ {\n}\nfor j := map[int]int{}; len(j) < 1; {\n}": {"for i := 0; i < 3; i++ {\n}", "for j := map[int]int{}; len(j) < 1; {\n}"},
	} {
		var got []string
		for _, sg := range splitCell(code) {
			got = append(got, code[sg.start:sg.end])
		}
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("splitCell(%q) = %q, want %q", code, got, want)
		}
	}
}
