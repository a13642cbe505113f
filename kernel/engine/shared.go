package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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
// In shared mode the packages the worker links are instead two Go shared
// libraries (go tool link -buildmode=shared), named by a hash of their
// contents: a core one (coreRoots and all they import) and the rest,
// linked against it. The worker is a small executable linked against both
// with -linkshared, and each cell plugin is linked against them too: a
// plugin holds only the cells' own code, ~15 KB. The linker reads the
// symbols of every library that holds a package a plugin imports
// directly, ~2.5 ms per thousand, so a cell that uses only core packages
// reads ~40k symbols instead of ~95k. Shared mode links with the system
// linker, never mold: mold (2.x) links the second library so that the
// names of its types read wrong (reflect, gob and fmt see the following
// names too; the worker hung in gonbui.Sync).
//
// The toolchain's plugin + -linkshared combination needs repairs, all in
// sharedplugin.go and all exercised by the engine's tests (shared mode is
// off if the libraries cannot be built):
//   - The linker adds runtime.addmoduledata (which registers a plugin's
//     module data with the runtime from .init_array) to the plugin's
//     text, expecting the plugin to contain the runtime; against a
//     shared library it is an empty symbol and the call lands in
//     padding. Each plugin brings its own (pluginPkgPath), the runtime's
//     three instructions with the offset of moduledata.next read from
//     the library.
//   - The first function of a module is nameless to the runtime; the
//     same package makes sure it is not a cell's.
//   - The plugin records a zero fingerprint for packages it loads
//     implicitly (runtime, runtime/cgo), and plugin.Open compares it with
//     the library's real one; the plugin's main package imports both, so
//     the real fingerprints are recorded.
//   - The worker's libraries are listed so that the dynamic loader finds
//     shared types in the order the runtime makes them canonical
//     (extldScript).

// sharedLib is the worker's packages linked as Go shared libraries.
type sharedLib struct {
	dir         string            // where the worker's libraries are
	pkgOf       map[string]string // import path → the library holding it
	extld       string            // the plugins' host linker (extldScript)
	workerExtld string            // the worker's (extldScript)
	// pluginPkg is the archive of pluginPkgPath, which every plugin's
	// main imports (see pluginPkgPath).
	pluginPkg string
}

// libOf is the library holding package p, or "" (also when l is nil).
func (l *sharedLib) libOf(p string) string {
	if l == nil {
		return ""
	}
	return l.pkgOf[p]
}

// sharedLdflags are the linker flags of everything shared mode links.
var sharedLdflags = []string{"-s", "-w"}

// coreRoots are the packages the core library is closed over: what
// nearly every cell imports.
var coreRoots = []string{"runtime", "runtime/cgo", modulePath + "/kernel/engine/rt",
	modulePath + "/dl", modulePath + "/dl/nn", modulePath + "/dl/optim", modulePath + "/dl/data",
	"fmt", "math", "math/rand", "math/rand/v2", "strings", "strconv", "sort", "slices", "maps",
	"time", "os", "errors", "io", "bytes", "bufio", "sync", "unicode/utf8"}

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

// buildSharedWorker builds (or finds, by content) the shared libraries
// and the worker linked against them, and sets b.exports, b.shared and
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
	fmt.Fprintf(h, "shared libraries v2\x00%s\x00%s\x00", b.gover, strings.Join(sharedLdflags, " "))
	for _, p := range sortedKeys(exp) {
		fmt.Fprintf(h, "%s=%s\n", p, exp[p])
	}
	id := hex.EncodeToString(h.Sum(nil)[:8])
	libDir := filepath.Join(b.dir, "shlib")
	if err := os.MkdirAll(libDir, 0o755); err != nil {
		return err
	}
	core := filepath.Join(libDir, "libgodl-"+id+"-core.so")
	rest := filepath.Join(libDir, "libgodl-"+id+"-rest.so")
	if _, err := os.Stat(rest); err != nil {
		if err := b.linkLibraries(exp, core, rest); err != nil {
			return err
		}
		sweepOld(libDir, "libgodl-", id)
	} else {
		now := time.Now() // in use: not swept
		os.Chtimes(core, now, now)
		os.Chtimes(rest, now, now)
	}
	lib := &sharedLib{dir: libDir, pkgOf: map[string]string{}}
	for _, l := range []string{core, rest} {
		pkgs, err := libPackages(l)
		if err != nil {
			return err
		}
		for _, p := range pkgs {
			lib.pkgOf[p] = l
		}
	}
	for p := range exp {
		if lib.pkgOf[p] == "" {
			return fmt.Errorf("package %s is in neither shared library", p)
		}
	}
	nextOff, err := moduleNextOffset(core)
	if err != nil {
		return err
	}
	lib.extld = filepath.Join(libDir, "extld-cell.sh")
	lib.workerExtld = filepath.Join(libDir, "extld-worker.sh")
	srcHash := sha256.Sum256([]byte(pluginPkgSource + addmoduledataAsm(nextOff)))
	lib.pluginPkg = filepath.Join(libDir, "plugin-"+id+"-"+hex.EncodeToString(srcHash[:4])+".a")
	if err := writeShared(lib.extld, []byte(extldScript(b.ccName(), "-lgodl-*", true)), 0o755); err != nil {
		return err
	}
	if err := writeShared(lib.workerExtld, []byte(extldScript(b.ccName(), "-lgodl-*-core", false)), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(lib.pluginPkg); err != nil {
		if err := b.buildPluginPkg(lib.pluginPkg, exp, nextOff); err != nil {
			return fmt.Errorf("building the plugins' addmoduledata: %w", err)
		}
		sweepOld(libDir, "plugin-", filepath.Base(lib.pluginPkg))
	}

	// The worker: its main package linked against the library.
	mainSrc := filepath.Join(b.dir, "worker", "main.go")
	src, err := os.ReadFile(mainSrc)
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", core, rest, src, extldScript(b.ccName(), "-lgodl-*-core", false))
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
		args := []string{"-installsuffix", "dynlink", "-linkshared", "-buildmode=exe", "-extld=" + lib.workerExtld}
		args = append(append(args, sharedLdflags...), mainA)
		if err := b.linkInPlace(worker, importConfig(exp, nil, lib), args); err != nil {
			return fmt.Errorf("linking the worker: %w", err)
		}
		sweepOld(libDir, "worker-", filepath.Base(worker))
	} else {
		now := time.Now()
		os.Chtimes(worker, now, now)
	}
	b.exports, b.shared, b.worker = exp, lib, worker
	b.cellLibs = cellLibs{made: b.cellLibs.made} // the new worker has loaded no cells
	return nil
}

// linkLibraries links the packages of exp into two shared libraries: core
// (coreRoots and what they import) and rest, linked against core.
func (b *builder) linkLibraries(exp map[string]string, core, rest string) error {
	var roots []string
	for _, r := range coreRoots {
		if exp[r] != "" {
			roots = append(roots, r)
		}
	}
	out, err := b.goOutput(b.dir, append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, roots...)...)
	if err != nil {
		return err
	}
	coreLib := &sharedLib{pkgOf: map[string]string{}}
	corePkgs, restPkgs := map[string]string{}, map[string]string{}
	for _, p := range strings.Fields(out) {
		if exp[p] != "" {
			corePkgs[p] = exp[p]
			coreLib.pkgOf[p] = core
		}
	}
	for p, f := range exp {
		if corePkgs[p] == "" {
			restPkgs[p] = f
		}
	}
	args := func(pkgs map[string]string) []string {
		a := []string{"-installsuffix", "dynlink", "-buildmode=shared", "-linkshared", "-extld=" + b.ccName()}
		a = append(a, sharedLdflags...)
		for _, p := range sortedKeys(pkgs) {
			a = append(a, p+"="+pkgs[p])
		}
		return a
	}
	if err := b.linkInPlace(core, importConfig(exp, nil, nil), args(corePkgs)); err != nil {
		return fmt.Errorf("linking the core shared library: %w", err)
	}
	if err := b.linkInPlace(rest, importConfig(exp, nil, coreLib), args(restPkgs)); err != nil {
		return fmt.Errorf("linking the shared library: %w", err)
	}
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
			if l := lib.libOf(p); l != "" {
				lines = append(lines, "packageshlib "+p+"="+l)
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

// sweepOld removes files named prefix* in dir whose names do not contain
// keep and that no worker started with for a week (a worker start touches
// its files; a running worker has them mapped, which a removal does not
// disturb).
func sweepOld(dir, prefix, keep string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) || strings.Contains(e.Name(), keep) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 7*24*time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// writeShared writes a file the linkers of other kernels may be reading:
// unchanged files are left alone, others are written aside and renamed.
func writeShared(path string, data []byte, mode os.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
