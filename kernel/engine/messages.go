package engine

import (
	"go/token"
	"strconv"
	"strings"
)

// messages formats type errors for the user: "line L:C: message", then
// the offending cell line and a caret, in the user's own spellings.
func (c *compiler) messages(errs errList, code, file string) []string {
	errs = errs.sorted(c.fset)
	var out []string
	seen := map[string]bool{}
	for _, e := range errs {
		var pos token.Position
		if e.Pos.IsValid() {
			pos = c.fset.Position(e.Pos)
		}
		m := c.describe(pos, e.Msg, code, file)
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
func (c *compiler) plainMessages(msgs []string, code, file string) []string {
	var out []string
	for _, m := range msgs {
		var pos token.Position
		if rest, ok := strings.CutPrefix(m, genFile+":"); ok {
			// The parser ran into the generated lines after the cell:
			// the cell itself is unfinished.
			if _, msg, ok := strings.Cut(rest, ": "); ok {
				rest = msg
			}
			end := len(strings.TrimRight(code, " \t\r\n"))
			pos.Filename = file
			pos.Line, pos.Column = lineCol(code, end)
			m = "the cell ends in the middle of a statement or block: a '}' or ')' is missing? (" + rest + ")"
		} else if rest, ok := strings.CutPrefix(m, file+":"); ok {
			parts := strings.SplitN(rest, ":", 3)
			if len(parts) == 3 {
				pos.Filename = file
				pos.Line, _ = strconv.Atoi(parts[0])
				pos.Column, _ = strconv.Atoi(parts[1])
				m = strings.TrimSpace(parts[2])
			}
		}
		out = append(out, c.describe(pos, m, code, file))
	}
	return out
}

func (c *compiler) describe(pos token.Position, msg, code, file string) string {
	msg = unmangle(msg)
	if strings.HasPrefix(msg, "undefined: ") && c.lost[strings.TrimPrefix(msg, "undefined: ")] {
		msg += " (it was defined before the worker restarted; earlier values are gone)"
	}
	if strings.Contains(msg, "cannot define new methods on non-local type") {
		msg += " (each cell is a package of its own: declare methods in the cell that declares the type)"
	}
	if pos.Filename != file || pos.Line < 1 {
		return msg
	}
	lines := strings.Split(code, "\n")
	s := "line " + strconv.Itoa(pos.Line) + ":" + strconv.Itoa(pos.Column) + ": " + msg
	if pos.Line <= len(lines) {
		l := strings.ReplaceAll(lines[pos.Line-1], "\t", "    ")
		col := len(strings.ReplaceAll(lines[pos.Line-1][:min(max(pos.Column-1, 0), len(lines[pos.Line-1]))], "\t", "    "))
		s += "\n    " + l + "\n    " + strings.Repeat(" ", col) + "^"
	}
	return s
}
