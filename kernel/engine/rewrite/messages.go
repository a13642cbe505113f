package rewrite

import (
	"fmt"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// messages formats type errors for the user: "line L:C: message", then
// the offending cell line and a caret, in the user's own spellings.
func (r *cellRewrite) messages(errs errList) []string {
	errs = errs.sorted(r.cfg.Fset)
	var out []string
	seen := map[string]bool{}
	for _, e := range errs {
		var pos token.Position
		if e.Pos.IsValid() {
			pos = r.cfg.Fset.Position(e.Pos)
		}
		m := r.describe(pos, e.Msg)
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
		if len(out) == 10 {
			break
		}
	}
	return out
}

// plainMessages formats "file:line:col: message" strings from the parser.
func (r *cellRewrite) plainMessages(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		var pos token.Position
		if rest, ok := strings.CutPrefix(m, genFile+":"); ok {
			// The parser ran into the generated lines after the cell:
			// the cell itself is unfinished.
			if _, msg, ok := strings.Cut(rest, ": "); ok {
				rest = msg
			}
			end := len(strings.TrimRight(r.code, " \t\r\n"))
			pos.Filename = r.file
			pos.Line, pos.Column = lineCol(r.code, end)
			m = "the cell ends in the middle of a statement or block: a '}' or ')' is missing? (" + rest + ")"
		} else if rest, ok := strings.CutPrefix(m, r.file+":"); ok {
			parts := strings.SplitN(rest, ":", 3)
			if len(parts) == 3 {
				pos.Filename = r.file
				pos.Line, _ = strconv.Atoi(parts[0])
				pos.Column, _ = strconv.Atoi(parts[1])
				m = strings.TrimSpace(parts[2])
			}
		}
		out = append(out, r.describe(pos, m))
	}
	return out
}

// describe is one message: the position, the message with what the user
// needs to know added, and the cell's line with a caret.
func (r *cellRewrite) describe(pos token.Position, msg string) string {
	msg = r.explain(Unmangle(msg))
	if pos.Filename != r.file || pos.Line < 1 {
		return msg
	}
	lines := strings.Split(r.code, "\n")
	s := "line " + strconv.Itoa(pos.Line) + ":" + strconv.Itoa(pos.Column) + ": " + msg
	if pos.Line <= len(lines) {
		l := strings.ReplaceAll(lines[pos.Line-1], "\t", "    ")
		col := len(strings.ReplaceAll(lines[pos.Line-1][:min(max(pos.Column-1, 0), len(lines[pos.Line-1]))], "\t", "    "))
		s += "\n    " + l + "\n    " + strings.Repeat(" ", col) + "^"
	}
	return s
}

// memberOfNonPackage is go/types' message for x.Sel where x is not a
// package and has no such member.
var memberOfNonPackage = regexp.MustCompile(`^([\pL_][\pL\pN_]*)\.[\pL_][\pL\pN_]* undefined \(type `)

// explain adds to a message what the notebook's model makes surprising:
// names lost with a worker, methods on earlier cells' types, names that
// hide a preloaded package.
func (r *cellRewrite) explain(msg string) string {
	if name, ok := strings.CutPrefix(msg, "undefined: "); ok && r.sess.lost[name] {
		msg += " (it was defined before the worker restarted; earlier values are gone)"
	}
	if strings.Contains(msg, "cannot define new methods on non-local type") {
		msg += " (each cell is a package of its own: declare methods in the cell that declares the type)"
	}
	if m := memberOfNonPackage.FindStringSubmatch(msg); m != nil && r.preloaded(m[1]) {
		msg += fmt.Sprintf("; note: %s here is not the %s package but a name a cell defined, which hides it (import %q in a cell to use the package there)",
			m[1], m[1], r.cfg.AutoImports[m[1]])
	}
	return msg
}

// preloaded reports whether name is one of the packages a notebook has
// without importing them.
func (r *cellRewrite) preloaded(name string) bool {
	return slices.Contains(r.cfg.Preloaded, name) && r.cfg.AutoImports[name] != ""
}
