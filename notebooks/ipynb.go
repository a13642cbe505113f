package notebooks

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
)

// Ipynb is the notebook file (nbformat 4.5) of cells, without outputs,
// written byte for byte as Jupyter writes it (nbformat: keys sorted, one
// space of indent, sources as lists of lines, non-ASCII text as is), so a
// notebook saved from Jupyter unchanged and a regenerated one are alike.
// name is the file name (01-mlp.ipynb): cell ids are the first 8 hex
// digits of the SHA-1 of "name/index", stable across regenerations.
func Ipynb(name string, cells []Cell) []byte {
	var b strings.Builder
	b.WriteString("{\n \"cells\": [")
	for i, c := range cells {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {\n")
		if c.Markdown {
			b.WriteString("   \"cell_type\": \"markdown\",\n")
		} else {
			b.WriteString("   \"cell_type\": \"code\",\n   \"execution_count\": null,\n")
		}
		fmt.Fprintf(&b, "   \"id\": %s,\n   \"metadata\": {},\n", jsonString(CellID(name, i)))
		if !c.Markdown {
			b.WriteString("   \"outputs\": [],\n")
		}
		b.WriteString("   \"source\": [")
		for k, l := range sourceLines(c.Source) {
			if k > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n    " + jsonString(l))
		}
		if c.Source != "" {
			b.WriteString("\n   ")
		}
		b.WriteString("]\n  }")
	}
	if len(cells) > 0 {
		b.WriteString("\n ")
	}
	b.WriteString("],\n" + notebookMetadata + "}\n")
	return []byte(b.String())
}

// notebookMetadata is the godl kernel's spec and language, then the
// format version.
const notebookMetadata = ` "metadata": {
  "kernelspec": {
   "display_name": "Go (dl)",
   "language": "go",
   "name": "godl"
  },
  "language_info": {
   "codemirror_mode": "go",
   "file_extension": ".go",
   "mimetype": "text/x-go",
   "name": "go",
   "pygments_lexer": "go"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
`

// CellID is the id of cell i of notebook name.
func CellID(name string, i int) string {
	sum := sha1.Sum([]byte(fmt.Sprintf("%s/%d", name, i)))
	return hex.EncodeToString(sum[:])[:8]
}

// sourceLines splits a cell's text as nbformat stores it: lines that keep
// their "\n", none for an empty cell.
func sourceLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// jsonString quotes s as Python's json module does without ensure_ascii:
// only the quote, the backslash and control characters are escaped.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
