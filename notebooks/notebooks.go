// Package notebooks writes the tutorial notebooks (the .ipynb files in
// this directory) from their sources: one Go file per notebook in _src,
// in jupytext's percent format (see percent.go), which editors show as
// Go and jupytext opens as a notebook. Edit a source, then run
// `make notebooks` (or `go generate ./notebooks`); the notebooks are
// committed without outputs, and a test fails when they are stale. The
// tests also run every notebook's cells in order through the kernel's
// rewriter, so a cell that does not compile fails `go test -short`.
//
// The sources are cells, not Go files of a package: the leading
// underscore of _src keeps the go command (build, vet, test ./...) away.
package notebooks

//go:generate go run ./generate .

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// SourceDir holds the notebooks' sources, in the notebooks directory.
const SourceDir = "_src"

// Notebook is one notebook read from its source.
type Notebook struct {
	Name   string // the notebook's file name: 01-perceptron-mlp.ipynb
	Source string // its source's path: .../_src/01-perceptron-mlp.go
	Cells  []Cell
}

// Ipynb is the notebook's file.
func (nb *Notebook) Ipynb() []byte { return Ipynb(nb.Name, nb.Cells) }

// Load reads the sources of the notebooks in dir, in file name order.
func Load(dir string) ([]*Notebook, error) {
	files, err := filepath.Glob(filepath.Join(dir, SourceDir, "*.go"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no notebook sources in %s", filepath.Join(dir, SourceDir))
	}
	sort.Strings(files)
	var nbs []*Notebook
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		cells, err := ParsePercent(f, src)
		if err != nil {
			return nil, err
		}
		if len(cells) == 0 {
			return nil, fmt.Errorf("%s: no cells", f)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".go") + ".ipynb"
		nbs = append(nbs, &Notebook{Name: name, Source: f, Cells: cells})
	}
	return nbs, nil
}

// Generate writes the notebooks of dir from their sources; it reports
// each one it changed.
func Generate(dir string, report func(name string)) error {
	nbs, err := Load(dir)
	if err != nil {
		return err
	}
	for _, nb := range nbs {
		path := filepath.Join(dir, nb.Name)
		data := nb.Ipynb()
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		report(nb.Name)
	}
	return nil
}
