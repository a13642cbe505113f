package engine

import (
	"strings"
	"testing"
)

// Cases the rewriter must get right: each cell's value, in order, on one
// engine (later cells use earlier ones).
func TestRewriteCases(t *testing.T) {
	e := sharedEngine(t)
	for _, c := range []struct{ code, want string }{
		{"type base struct{ n int }\ntype derived struct{ base; m int }\nd := derived{base: base{n: 1}, m: 2}\nd.n + d.base.n + d.m", "4"},
		{"d.n", "1"},
		{"type stack[T any] struct{ items []T }\nfunc (s *stack[T]) push(v T) { s.items = append(s.items, v) }", ""},
		{"s := stack[int]{}\ns.push(3)\nlen(s.items)", "1"},
		{"p := struct{ a int }{1}\nf := func(x int) int { return x * 2 }", ""},
		{"f(p.a)", "2"},
		{"const n = 3\nx := 5", ""},
		{"x := \"str\"\nx + fmt.Sprint(n*2)", "str6"},
		{"func fact(n int) int {\n\tif n <= 1 {\n\t\treturn 1\n\t}\n\treturn n * fact(n-1)\n}\nfact(5)", "120"},
		{"type shape interface{ area() float64 }\ntype sq struct{ s float64 }\nfunc (q sq) area() float64 { return q.s * q.s }\nvar shapes = []shape{sq{2}}\nshapes[0].area()", "4"},
		{"shapes[0].area() + sq{3}.area()", "13"},
		{"var ch = make(chan int, 1)\nch <- 4\n<-ch", "4"},
		{"import \"strings\"\nstrings.ToUpper(\"ab\")", `"AB"`},
		{"type net struct{ hidden int }\nfmt.Sprintf(\"%+v\", net{1})", `"{hidden:1}"`},
	} {
		r := ok(t, e, c.code)
		if got := r.text(); got != c.want && strings.Trim(got, `"`) != strings.Trim(c.want, `"`) {
			t.Errorf("%q = %q, want %q", c.code, got, c.want)
		}
	}
	r := run(t, e, "func (q sq) perimeter() float64 { return 4 * q.s }")
	if r.Error == nil || !strings.Contains(r.Error.EValue, "declared in an earlier cell") {
		t.Errorf("method on an earlier cell's type: %+v", r.Error)
	}
	r = run(t, e, "t := dl.Zeros(2, 3)\nu := dl.Zeros(4, 5)\nt.MatMul(u)")
	if r.Error == nil || r.Error.EName != "*dl.Error" || !strings.Contains(strings.Join(r.Error.Traceback, "\n"), "line 3") {
		t.Errorf("dl error: %+v", r.Error)
	}
}
