package engine

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Shared mode. A plugin built the ordinary way carries its own copy of
// every package it depends on: the runtime, reflect, os, fmt, dl... — about
// 3.9 MB per cell, of which ~3 MB end up resident in the worker (the dynamic
// loader and the runtime's module initialisation touch the symbol tables,
// relocations, type links and pclntab of each copy), and every load walks
// the type links of all earlier plugins.
//
// In shared mode the packages the worker links are instead one Go shared
// library (go tool link -buildmode=shared), named by a hash of its
// contents, the worker is a small executable linked against it with
// -linkshared, and each cell plugin is linked against it too: a plugin
// holds only the cells' own code, ~15 KB. One library, not layers of
// them: with a second Go library linked against the first, go1.26 reads
// the names of the second one's types wrong (reflect, and so gob and
// fmt, see garbage), and the linker reads every library a plugin
// imports from anyway.
//
// The toolchain's plugin + -linkshared combination needs two repairs,
// both checked when the library is built (shared mode is off if they
// cannot be made):
//   - The linker lays out runtime.addmoduledata (which registers a
//     plugin's module data with the runtime from .init_array) as the
//     plugin's first text symbol, expecting the plugin to contain the
//     runtime; against a shared library it is an empty symbol and the
//     call lands in padding. Each plugin therefore brings its own
//     runtime.addmoduledata, the runtime's three instructions with the
//     offset of moduledata.next read from the library.
//   - The plugin records a zero fingerprint for packages it loads
//     implicitly (runtime, runtime/cgo), and plugin.Open compares it with
//     the library's real one; the plugin's main package imports both, so
//     the real fingerprints are recorded.

// sharedLib is the worker's packages linked as a Go shared library.
type sharedLib struct {
	path          string
	pkgs          map[string]bool // import paths linked into it
	nextOff       uint32          // offset of runtime.moduledata.next
	versionScript string          // the plugins' (cellVersionScript)
}

// cellVersionScript keeps the fingerprints of cell packages out of a
// plugin's dynamic symbols. A plugin links in every earlier cell its cell
// imports, directly or not, and records each one's fingerprint under a
// global symbol (for plugin.Open's check against the instance loaded
// first); for a chain of 1000 cells that is 1000 symbols, relocations and
// name lookups in the last plugin, and quadratic growth overall. Cell
// packages are never rebuilt under the same path, so the check is kept
// local to each plugin; the library's fingerprints stay global and
// checked.
const cellVersionScript = "{\n  global: *;\n  local: go:link.pkghash*" + buildModule + "/cells/*;\n};\n"

// sharedModeOK says whether this toolchain and platform can try shared
// mode; GODL_STATIC_CELLS=1 turns it off (every plugin then links its
// dependencies in, as go build -buildmode=plugin does).
func (b *builder) sharedModeOK() bool {
	return runtime.GOOS == "linux" && runtime.GOARCH == "amd64" && b.toolDir != "" &&
		os.Getenv("GODL_STATIC_CELLS") == "" && os.Getenv("GODL_GO_BUILD") == ""
}

// linksShared reports whether the plugins link against shared libraries.
func (b *builder) linksShared() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.shared != nil
}

// buildSharedWorker builds (or finds, by content) the shared library and
// the worker linked against it, and sets b.exports, b.shared and
// b.worker. b.mu is held.
func (b *builder) buildSharedWorker() error {
	exp, err := b.listExportsFlags(true, "./worker")
	if err != nil {
		return err
	}
	// The worker's main package is listed as a plugin's; it is compiled
	// as package main below.
	delete(exp, buildModule+"/worker")
	h := sha256.New()
	fmt.Fprintf(h, "shared library v1\x00%s\x00%s\x00", b.gover, strings.Join(b.ldflags, " "))
	for _, p := range sortedKeys(exp) {
		fmt.Fprintf(h, "%s=%s\n", p, exp[p])
	}
	id := hex.EncodeToString(h.Sum(nil)[:8])
	libDir := filepath.Join(b.dir, "shlib")
	if err := os.MkdirAll(libDir, 0o755); err != nil {
		return err
	}
	lib := &sharedLib{path: filepath.Join(libDir, "libgodl-"+id+".so"), pkgs: map[string]bool{}}
	for p := range exp {
		lib.pkgs[p] = true
	}
	if _, err := os.Stat(lib.path); err != nil {
		args := []string{"-installsuffix", "dynlink", "-buildmode=shared", "-linkshared", "-extld=" + b.ccName()}
		args = append(args, b.ldflags...)
		for _, p := range sortedKeys(exp) {
			args = append(args, p+"="+exp[p])
		}
		if err := b.linkInPlace(lib.path, importConfig(exp, nil, nil), args); err != nil {
			return fmt.Errorf("linking the shared library: %w", err)
		}
		sweepOld(libDir, "libgodl-", lib.path)
	} else {
		now := time.Now() // in use: not swept
		os.Chtimes(lib.path, now, now)
	}
	if lib.nextOff, err = moduleNextOffset(lib.path); err != nil {
		return err
	}
	lib.versionScript = filepath.Join(libDir, "cells.map")
	if old, err := os.ReadFile(lib.versionScript); err != nil || string(old) != cellVersionScript {
		// Written aside and renamed: another kernel may be linking with it.
		tmp := lib.versionScript + ".tmp" + strconv.Itoa(os.Getpid())
		if err := os.WriteFile(tmp, []byte(cellVersionScript), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, lib.versionScript); err != nil {
			return err
		}
	}

	// The worker: its main package linked against the library.
	mainSrc := filepath.Join(b.dir, "worker", "main.go")
	src, err := os.ReadFile(mainSrc)
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "%s\x00%s", lib.path, src)
	worker := filepath.Join(libDir, "worker-"+hex.EncodeToString(h.Sum(nil)[:8]))
	if _, err := os.Stat(worker); err != nil {
		tmp, err := os.MkdirTemp(libDir, ".main-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cfg, mainA := filepath.Join(tmp, "importcfg"), filepath.Join(tmp, "main.a")
		if err := os.WriteFile(cfg, importConfig(exp, nil, nil), 0o644); err != nil {
			return err
		}
		if err := b.compile(mainA, "main", cfg, true, "", mainSrc); err != nil {
			return fmt.Errorf("compiling the worker: %w", err)
		}
		args := []string{"-installsuffix", "dynlink", "-linkshared", "-buildmode=exe", "-extld=" + b.ccName()}
		args = append(append(args, b.ldflags...), mainA)
		if err := b.linkInPlace(worker, importConfig(exp, nil, lib), args); err != nil {
			return fmt.Errorf("linking the worker: %w", err)
		}
		sweepOld(libDir, "worker-", worker)
	} else {
		now := time.Now()
		os.Chtimes(worker, now, now)
	}
	b.exports, b.shared, b.worker = exp, lib, worker
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (b *builder) ccName() string {
	if b.cc == "" {
		return "gcc"
	}
	return b.cc
}

// linkInPlace runs the linker with the import config cfg and moves its
// output to out. The output is linked under its final name in a temporary
// directory: a shared library's name is recorded in it, and a file another
// process may have mapped is never rewritten.
func (b *builder) linkInPlace(out string, cfg []byte, args []string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".link-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfgFile := filepath.Join(tmp, "importcfg")
	if err := os.WriteFile(cfgFile, cfg, 0o644); err != nil {
		return err
	}
	o := filepath.Join(tmp, filepath.Base(out))
	if err := b.tool("link", append([]string{"-o", o, "-importcfg", cfgFile}, args...)...); err != nil {
		return err
	}
	return os.Rename(o, out)
}

// importConfig writes the import config of a compile (lib nil) or of a
// link against lib: one line per package, sorted.
func importConfig(exp, more map[string]string, lib *sharedLib) []byte {
	lines := make([]string, 0, len(exp)+len(more))
	add := func(m map[string]string) {
		for p, f := range m {
			if lib != nil && lib.pkgs[p] {
				lines = append(lines, "packageshlib "+p+"="+lib.path)
			} else {
				lines = append(lines, "packagefile "+p+"="+f)
			}
		}
	}
	add(exp)
	add(more)
	sort.Strings(lines)
	return []byte(strings.Join(lines, "\n") + "\n")
}

// sweepOld removes files named prefix* in dir other than keep that no
// worker started with for a week (a worker start touches its library; a
// running worker has its files mapped, which a removal does not disturb).
func sweepOld(dir, prefix, keep string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if !strings.HasPrefix(e.Name(), prefix) || p == keep {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 7*24*time.Hour {
			os.Remove(p)
		}
	}
}

// moduleNextOffset reads the offset of runtime.moduledata.next from the
// library: next is the struct's last field, and the library's own
// runtime.addmoduledata stores through it (MOVQ DI, next(AX)), which
// confirms the layout.
func moduleNextOffset(lib string) (uint32, error) {
	f, err := elf.Open(lib)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	syms, err := f.DynamicSymbols()
	if err != nil {
		return 0, err
	}
	var md, amd *elf.Symbol
	for i := range syms {
		switch syms[i].Name {
		case "runtime.firstmoduledata":
			md = &syms[i]
		case "runtime.addmoduledata.abi0":
			amd = &syms[i]
		}
	}
	if md == nil || amd == nil || md.Size < 16 || amd.Size == 0 || amd.Size > 256 {
		return 0, errors.New("the shared library has no runtime.firstmoduledata or runtime.addmoduledata")
	}
	off := uint32(md.Size - 8)
	code := make([]byte, amd.Size)
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && amd.Value >= p.Vaddr && amd.Value+amd.Size <= p.Vaddr+p.Filesz {
			if _, err := p.ReadAt(code, int64(amd.Value-p.Vaddr)); err != nil {
				return 0, err
			}
		}
	}
	store := binary.LittleEndian.AppendUint32([]byte{0x48, 0x89, 0xb8}, off) // MOVQ DI, off(AX)
	if !bytes.Contains(code, store) {
		return 0, fmt.Errorf("runtime.addmoduledata does not store moduledata.next at offset %d: unknown runtime layout", off)
	}
	return off, nil
}

// addmoduledataAsm is the plugins' own runtime.addmoduledata: the
// runtime's (asm_amd64.s), with the field offset filled in.
func addmoduledataAsm(nextOff uint32) string {
	return `// Code generated by the godl engine. DO NOT EDIT.

#include "textflag.h"

// Called from .init_array with the platform ABI: appends the module data
// in DI to the runtime's list. The global accesses go through the GOT to
// the runtime in the shared library.
TEXT runtime·addmoduledata(SB),NOSPLIT,$0-0
	PUSHQ	R15
	MOVQ	runtime·lastmoduledatap(SB), AX
	MOVQ	DI, ` + strconv.FormatUint(uint64(nextOff), 10) + `(AX)
	MOVQ	DI, runtime·lastmoduledatap(SB)
	POPQ	R15
	RET
`
}

// pluginMainShared is a cell plugin's main package in shared mode.
func pluginMainShared(cellPath string) string {
	return `// Code generated by the godl engine. DO NOT EDIT.

package main

import (
	_ "runtime"     // imported, so the plugin records the fingerprints
	_ "runtime/cgo" // plugin.Open checks against the shared library's
	c "` + cellPath + `"
)

func GodlRun() { c.GodlRun() }
`
}

// appendArchive adds a file to a Go archive (the ar format compile -pack
// writes), as the go command does with the objects of assembly files.
func appendArchive(archive, name string, data []byte) error {
	f, err := os.OpenFile(archive, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	hdr := fmt.Sprintf("%-16s%-12d%-6d%-6d%-8o%-10d`\n", name, 0, 0, 0, 0o644, len(data))
	buf := append([]byte(hdr), data...)
	if len(data)%2 == 1 {
		buf = append(buf, '\n')
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
