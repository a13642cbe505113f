package engine

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"sort"
	"strconv"
	"strings"
)

// compiler holds what type-checking cells needs for one worker's life:
// the names earlier cells declared and their packages.
type compiler struct {
	fset  *token.FileSet
	imp   *cellImporter
	autos map[string]string
	sess  string
	seq   int
	syms  map[string]*sym
	lost  map[string]bool // names that died with an earlier worker
	// probe, when set, sees the first type-check of a cell and ends the
	// compilation there (completion uses it to learn types).
	probe func(f *ast.File, info *types.Info, file string)
}

func newInfo() *types.Info {
	return &types.Info{
		Types:     map[ast.Expr]types.TypeAndValue{},
		Defs:      map[*ast.Ident]types.Object{},
		Uses:      map[*ast.Ident]types.Object{},
		Implicits: map[ast.Node]types.Object{},
	}
}

// fileOff is the offset of pos in its generated file (ignoring //line).
func (c *compiler) fileOff(pos token.Pos) int { return c.fset.File(pos).Offset(pos) }

// check type-checks f as package pkg; it returns the errors.
func (c *compiler) check(pkg *types.Package, f *ast.File, info *types.Info) errList {
	var errs errList
	conf := types.Config{Importer: c.imp, Error: func(err error) {
		if te, ok := err.(types.Error); ok {
			errs = append(errs, te)
		} else {
			errs = append(errs, types.Error{Msg: err.Error()})
		}
	}}
	types.NewChecker(&conf, c.fset, pkg, info).Files([]*ast.File{f})
	return errs
}

// define is a variable a top-level statement declares; it becomes a
// package variable of the cell.
type define struct {
	name string
	typ  types.Type
}

// compile turns a cell into the source of its package. It returns
// messages (in cell positions) when the cell is wrong.
func (c *compiler) compile(code string, count int) (*compiled, []string) {
	segs := splitCell(code)
	if len(segs) == 0 {
		return nil, nil
	}
	c.seq++
	cell := &cellPkg{
		seq:   c.seq,
		path:  fmt.Sprintf("%s/cells/%s/c%d", buildModule, c.sess, c.seq),
		alias: fmt.Sprintf("_c%d", c.seq),
		count: count,
	}
	file := fmt.Sprintf("cell%d", c.seq)
	pkgName := file
	report := func(errs errList) []string { return c.messages(errs, code, file) }

	// Pass A: the cell as written, statements inside the run function.
	// It finds auto-imports, the types of top-level := variables and the
	// signatures of functions.
	genA := func(autos []string) (string, map[int]int) {
		s := &cellSource{file: file, starts: map[int]int{}}
		s.b.WriteString("package " + pkgName + "\n")
		s.gen("import (" + strings.Join(autos, "; ") + ")")
		for i, sg := range segs {
			if sg.kind == segImport {
				s.starts[i] = s.piece(code, sg.start, sg.end)
			}
		}
		for i, sg := range segs {
			if sg.kind == segDecl || sg.kind == segFunc {
				s.starts[i] = s.piece(code, sg.start, sg.end)
			}
		}
		s.gen("func GodlRun() {")
		for i, sg := range segs {
			if sg.kind == segStmt || sg.kind == segVar {
				s.starts[i] = s.piece(code, sg.start, sg.end)
			}
		}
		s.gen("}\n")
		return s.b.String(), s.starts
	}
	srcA, startsA := genA(nil)
	fA, perr := parseCell(c.fset, file+".a.go", srcA)
	if perr != nil {
		return nil, c.plainMessages(perr, code, file)
	}
	if autos := c.autoImportsFor(fA); len(autos) > 0 {
		srcA, startsA = genA(autos)
		if fA, perr = parseCell(c.fset, file+".a.go", srcA); perr != nil {
			return nil, c.plainMessages(perr, code, file)
		}
	}
	segOf := func(off int) int {
		best := -1
		for i := range segs {
			if st, ok := startsA[i]; ok && st <= off && off <= st+segs[i].end-segs[i].start {
				best = i
			}
		}
		return best
	}
	declA := map[string]bool{}
	var notes []string
	for _, d := range fA.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name != "init" && d.Name.Name != "_" {
				declA[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					declA[sp.Name.Name] = true
					if old, ok := c.syms[sp.Name.Name]; ok {
						if _, isType := old.obj.(*types.TypeName); isType {
							notes = append(notes, fmt.Sprintf("note: type %s is redefined; values made before keep the old type %s, so they do not mix with the new one\n", sp.Name.Name, sp.Name.Name))
						}
					}
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						declA[n.Name] = true
					}
				}
			}
		}
	}
	// Methods on an earlier cell's type cannot be (another package); say
	// so before go/types meets a method on a stand-in type.
	for _, d := range fA.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && len(fd.Recv.List) == 1 {
			if base := embeddedName(fd.Recv.List[0].Type); base != "" && !declA[base] && c.syms[base] != nil {
				return nil, report(errList{{Fset: c.fset, Pos: fd.Recv.List[0].Type.Pos(), Msg: fmt.Sprintf(
					"cannot define new methods on %s: it was declared in an earlier cell, and each cell is a package of its own (declare methods in the cell that declares the type)", base)}})
			}
		}
	}
	// Composite-literal keys that are struct fields are known only after
	// a check; then the cell is checked again with them exported.
	keys := map[string]bool{}
	var pkgA *types.Package
	var infoA *types.Info
	var errsA errList
	for try := 0; try < 2; try++ {
		if try == 1 {
			fA, _ = parseCell(c.fset, file+".a.go", srcA)
		}
		syntaxMangle(c.fset, fA, keys)
		pkgA = types.NewPackage(cell.path, pkgName)
		for name, s := range c.syms {
			if !declA[name] {
				pkgA.Scope().Insert(s.proxy(pkgA))
			}
		}
		infoA = newInfo()
		errsA = c.check(pkgA, fA, infoA)
		n := len(keys)
		if structKeys(c.fset, fA, infoA, keys); len(keys) == n {
			break
		}
	}
	if c.probe != nil {
		c.probe(fA, infoA, file)
		return nil, nil
	}
	// Errors in statements are real already; errors in declarations may
	// come from variables that pass B makes package-level.
	var real errList
	for _, e := range errsA {
		if strings.Contains(e.Msg, "declared and not used") || unusedImport(e.Msg) || !e.Pos.IsValid() {
			continue
		}
		i := segOf(c.fileOff(e.Pos))
		if i == len(segs)-1 && strings.HasSuffix(e.Msg, "is not used") {
			continue // the cell's value: pass B records it
		}
		if i >= 0 && (segs[i].kind == segStmt || segs[i].kind == segVar) {
			real = append(real, e)
		}
	}
	if len(real) > 0 {
		return nil, report(real)
	}

	// Collect top-level variables and the := to turn into =.
	var runA *ast.FuncDecl
	funcsA := map[int]*ast.FuncDecl{}
	for _, d := range fA.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		if fd.Name.Name == "GodlRun" && fd.Recv == nil && c.fset.Position(fd.Pos()).Filename == genFile {
			runA = fd
		} else if i := segOf(c.fileOff(fd.Pos())); i >= 0 && segs[i].kind == segFunc {
			funcsA[i] = fd
		}
	}
	var defs []define
	seen := map[string]bool{}
	addDef := func(id *ast.Ident) {
		obj := infoA.Defs[id]
		if obj == nil || id.Name == "_" || seen[id.Name] {
			return
		}
		seen[id.Name] = true
		defs = append(defs, define{id.Name, obj.Type()})
	}
	defineEdits := map[int][]int{} // segment → relative offsets of ":="
	varSpecs := map[int][]*ast.ValueSpec{}
	var last ast.Stmt
	lastSeg := -1
	for _, st := range runA.Body.List {
		i := segOf(c.fileOff(st.Pos()))
		if i < 0 {
			continue
		}
		last, lastSeg = st, i
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, l := range st.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						addDef(id)
					}
				}
				defineEdits[i] = append(defineEdits[i], c.fileOff(st.TokPos)-startsA[i])
			}
		case *ast.DeclStmt:
			if gd, ok := st.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, sp := range gd.Specs {
					vs := sp.(*ast.ValueSpec)
					for _, n := range vs.Names {
						addDef(n)
					}
					varSpecs[i] = append(varSpecs[i], vs)
				}
			}
		}
	}
	wantResult := false
	if es, ok := last.(*ast.ExprStmt); ok && lastSeg == len(segs)-1 {
		if tv, ok := infoA.Types[es.X]; ok && tv.IsValue() && tv.Type != nil {
			if _, tuple := tv.Type.(*types.Tuple); !tuple {
				wantResult = true
			}
		}
	}

	// Imports the generated declarations need, and how to name packages.
	imports := map[string]string{} // path → name
	for _, is := range fA.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		if is.Name != nil {
			imports[p] = is.Name.Name
		} else if pn, ok := infoA.Implicits[is].(*types.PkgName); ok {
			imports[p] = pn.Name()
		}
	}
	typeImports := map[string]string{}
	qual := func(p *types.Package) string {
		if p == pkgA {
			return ""
		}
		if n, ok := imports[p.Path()]; ok && n != "_" && n != "." {
			return n
		}
		if n, ok := typeImports[p.Path()]; ok {
			return n
		}
		n := fmt.Sprintf("_p%d", len(typeImports))
		if cp := c.cellByPath(p.Path()); cp != nil {
			n = cp.alias
		}
		typeImports[p.Path()] = n
		return n
	}

	// Pass B: declarations at package level, top-level variables as
	// package variables, functions as variables.
	declB := map[string]bool{}
	for n := range declA {
		declB[n] = true
	}
	funcVars := map[string]bool{}
	var newDefs []define
	for _, d := range defs {
		if old, ok := c.syms[d.name]; ok && !old.funcVar {
			if v, ok := old.obj.(*types.Var); ok && types.Identical(v.Type(), d.typ) {
				continue // assign the earlier cell's variable: its readers see the new value
			}
		}
		newDefs = append(newDefs, d)
		declB[d.name] = true
	}
	b := &cellSource{file: file, starts: map[int]int{}}
	b.b.WriteString("package " + pkgName + "\n")
	importsAt := b.b.Len()
	b.b.WriteString("\n") // the import line goes here, once known
	for _, sg := range segs {
		if sg.kind == segImport {
			b.piece(code, sg.start, sg.end)
		}
	}
	for i, sg := range segs {
		switch sg.kind {
		case segDecl:
			b.piece(code, sg.start, sg.end)
		case segFunc:
			fd := funcsA[i]
			name := ""
			if fd != nil {
				name = fd.Name.Name
			}
			if fd == nil || fd.Type.TypeParams != nil || name == "init" || name == "_" || infoA.Defs[fd.Name] == nil {
				b.piece(code, sg.start, sg.end)
				continue
			}
			sig := infoA.Defs[fd.Name].Type()
			reuse := false
			if old, ok := c.syms[name]; ok && old.funcVar && types.Identical(old.obj.Type(), sig) {
				reuse = true
				delete(declB, name)
			}
			if !reuse {
				b.gen("var " + name + " " + types.TypeString(sig, qual))
			}
			funcVars[name] = true
			// The body becomes a named function (so traces name it) that
			// init stores in the variable.
			line, col := lineCol(code, sg.start)
			fmt.Fprintf(&b.b, "\n//line %s:%d:%d\nfunc %s%s", file, line, col, funcPrefix, name)
			open := sg.start + c.fileOff(fd.Type.Params.Opening) - startsA[i]
			b.inline(code, open, sg.end)
			b.gen(fmt.Sprintf("func init() { %s = %s%s }", name, funcPrefix, name))
		}
	}
	for _, d := range newDefs {
		b.gen("var " + d.name + " " + types.TypeString(d.typ, qual))
	}
	b.gen("func GodlRun() {")
	for i, sg := range segs {
		switch sg.kind {
		case segStmt:
			text := []byte(code[sg.start:sg.end])
			for _, rel := range defineEdits[i] {
				if rel >= 0 && rel+2 <= len(text) && string(text[rel:rel+2]) == ":=" {
					text[rel], text[rel+1] = ' ', '='
				}
			}
			line, col := lineCol(code, sg.start)
			if wantResult && i == len(segs)-1 {
				fmt.Fprintf(&b.b, "\n//line %s:1\n%s.SetResult(", genFile, rtAlias)
				b.inline(code, sg.start, sg.end)
				b.b.WriteString(")")
				continue
			}
			fmt.Fprintf(&b.b, "\n//line %s:%d:%d\n%s", file, line, col, text)
		case segVar:
			for _, vs := range varSpecs[i] {
				if len(vs.Values) == 0 {
					continue
				}
				var names []string
				for _, n := range vs.Names {
					names = append(names, n.Name)
				}
				from := sg.start + c.fileOff(vs.Names[0].Pos()) - startsA[i]
				vfrom := sg.start + c.fileOff(vs.Values[0].Pos()) - startsA[i]
				vto := sg.start + c.fileOff(vs.Values[len(vs.Values)-1].End()) - startsA[i]
				line, col := lineCol(code, from)
				fmt.Fprintf(&b.b, "\n//line %s:%d:%d\n%s = ", file, line, col, strings.Join(names, ", "))
				b.inline(code, vfrom, vto)
			}
		}
	}
	b.gen("}\n")
	importLine := func(extra map[string]string, keep func(path string) bool) string {
		var specs []string
		add := func(m map[string]string) {
			for p, n := range m {
				if keep == nil || keep(p) {
					specs = append(specs, n+" "+strconv.Quote(p))
				}
			}
		}
		add(extra)
		sort.Strings(specs)
		return "//line " + genFile + ":1\nimport (" + strings.Join(specs, "; ") + ")"
	}
	autosB := map[string]string{rtPath: rtAlias}
	for _, is := range fA.Imports {
		if strings.HasPrefix(c.fset.Position(is.Pos()).Filename, genFile) {
			p, _ := strconv.Unquote(is.Path.Value)
			autosB[p] = is.Name.Name
		}
	}
	for p, n := range typeImports {
		autosB[p] = n
	}
	srcB := b.b.String()
	srcB = srcB[:importsAt] + importLine(autosB, nil) + srcB[importsAt:]
	fB, perr := parseCell(c.fset, file+".b.go", srcB)
	if perr != nil {
		return nil, c.plainMessages(perr, code, file)
	}
	syntaxMangle(c.fset, fB, keys)
	pkgB := types.NewPackage(cell.path, pkgName)
	proxies := map[types.Object]*sym{}
	for name, s := range c.syms {
		if !declB[name] {
			p := s.proxy(pkgB)
			pkgB.Scope().Insert(p)
			proxies[p] = s
		}
	}
	infoB := newInfo()
	var errsB errList
	for _, e := range c.check(pkgB, fB, infoB) {
		if !unusedImport(e.Msg) {
			errsB = append(errsB, e)
		}
	}
	if len(errsB) > 0 {
		return nil, report(errsB)
	}
	ed := &editor{src: srcB, fset: c.fset}
	usedCells := c.rename(fB, infoB, pkgB, proxies, ed)
	ed.instrument(fB)
	usedImports := ed.imports(fB, infoB)
	final := map[string]string{}
	for p, n := range autosB {
		if usedImports[p] || p == rtPath || typeImports[p] != "" {
			final[p] = n
		}
	}
	for cp := range usedCells {
		final[cp.path] = cp.alias
	}
	src := ed.apply()
	// The import line was written right after the package clause.
	nl := strings.Index(src, "\n//line "+genFile+":1\nimport (")
	end := nl + 1 + strings.Index(src[nl+1:], ")\n")
	src = src[:nl] + "\n" + importLine(final, nil) + src[end+1:]
	src = "// Code generated by the godl engine from a notebook cell. DO NOT EDIT.\n\n" + src +
		"\nvar _ = " + rtAlias + ".Check\n"

	// Pass C: the final source, as the compiler will see it; its package
	// is what later cells are checked against.
	fC, perr := parseCell(c.fset, file+".go", src)
	if perr != nil {
		return nil, append([]string{"internal error: the rewritten cell does not parse"}, perr...)
	}
	pkgC := types.NewPackage(cell.path, pkgName)
	if errs := c.check(pkgC, fC, newInfo()); len(errs) > 0 {
		return nil, append([]string{"internal error: the rewritten cell does not type-check"}, report(errs)...)
	}
	cell.pkg = pkgC
	c.imp.cells[cell.path] = pkgC
	out := &compiled{cell: cell, src: src, notes: notes}
	for name := range declB {
		if obj := pkgC.Scope().Lookup(mangle(name)); obj != nil {
			out.newSyms = append(out.newSyms, &sym{name: name, cell: cell, obj: obj, funcVar: funcVars[name]})
		}
	}
	return out, nil
}

func (c *compiler) cellByPath(p string) *cellPkg {
	for _, s := range c.syms {
		if s.cell.path == p {
			return s.cell
		}
	}
	return nil
}

// autoImportsFor lists import specs for package names f uses without
// declaring or importing them.
func (c *compiler) autoImportsFor(f *ast.File) []string {
	unresolved := map[*ast.Ident]bool{}
	for _, id := range f.Unresolved {
		unresolved[id] = true
	}
	imported := map[string]bool{}
	for _, is := range f.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		if is.Name != nil {
			imported[is.Name.Name] = true
		} else {
			imported[path.Base(p)] = true
			for n, ap := range c.autos {
				if ap == p {
					imported[n] = true
				}
			}
		}
	}
	want := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if se, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := se.X.(*ast.Ident); ok && unresolved[id] && !imported[id.Name] && c.syms[id.Name] == nil {
				if _, ok := c.autos[id.Name]; ok {
					want[id.Name] = true
				}
			}
		}
		return true
	})
	var specs []string
	for n := range want {
		specs = append(specs, n+" "+strconv.Quote(c.autos[n]))
	}
	sort.Strings(specs)
	return specs
}

func unusedImport(msg string) bool {
	return strings.Contains(msg, "imported") && strings.HasSuffix(msg, "not used")
}
