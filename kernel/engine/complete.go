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

// ready reports whether the build (and so the type information) is there,
// without waiting: completion must answer at once.
func (e *Engine) compilerNow() *compiler {
	select {
	case <-e.done:
	default:
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.comp
}

// lookupPackage resolves a package name as a cell would: an import in the
// code, or an auto-import.
func (c *compiler) packageFor(code, name string) (*types.Package, string) {
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
		path = c.autos[name]
	}
	if path == "" {
		return nil, ""
	}
	p, err := c.imp.Import(path)
	if err != nil {
		return nil, path
	}
	return p, path
}

// Complete proposes names for the identifier before the cursor: package
// members after "pkg.", fields and methods after "x." for a variable of an
// earlier cell, otherwise earlier cells' names, names in the cell,
// packages, keywords and builtins.
func (e *Engine) Complete(code string, cursor int) kernel.Completion {
	qual, start, _ := wordAt(code, cursor)
	cursor = max(start, min(cursor, len(code)))
	prefix := code[start:cursor]
	res := kernel.Completion{Start: start, End: cursor, Matches: []string{}, Metadata: map[string]any{}}
	set := map[string]bool{}
	add := func(n string) {
		n = strings.TrimPrefix(n, manglePrefix)
		if strings.HasPrefix(n, prefix) && n != "" && !strings.HasPrefix(n, funcPrefix) {
			set[n] = true
		}
	}
	c := e.compilerNow()
	if qual != "" {
		if c == nil {
			return res
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		if s, ok := c.syms[qual]; ok {
			for _, n := range memberNames(s.obj.Type()) {
				add(n)
			}
		} else if p, _ := c.packageFor(code, qual); p != nil {
			for _, n := range p.Scope().Names() {
				if token.IsExported(n) {
					add(n)
				}
			}
		} else if t := c.typeAt(code, start-1-len(qual), qual, cursor); t != nil {
			for _, n := range memberNames(t) {
				add(n)
			}
		}
	} else {
		for _, k := range keywords {
			add(k)
		}
		for _, n := range types.Universe.Names() {
			add(n)
		}
		var s scanner.Scanner
		fset := token.NewFileSet()
		s.Init(fset.AddFile("", -1, len(code)), []byte(code), nil, 0)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok == token.IDENT && int(pos)-1 != start {
				add(lit)
			}
		}
		if c != nil {
			e.mu.Lock()
			for n := range c.syms {
				add(n)
			}
			for n := range c.autos {
				add(n)
			}
			e.mu.Unlock()
		}
	}
	for n := range set {
		res.Matches = append(res.Matches, n)
	}
	sort.Strings(res.Matches)
	return res
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
	if name == "" {
		return kernel.Inspection{}
	}
	c := e.compilerNow()
	if c == nil {
		return kernel.Inspection{}
	}
	e.mu.Lock()
	var target, text string
	if qual != "" {
		var recv types.Type
		if s, ok := c.syms[qual]; ok {
			recv = s.obj.Type()
		} else if _, path := c.packageFor(code, qual); path != "" {
			target = path + "." + name
		} else {
			recv = c.typeAt(code, start-1-len(qual), qual, start-1+len(name)+1)
		}
		if recv != nil {
			obj, _, _ := types.LookupFieldOrMethod(recv, true, nil, mangle(name))
			if obj != nil {
				text = unmangle(types.ObjectString(obj, func(p *types.Package) string { return p.Name() }))
				target = docTarget(recv, obj)
			}
		}
	} else if s, ok := c.syms[name]; ok {
		text = name + ": " + unmangle(types.TypeString(s.obj.Type(), func(p *types.Package) string { return p.Name() }))
	} else if _, path := c.packageFor(code, name); path != "" {
		target = path
	} else if types.Universe.Lookup(name) != nil {
		target = "builtin." + name
	}
	e.mu.Unlock()
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
		// (Without go doc, the declaration found above is still shown.)
	}
	if text == "" {
		return kernel.Inspection{}
	}
	return kernel.Inspection{Found: true, Data: kernel.MIMEBundle{"text/plain": text}}
}

// typeAt type-checks the cell with the selector being completed cut down
// to its operand, and returns the type of the operand at qs (nil if it has
// none). Nothing is kept: the check runs on a copy of the compiler.
func (c *compiler) typeAt(code string, qs int, qual string, cursor int) (t types.Type) {
	line, col := lineCol(code, qs)
	probe := *c
	probe.sess = c.sess + "probe"
	probe.probe = func(f *ast.File, info *types.Info, file string) {
		ast.Inspect(f, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok || id.Name != qual || t != nil {
				return t == nil
			}
			if p := probe.fset.Position(id.Pos()); p.Filename == file && p.Line == line && p.Column == col {
				if obj := info.ObjectOf(id); obj != nil {
					if _, isVar := obj.(*types.Var); isVar {
						t = obj.Type()
					}
				}
			}
			return true
		})
	}
	defer func() { recover() }()
	src := code[:qs+len(qual)] + code[cursor:]
	probe.compile(src+closeBraces(src), 0)
	return t
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
