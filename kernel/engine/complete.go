package engine

import (
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	"os/exec"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
)

var keywords = []string{"break", "case", "chan", "const", "continue", "default", "defer", "else",
	"fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package",
	"range", "return", "select", "struct", "switch", "type", "var"}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// identBefore returns the start of the identifier that ends at end.
func identBefore(code string, end int) int {
	for end > 0 {
		r, n := utf8.DecodeLastRuneInString(code[:end])
		if !isIdentRune(r) {
			break
		}
		end -= n
	}
	return end
}

// wordAt finds the selector under the cursor: qualifier (before a dot,
// may be ""), the identifier's start and end.
func wordAt(code string, cursor int) (qual string, start, end int) {
	cursor = max(0, min(cursor, len(code)))
	start = identBefore(code, cursor)
	end = cursor
	for end < len(code) {
		r, n := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) {
			break
		}
		end += n
	}
	if start > 0 && code[start-1] == '.' {
		qs := identBefore(code, start-1)
		qual = code[qs : start-1]
	}
	return qual, start, end
}

// stateNow is the rewriting state if the setup is done, without waiting:
// completion must answer at once.
func (e *Engine) stateNow() *state {
	select {
	case <-e.done:
		return e.current()
	default:
		return nil
	}
}

// packageFor resolves a package name as a cell would: an import in the
// code, or an auto-import. It returns the package (nil if it cannot be
// loaded) and its path ("" if the name is no package).
func packageFor(st *state, code, name string) (*types.Package, string) {
	path := ""
	for _, l := range strings.Split(code, "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "import"))
		f := strings.Fields(l)
		if len(f) == 2 && f[0] == name {
			path = strings.Trim(f[1], `"`)
		} else if len(f) == 1 && strings.HasSuffix(strings.Trim(f[0], `"`), "/"+name) {
			path = strings.Trim(f[0], `"`)
		}
	}
	if path == "" {
		path = st.cfg.AutoImports[name]
	}
	if path == "" {
		return nil, ""
	}
	p, err := st.cfg.Importer.Import(path)
	if err != nil {
		return nil, path
	}
	return p, path
}

// Complete proposes names for the identifier before the cursor: package
// members after "pkg.", fields and methods after "x." for a variable of an
// earlier cell or of the cell being typed, otherwise earlier cells' names,
// names in the cell, packages, keywords and builtins.
func (e *Engine) Complete(code string, cursor int) kernel.Completion {
	qual, start, _ := wordAt(code, cursor)
	cursor = max(start, min(cursor, len(code)))
	prefix := code[start:cursor]
	res := kernel.Completion{Start: start, End: cursor, Matches: []string{}, Metadata: map[string]any{}}
	set := map[string]bool{}
	add := func(n string) {
		if n = rewrite.Completion(n); n != "" && strings.HasPrefix(n, prefix) {
			set[n] = true
		}
	}
	st := e.stateNow()
	switch {
	case qual != "" && st != nil:
		for _, n := range members(st, code, qual, start, cursor) {
			add(n)
		}
	case qual == "":
		for _, n := range plainNames(code, start) {
			add(n)
		}
		if st != nil {
			for _, n := range st.sess.Names() {
				add(n)
			}
			for n := range st.cfg.AutoImports {
				add(n)
			}
		}
	}
	for n := range set {
		res.Matches = append(res.Matches, n)
	}
	sort.Strings(res.Matches)
	return res
}

// members lists what may follow "qual." in code: the members of an earlier
// cell's name, of a package, or of the operand's type in the cell.
func members(st *state, code, qual string, start, cursor int) []string {
	if s := st.sess.Lookup(qual); s != nil {
		return memberNames(s.Obj.Type())
	}
	if p, _ := packageFor(st, code, qual); p != nil {
		var names []string
		for _, n := range p.Scope().Names() {
			if token.IsExported(n) {
				names = append(names, n)
			}
		}
		return names
	}
	if t := typeAt(st, code, start-1-len(qual), cursor); t != nil {
		return memberNames(t)
	}
	return nil
}

// plainNames are the keywords, the builtins and the identifiers of the
// cell (but the one being typed at start).
func plainNames(code string, start int) []string {
	names := append([]string(nil), keywords...)
	names = append(names, types.Universe.Names()...)
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(code)), []byte(code), nil, 0)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.IDENT && int(pos)-1 != start {
			names = append(names, lit)
		}
	}
	return names
}

// memberNames lists the fields and methods of t (and *t).
func memberNames(t types.Type) []string {
	var names []string
	seen := map[string]bool{}
	for _, tt := range []types.Type{t, types.NewPointer(t)} {
		if _, isPtr := t.(*types.Pointer); isPtr && tt != t {
			continue
		}
		ms := types.NewMethodSet(tt)
		for i := 0; i < ms.Len(); i++ {
			if n := ms.At(i).Obj().Name(); !seen[n] && token.IsExported(n) {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	u := t
	if p, ok := u.Underlying().(*types.Pointer); ok {
		u = p.Elem()
	}
	if st, ok := u.Underlying().(*types.Struct); ok {
		for i := 0; i < st.NumFields(); i++ {
			if n := st.Field(i).Name(); !seen[n] && token.IsExported(n) {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names
}

// Inspect shows the Go documentation of the name under the cursor (from
// go doc, i.e. go/doc), or the type of an earlier cell's variable.
func (e *Engine) Inspect(code string, cursor, detail int) kernel.Inspection {
	qual, start, end := wordAt(code, cursor)
	name := code[start:end]
	st := e.stateNow()
	if name == "" || st == nil {
		return kernel.Inspection{}
	}
	target, text := describeName(st, code, qual, name, start)
	if target != "" {
		args := []string{"doc"}
		if detail > 0 {
			args = append(args, "-all")
		}
		cmd := exec.Command(e.b.goCmd, append(args, target)...)
		cmd.Dir, cmd.Env = e.b.dir, e.b.env
		if out, err := cmd.Output(); err == nil {
			text = string(out)
		}
		// (Without go doc, the declaration found here is still shown.)
	}
	if text == "" {
		return kernel.Inspection{}
	}
	return kernel.Inspection{Found: true, Data: kernel.MIMEBundle{"text/plain": text}}
}

// describeName finds what to show for name (after "qual." if qual is set):
// a go doc target, or a declaration of the cells'.
func describeName(st *state, code, qual, name string, start int) (target, text string) {
	pkgName := func(p *types.Package) string { return p.Name() }
	if qual == "" {
		if s := st.sess.Lookup(name); s != nil {
			return "", name + ": " + rewrite.Unmangle(types.TypeString(s.Obj.Type(), pkgName))
		}
		if _, path := packageFor(st, code, name); path != "" {
			return path, ""
		}
		if types.Universe.Lookup(name) != nil {
			return "builtin." + name, ""
		}
		return "", ""
	}
	var recv types.Type
	if s := st.sess.Lookup(qual); s != nil {
		recv = s.Obj.Type()
	} else if _, path := packageFor(st, code, qual); path != "" {
		return path + "." + name, ""
	} else {
		recv = typeAt(st, code, start-1-len(qual), start-1+len(name)+1)
	}
	if recv == nil {
		return "", ""
	}
	obj, _, _ := types.LookupFieldOrMethod(recv, true, nil, rewrite.Mangle(name))
	if obj == nil {
		return "", ""
	}
	return docTarget(recv, obj), rewrite.Unmangle(types.ObjectString(obj, pkgName))
}

// typeAt type-checks the cell with the selector being completed cut down
// to its operand (at qs), and returns the operand's type if it is a
// variable or a field, else nil.
func typeAt(st *state, code string, qs, cursor int) types.Type {
	end := qs + len(identAfter(code, qs))
	line := 1 + strings.Count(code[:qs], "\n")
	col := qs - strings.LastIndex(code[:qs], "\n")
	src := code[:end] + code[cursor:]
	checked := rewrite.CheckAsWritten(st.cfg, st.sess, src+closeBraces(src))
	if checked == nil {
		return nil
	}
	var t types.Type
	ast.Inspect(checked.File, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || t != nil {
			return t == nil
		}
		if p := st.cfg.Fset.Position(id.Pos()); p.Filename == checked.FileName && p.Line == line && p.Column == col {
			if v, isVar := checked.Info.ObjectOf(id).(*types.Var); isVar {
				t = v.Type()
			}
		}
		return true
	})
	return t
}

// identAfter is the identifier that starts at off.
func identAfter(code string, off int) string {
	end := off
	for end < len(code) {
		r, n := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) {
			break
		}
		end += n
	}
	return code[off:end]
}

// closeBraces returns the closing braces an unfinished cell lacks, so that
// a cell being typed still parses.
func closeBraces(src string) string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	depth := 0
	for {
		_, tok, _ := s.Scan()
		switch tok {
		case token.EOF:
			return strings.Repeat("\n}", max(depth, 0))
		case token.LBRACE:
			depth++
		case token.RBRACE:
			depth--
		}
	}
}

// docTarget names a field or method of a package's type for go doc
// ("gonum.org/v1/gonum/mat.Dense.At"); "" for cells' own types.
func docTarget(recv types.Type, obj types.Object) string {
	if p, ok := recv.(*types.Pointer); ok {
		recv = p.Elem()
	}
	n, ok := recv.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || strings.HasPrefix(n.Obj().Pkg().Path(), buildModule+"/") {
		return ""
	}
	return n.Obj().Pkg().Path() + "." + n.Obj().Name() + "." + obj.Name()
}
