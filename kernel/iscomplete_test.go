package kernel

import "testing"

func TestIsComplete(t *testing.T) {
	cases := []struct {
		code, status, indent string
	}{
		{"", "complete", ""},
		{"fmt.Println(\"hi\")", "complete", ""},
		{"x := 1", "complete", ""},
		{"x := 1\ny := x + 1", "complete", ""},
		{"func f() int { return 1 }", "complete", ""},
		{"type T struct{ A int }", "complete", ""},
		{"import \"strings\"", "complete", ""},
		{"type T struct{}\nx := T{}\nfunc (T) M() {}\nx.M()", "complete", ""},
		{"func (t T) Name() string { return \"\" }", "complete", ""},
		{"func() { fmt.Println(1) }()", "complete", ""},
		{"for i := range 3 {\n\tfmt.Println(i)\n}", "complete", ""},
		{"%help", "complete", ""},
		{"!ls -l", "complete", ""},
		{"%%time\nx := 1", "complete", ""},
		{"s := `raw\nstring`", "complete", ""},
		{"// just a comment", "complete", ""},

		{"for i := range 3 {", "incomplete", "    "},
		{"func f() {\n\tif true {", "incomplete", "        "},
		{"x := []int{1,\n2,", "incomplete", "    "},
		{"fmt.Println(\"a\",", "incomplete", "    "},
		{"x := 1 +", "incomplete", "    "},
		{"if x {\n} else", "incomplete", "    "},
		{"s := `raw", "incomplete", "    "},
		{"/* comment", "incomplete", "    "},
		{"type T struct {", "incomplete", "    "},

		{"1 2 3", "invalid", ""},
		{"x := )", "invalid", ""},
		{"}", "invalid", ""},
		{"func {", "invalid", ""},
		{"x := \"unterminated", "invalid", ""},
		{"x := 1 + / 2", "invalid", ""},
		{"for i := range 3 {\n\tx := )", "invalid", ""},
		{"fmt.Println(\"a\" \"b\")", "invalid", ""},
	}
	for _, c := range cases {
		status, indent := isComplete(c.code)
		if status != c.status || indent != c.indent {
			t.Errorf("isComplete(%q) = %q %q, want %q %q", c.code, status, indent, c.status, c.indent)
		}
	}
}
