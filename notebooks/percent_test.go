package notebooks

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The expected cells are those jupytext 1.19 reads from the same text.
func TestParsePercent(t *testing.T) {
	src := `// -*- coding: utf-8 -*-
// ---
// jupyter:
//   kernelspec:
//     display_name: Go (dl)
//     name: godl
// ---

// %% [markdown]
// # Title
//
//Text right after the slashes.

// %%
x := 1
// a comment stays a comment
// %time f(x)
//%%time
  // %whos
//gonb:%%
// // +x

// %% [markdown]
// second

// %%
fmt.Println(x)
`
	cells, err := ParsePercent("nb.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Cell{
		{Markdown: true, Source: "# Title\n\nText right after the slashes.", Line: 10},
		{Source: "x := 1\n// a comment stays a comment\n%time f(x)\n%%time\n  // %whos\n%%\n// +x", Line: 15},
		{Markdown: true, Source: "second", Line: 24},
		{Source: "fmt.Println(x)", Line: 27},
	}
	if !reflect.DeepEqual(cells, want) {
		t.Errorf("cells:\n%#v\nwant\n%#v", cells, want)
	}
}

func TestParsePercentEmptyCellsAndNoHeader(t *testing.T) {
	cells, err := ParsePercent("nb.go", []byte("\n// %%\n\n// %% [markdown]\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Cell{{Line: 3}, {Markdown: true, Line: 5}}
	if !reflect.DeepEqual(cells, want) {
		t.Errorf("cells %#v, want %#v", cells, want)
	}
}

func TestParsePercentErrors(t *testing.T) {
	for _, tc := range []struct{ src, err string }{
		{"x := 1\n", "nb.go:1: text before the first cell marker"},
		{"// %%\nx := 1", "nb.go: the last line has no newline"},
		{"// %% [markdown]\nplain text\n", "nb.go:2: a markdown cell's lines are // comments"},
		{"// %%\nx := 1\n\n\n// %%\n", "nb.go:3: blank line at the end of the cell"},
		{"// %%\nx := 1\n\n", "nb.go:3: blank line at the end of the cell"},
		{"// %% [raw]\n", `nb.go:1: "[raw]" after %%: only [markdown] is kept`},
		{"// %% [md]\n", `nb.go:1: "[md]" after %%`},
		{"// %% setup\n", `nb.go:1: "setup" after %%`},
		{"// %%% Title\n", "nb.go:1: cell titles"},
		{"// ---\n// jupyter:\n", "nb.go:1: the header is not closed"},
		{"// %%\nx := 1\r\n", "nb.go:2: carriage return"},
		{"// %%\n\xff\n", "nb.go: not UTF-8"},
	} {
		_, err := ParsePercent("nb.go", []byte(tc.src))
		if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("%q: error %v, want %q...", tc.src, err, tc.err)
		}
	}
}

// The notebook file is JSON that reads back to the cells, laid out as
// nbformat writes it.
func TestIpynb(t *testing.T) {
	cells := []Cell{
		{Markdown: true, Source: "# 标题 · \"quoted\" \\ back\n\ntab\there"},
		{Source: "fmt.Println(\"a\\n\")\n\x01\x1f\x7f\u2028"},
		{Source: ""},
	}
	data := Ipynb("x.ipynb", cells)
	var nb struct {
		Cells []struct {
			CellType string   `json:"cell_type"`
			ID       string   `json:"id"`
			Source   []string `json:"source"`
			Outputs  []any    `json:"outputs"`
		} `json:"cells"`
		Metadata struct {
			Kernelspec map[string]string `json:"kernelspec"`
		} `json:"metadata"`
		Nbformat      int `json:"nbformat"`
		NbformatMinor int `json:"nbformat_minor"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	if nb.Nbformat != 4 || nb.NbformatMinor != 5 || nb.Metadata.Kernelspec["name"] != "godl" || len(nb.Cells) != 3 {
		t.Fatalf("notebook %+v", nb)
	}
	for i, c := range nb.Cells {
		if got := strings.Join(c.Source, ""); got != cells[i].Source {
			t.Errorf("cell %d source %q, want %q", i, got, cells[i].Source)
		}
		if c.ID != CellID("x.ipynb", i) || len(c.ID) != 8 {
			t.Errorf("cell %d id %q", i, c.ID)
		}
	}
	if nb.Cells[0].CellType != "markdown" || nb.Cells[1].CellType != "code" || nb.Cells[1].Outputs == nil {
		t.Errorf("cell types or outputs: %+v", nb.Cells)
	}
	// nbformat's layout: one space of indent, text not escaped beyond
	// JSON's needs, one line of the cell per list item.
	for _, want := range []string{
		"{\n \"cells\": [\n  {\n   \"cell_type\": \"markdown\",\n   \"id\": \"",
		"   \"source\": [\n    \"# 标题 · \\\"quoted\\\" \\\\ back\\n\",\n    \"\\n\",\n    \"tab\\there\"\n   ]\n  },",
		"\"\\u0001\\u001f\x7f\u2028\"",
		"   \"execution_count\": null,\n",
		"   \"outputs\": [],\n   \"source\": []\n  }\n ],\n \"metadata\": {\n",
		" \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("notebook lacks %q:\n%s", want, data)
		}
	}
}

// The ids are those the notebooks had before they were generated in Go
// (Python's hashlib.sha1(b"01-perceptron-mlp.ipynb/0").hexdigest()[:8]).
func TestCellID(t *testing.T) {
	if got := CellID("01-perceptron-mlp.ipynb", 0); got != "45acd4e9" {
		t.Errorf("id %s, want 45acd4e9", got)
	}
}
