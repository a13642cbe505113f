package engine

import (
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
		if got := unmangle(in); got != want {
			t.Errorf("unmangle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAutoImports(t *testing.T) {
	m := autoImports([]string{"math/rand", "crypto/rand", "math/rand/v2", "strings", "text/template", "html/template", "encoding/json"})
	for name, want := range map[string]string{"rand": "math/rand", "strings": "strings", "template": "text/template", "json": "encoding/json", "nn": modulePath + "/dl/nn"} {
		if m[name] != want {
			t.Errorf("auto-import %s = %q, want %q", name, m[name], want)
		}
	}
}
