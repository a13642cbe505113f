package rewrite

import (
	"go/scanner"
	"go/token"
)

// segKind says how a top-level piece of a cell is treated.
type segKind int

const (
	segStmt   segKind = iota // runs in the cell's run function
	segDecl                  // func, method, type, const: a package declaration
	segImport                // import: goes first in the file
	segVar                   // var: package variables, initialised when the cell runs
	segFunc                  // a plain function declaration (also a segDecl)
)

// segment is one top-level declaration or statement of a cell, as byte
// offsets into the cell's code.
type segment struct {
	kind       segKind
	start, end int
}

// splitCell cuts code into top-level segments at depth-0 semicolons
// (including the ones Go inserts at line ends). Scanner errors are left for
// the parser to report with better messages.
func splitCell(code string) []segment {
	fset := token.NewFileSet()
	f := fset.AddFile("cell", -1, len(code))
	var s scanner.Scanner
	s.Init(f, []byte(code), func(token.Position, string) {}, 0)
	var toks []tok
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		off := f.Offset(pos)
		n := len(lit)
		if lit == "" {
			n = len(t.String())
		}
		if t == token.SEMICOLON && lit == "\n" {
			n = 0
		}
		toks = append(toks, tok{t, off, off + n})
	}
	var segs []segment
	depth, first := 0, -1
	// A header of if/for/switch (`for i := 0; ; i++ {`) has semicolons of
	// its own at depth 0: they do not end the statement. The header ends
	// at the `{` of its block; braces of func literals and composite
	// literals inside it are not that `{`.
	header, funcs := false, 0
	flush := func(last int) {
		if first < 0 {
			return
		}
		seg := segment{kind: classify(toks[first:last]), start: toks[first].off, end: toks[last-1].end}
		segs = append(segs, seg)
		first = -1
	}
	for i, t := range toks {
		switch t.t {
		case token.IF, token.FOR, token.SWITCH:
			if depth == 0 {
				header, funcs = true, 0
			}
		case token.FUNC:
			if header && depth == 0 {
				funcs++
			}
		case token.LBRACE:
			if header && depth == 0 {
				switch {
				case funcs > 0:
					funcs--
				case !compositeType(toks[:i]):
					header = false
				}
			}
			depth++
		case token.LPAREN, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		case token.SEMICOLON:
			if depth == 0 && !header {
				flush(i)
				continue
			}
		}
		if first < 0 {
			first = i
		}
	}
	flush(len(toks))
	return segs
}

// compositeType reports whether the tokens before a `{` in a statement
// header end in a literal type that the `{` opens a composite literal of:
// []T, [n]T, map[K]V, struct{...} or interface{...} (a bare T{ there is
// the block, as for the parser). x[i].f { is an index expression's field.
func compositeType(toks []tok) bool {
	i := len(toks) - 1
	if i >= 0 && toks[i].t == token.RBRACE {
		i = matching(toks, i, token.LBRACE, token.RBRACE)
		return i > 0 && (toks[i-1].t == token.STRUCT || toks[i-1].t == token.INTERFACE)
	}
	// The element type: T, pkg.T, *T.
	if i < 0 || toks[i].t != token.IDENT {
		return false
	}
	if i--; i >= 1 && toks[i].t == token.PERIOD && toks[i-1].t == token.IDENT {
		i -= 2
	}
	for i >= 0 && toks[i].t == token.MUL {
		i--
	}
	if i < 0 || toks[i].t != token.RBRACK {
		return false
	}
	// [] [n] map[K] or several of them: a type unless an operand comes
	// before the `[` (then it indexes).
	for i >= 0 && toks[i].t == token.RBRACK {
		if i = matching(toks, i, token.LBRACK, token.RBRACK) - 1; i < 0 {
			return true
		}
	}
	switch toks[i].t {
	case token.IDENT, token.RPAREN, token.RBRACE, token.STRING, token.INT, token.FLOAT, token.IMAG, token.CHAR:
		return false
	}
	return true
}

// matching is the index of the opening token that the closing one at i
// closes, or -1.
func matching(toks []tok, i int, open, close token.Token) int {
	depth := 0
	for ; i >= 0; i-- {
		switch toks[i].t {
		case close:
			depth++
		case open:
			depth--
		}
		if depth == 0 {
			return i
		}
	}
	return -1
}

type tok struct {
	t        token.Token
	off, end int
}

func classify(toks []tok) segKind {
	switch toks[0].t {
	case token.IMPORT:
		return segImport
	case token.TYPE, token.CONST:
		return segDecl
	case token.VAR:
		return segVar
	case token.FUNC:
		if len(toks) > 1 && toks[1].t == token.IDENT {
			return segFunc
		}
		// A method `func (r T) Name(` versus a function literal called
		// as a statement `func(x T) R { ... }(v)`.
		if len(toks) > 1 && toks[1].t == token.LPAREN {
			depth := 0
			for i := 1; i < len(toks); i++ {
				switch toks[i].t {
				case token.LPAREN:
					depth++
				case token.RPAREN:
					depth--
				}
				if depth == 0 {
					if i+2 < len(toks) && toks[i+1].t == token.IDENT &&
						(toks[i+2].t == token.LPAREN || toks[i+2].t == token.LBRACK) {
						return segDecl
					}
					break
				}
			}
		}
	}
	return segStmt
}
