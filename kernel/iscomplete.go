package kernel

import (
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// Completeness of a cell, as is_complete_reply spells it.
const (
	codeComplete   = "complete"
	codeIncomplete = "incomplete"
	codeInvalid    = "invalid"
)

const indentUnit = "    "

// isComplete decides whether a console should run code or ask for another
// line. A cell is Go statements and top-level declarations, in any order,
// plus magic lines (starting with % or !), which are complete by
// themselves. It is
//   - complete when it parses as declarations, as statements, or as a mix;
//   - incomplete when a raw string or comment is still open, or the parser
//     first fails where the code ends (an open block or bracket, a trailing
//     operator, an if without its block); indent then holds one indentUnit
//     per open bracket (at least one);
//   - invalid otherwise (the front end runs it, so the user sees the error).
func isComplete(code string) (status, indent string) {
	src := blankMagicLines(code)
	if strings.TrimSpace(src) == "" {
		return codeComplete, ""
	}
	toks, depth, state := scan(src)
	switch state {
	case scanOpen:
		return codeIncomplete, indentFor(depth)
	case scanBad:
		return codeInvalid, ""
	}
	asDecls := parses("package p\n", src, "")
	asStmts := parses("package p\nfunc _() {\n", src, "\n}\n")
	if depth == 0 && (asDecls.ok || asStmts.ok || parsesMixed(src, toks)) {
		return codeComplete, ""
	}
	if asDecls.atEnd || asStmts.atEnd {
		return codeIncomplete, indentFor(depth)
	}
	return codeInvalid, ""
}

func indentFor(depth int) string { return strings.Repeat(indentUnit, max(depth, 1)) }

// blankMagicLines replaces magic lines by empty ones, keeping offsets.
func blankMagicLines(code string) string {
	lines := strings.Split(code, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
			lines[i] = strings.Repeat(" ", len(l))
		}
	}
	return strings.Join(lines, "\n")
}

type scanState int

const (
	scanDone scanState = iota // brackets balanced or open, no lexical error
	scanOpen                  // an unterminated raw string or comment
	scanBad                   // a lexical error or a stray closing bracket
)

type tok struct {
	pos   int // byte offset in src
	tok   token.Token
	depth int // bracket depth before the token
	line  int
}

// scan tokenizes src and tracks bracket depth.
func scan(src string) (toks []tok, depth int, state scanState) {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var errs []string
	var s scanner.Scanner
	s.Init(file, []byte(src), func(_ token.Position, msg string) { errs = append(errs, msg) }, 0)
	var stack []token.Token
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		if t == token.SEMICOLON && lit == "\n" {
			continue // automatic semicolon
		}
		p := file.Offset(pos)
		toks = append(toks, tok{pos: p, tok: t, depth: len(stack), line: file.Line(pos)})
		switch t {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			stack = append(stack, t)
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if len(stack) == 0 || !matches(stack[len(stack)-1], t) {
				return toks, len(stack), scanBad
			}
			stack = stack[:len(stack)-1]
		}
	}
	for _, e := range errs {
		if strings.Contains(e, "raw string literal not terminated") || strings.Contains(e, "comment not terminated") {
			return toks, len(stack), scanOpen
		}
	}
	if len(errs) > 0 {
		return toks, len(stack), scanBad
	}
	return toks, len(stack), scanDone
}

func matches(open, close token.Token) bool {
	return open == token.LPAREN && close == token.RPAREN ||
		open == token.LBRACK && close == token.RBRACK ||
		open == token.LBRACE && close == token.RBRACE
}

type parseResult struct {
	ok    bool
	atEnd bool // the first error is where the user's code ends
}

// parses parses prefix+src+suffix as a Go file.
func parses(prefix, src, suffix string) parseResult {
	full := prefix + src + suffix
	fset := token.NewFileSet()
	_, err := parser.ParseFile(fset, "", full, parser.SkipObjectResolution)
	if err == nil {
		return parseResult{ok: true}
	}
	list, ok := err.(scanner.ErrorList)
	if !ok || len(list) == 0 {
		return parseResult{}
	}
	end := len(prefix) + len(strings.TrimRight(src, " \t\r\n"))
	return parseResult{atEnd: list[0].Pos.Offset >= end}
}

// parsesMixed splits src at top-level lines into declarations and
// statements and parses the declarations as a file and the statements as
// a function body, the way a cell mixing both runs.
func parsesMixed(src string, toks []tok) bool {
	var decls, stmts strings.Builder
	start, isDecl := -1, false
	flush := func(end int) {
		if start < 0 {
			return
		}
		b := &stmts
		if isDecl {
			b = &decls
		}
		b.WriteString(src[start:end])
		b.WriteString("\n")
	}
	prevLine := 0
	for i, t := range toks {
		if t.depth != 0 || t.line == prevLine {
			prevLine = t.line
			continue
		}
		prevLine = t.line
		flush(t.pos)
		start, isDecl = t.pos, startsDecl(toks, i)
	}
	flush(len(src))
	return parses("package p\n", decls.String()+"func _() {\n"+stmts.String()+"\n}\n", "").ok
}

// startsDecl tells whether the line starting at toks[i] is a top-level
// declaration: import, type, const, var, a function or a method.
func startsDecl(toks []tok, i int) bool {
	switch toks[i].tok {
	case token.IMPORT, token.TYPE, token.CONST, token.VAR:
		return true
	case token.FUNC:
		if i+1 >= len(toks) {
			return false
		}
		if toks[i+1].tok == token.IDENT {
			return true
		}
		if toks[i+1].tok != token.LPAREN {
			return false
		}
		// func (r T) Name( is a method; func(...) {...}() is a literal.
		for j := i + 2; j+2 < len(toks); j++ {
			if toks[j].tok == token.RPAREN && toks[j].depth == toks[i].depth+1 {
				return toks[j+1].tok == token.IDENT && toks[j+2].tok == token.LPAREN
			}
		}
	}
	return false
}
