package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Earlier cells as shared libraries. A cell's package imports the cells
// whose names it uses, and those import theirs, so a notebook's cells
// form a chain; the linker reads the object of every package in a
// plugin's import closure, ~0.25 ms each, and the plugin records each
// one's fingerprint (~250 B). Over 1000 cells that made the link 0.25 s
// slower and the last plugins 0.25 MB larger. So in shared mode, every
// cellLibEvery cells the packages of the cells built since are linked
// into a Go shared library of the session, and later plugins link against
// it: the linker stops at a package in a library, so it reads at most
// cellLibEvery cells' objects, and a library's symbols only when a cell
// imports one of its packages directly.
//
// The library is loaded with the first plugin that needs it, but nothing
// in it runs: its packages' variables and functions were defined by the
// plugins loaded earlier, which come first in the dynamic loader's search
// order, so every reference (the library's own too) finds those; its
// package initialisers are not run (plugin.Open runs the plugin's own
// list, where the cells' entries are the earlier plugins', done); the
// runtime makes the earlier plugins' types canonical. What it adds is its
// symbols for the linker and its ABI hash for the runtime's check.

// cellLibEvery is how many cells go into one library: a link of that many
// (~0.3 s) every cellLibEvery cells, against at most that many objects
// read for each cell.
var cellLibEvery = 40

// cellLibs are a session's cell libraries in the making.
type cellLibs struct {
	pending []string // cell packages built since the last library, oldest first
	made    int
	failed  bool // a library failed to link: cells link as before
}

// gatherCells links the pending cells into a library in dir when there
// are cellLibEvery of them.
func (b *builder) gatherCells(dir string) {
	b.mu.Lock()
	lib, pending := b.shared, b.cellLibs.pending
	if lib == nil || b.cellLibs.failed || len(pending) < cellLibEvery {
		b.mu.Unlock()
		return
	}
	cells := make(map[string]string, len(b.archives))
	for p, f := range b.archives {
		cells[p] = f
	}
	cfg := importConfig(b.exports, cells, lib)
	out := filepath.Join(dir, "libgodlcells-"+strconv.Itoa(b.cellLibs.made+1)+".so")
	b.mu.Unlock()

	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		args := []string{"-installsuffix", "dynlink", "-buildmode=shared", "-linkshared", "-extld=" + b.ccName(), "-L", lib.dir}
		args = append(args, sharedLdflags...)
		for _, p := range pending {
			args = append(args, p+"="+cells[p])
		}
		err = b.linkInPlace(out, cfg, args)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.cellLibs.failed = true
		fmt.Fprintln(os.Stderr, "godl: gathering cells into a library:", err)
		return
	}
	if b.shared != lib {
		return // a new worker came meanwhile
	}
	for _, p := range pending {
		lib.pkgOf[p] = out
	}
	b.cellLibs.pending = b.cellLibs.pending[len(pending):]
	b.cellLibs.made++
}
