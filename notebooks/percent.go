package notebooks

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The sources are in jupytext's "percent" format for Go, which VS Code,
// PyCharm, Spyder and jupytext itself read as notebooks:
//
//	// ---                      an optional YAML header (jupytext's
//	// jupyter: ...             notebook metadata), skipped here
//	// ---
//
//	// %% [markdown]            a markdown cell: every line a // comment
//	// # Title
//	//
//	// Some text.
//
//	// %%                       a code cell: Go as it is typed in a cell
//	x := dl.Ones(2, 3)
//
// One blank line separates cells. In code, jupytext keeps magic lines
// (%time, !ls) commented out (// %time) so the file stays Go to an
// editor; they are uncommented here as jupytext does. Cell titles and
// metadata on marker lines are refused rather than silently dropped.

// Cell is one notebook cell.
type Cell struct {
	Markdown bool   // a markdown cell; else a code cell
	Source   string // the cell's text, lines joined by "\n"
	Line     int    // the file line of its first line of text
}

var (
	// cellMarker is jupytext's start of a cell: "// %%", then options.
	cellMarker = regexp.MustCompile(`^\s*//\s*%%(%*)(?:\s(.*))?$`)
	// commentedMagic is a magic line jupytext commented out in code:
	// "// %time", "// !ls", "//%%time".
	commentedMagic = regexp.MustCompile(`^(// |//)+(!|!\*|%|%%|%%%)[a-zA-Z]`)
	// gonbMagic is GoNB's "%%" line, which jupytext writes "//gonb:%%".
	gonbMagic = regexp.MustCompile(`^((//\s*)*)(//\s*gonb:%%)`)
	// escapedCodeStart is a "// +" line jupytext escaped once more.
	escapedCodeStart = regexp.MustCompile(`^(// |//)*(//|// )\+`)
	// encodingLine is the coding comment jupytext may put first.
	encodingLine = regexp.MustCompile(`^[ \t\f]*//.*?coding[:=][ \t]*([-_.a-zA-Z0-9]+)`)
)

// ParsePercent reads the cells of a notebook source in the percent
// format. Errors name the file and line.
func ParsePercent(file string, src []byte) ([]Cell, error) {
	if !utf8.Valid(src) {
		return nil, fmt.Errorf("%s: not UTF-8", file)
	}
	text := string(src)
	if text != "" && !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("%s: the last line has no newline", file)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	errf := func(i int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", file, i+1, fmt.Sprintf(format, args...))
	}
	for i, l := range lines {
		if strings.Contains(l, "\r") {
			return nil, errf(i, "carriage return in the line (write the file with \\n line ends)")
		}
	}
	i, err := skipHeader(lines, errf)
	if err != nil {
		return nil, err
	}
	for ; i < len(lines) && lines[i] == ""; i++ {
	}
	if i < len(lines) && !cellMarker.MatchString(lines[i]) {
		return nil, errf(i, "text before the first cell marker (// %%%% or // %%%% [markdown])")
	}
	var cells []Cell
	for i < len(lines) {
		end := i + 1
		for end < len(lines) && !cellMarker.MatchString(lines[end]) {
			end++
		}
		c, err := parseCell(lines, i, end, errf)
		if err != nil {
			return nil, err
		}
		cells = append(cells, c)
		i = end
	}
	return cells, nil
}

// skipHeader skips jupytext's coding line and YAML header; it returns the
// first line after them.
func skipHeader(lines []string, errf func(int, string, ...any) error) (int, error) {
	i := 0
	if len(lines) > 0 && encodingLine.MatchString(lines[0]) {
		i++
	}
	if i >= len(lines) || lines[i] != "// ---" {
		return i, nil
	}
	for j := i + 1; j < len(lines); j++ {
		if lines[j] == "// ---" {
			return j + 1, nil
		}
		if !strings.HasPrefix(lines[j], "//") {
			return 0, errf(j, "the header is not closed by a // --- line")
		}
	}
	return 0, errf(i, "the header is not closed by a // --- line")
}

// parseCell reads the cell whose marker is lines[start]; its text runs to
// lines[end] (the next marker or the end), less the blank line that
// separates it from the next cell.
func parseCell(lines []string, start, end int, errf func(int, string, ...any) error) (Cell, error) {
	m := cellMarker.FindStringSubmatch(lines[start])
	c := Cell{Line: start + 2}
	switch opts := strings.TrimSpace(m[2]); {
	case m[1] != "":
		return c, errf(start, "cell titles (%%%%%s) are not kept in notebooks", m[1])
	case opts == "":
	case opts == "[markdown]":
		c.Markdown = true
	default:
		return c, errf(start, "%q after %%%%: only [markdown] is kept in notebooks (no titles, metadata or raw cells)", opts)
	}
	if end > start+1 && end < len(lines) && lines[end-1] == "" {
		end-- // the blank line before the next cell
	}
	body := lines[start+1 : end]
	if len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
		return c, errf(start+len(body), "blank line at the end of the cell (one blank line separates cells; jupytext would keep the others as metadata)")
	}
	out := make([]string, len(body))
	for k, l := range body {
		if c.Markdown {
			text, ok := uncomment(l)
			if !ok {
				return c, errf(start+1+k, "a markdown cell's lines are // comments")
			}
			out[k] = text
			continue
		}
		out[k] = codeLine(l)
	}
	c.Source = strings.Join(out, "\n")
	return c, nil
}

// uncomment removes "// " or "//" from the start of a line.
func uncomment(l string) (string, bool) {
	if s, ok := strings.CutPrefix(l, "// "); ok {
		return s, true
	}
	return strings.CutPrefix(l, "//")
}

// codeLine undoes jupytext's escapes in a code line: a commented-out magic
// (// %time x) is the magic; "//gonb:%%" is "%%"; a doubly commented
// "// // +x" is "// +x".
func codeLine(l string) string {
	if commentedMagic.MatchString(l) {
		l = unescapeOnce(l)
	}
	l = gonbMagic.ReplaceAllString(l, "$1%%")
	if escapedCodeStart.MatchString(l) {
		if u := unescapeOnce(l); escapedCodeStart.MatchString(u) {
			l = u
		}
	}
	return l
}

// unescapeOnce removes one level of // (and a space) after the indent.
func unescapeOnce(l string) string {
	rest := strings.TrimLeft(l, " \t")
	indent := l[:len(l)-len(rest)]
	if s, ok := uncomment(rest); ok {
		return indent + s
	}
	return l
}
