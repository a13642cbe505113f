package engine

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
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		case token.SEMICOLON:
			if depth == 0 {
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
