package engine

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// buildDirect builds a cell's plugin by calling the compiler and linker
// itself, against the very archives the worker's build listed: this skips
// the go command's own work (~0.2 s a cell) and can never mix package
// versions with the running worker. The engine falls back to go build
// when it fails.
func (b *builder) buildDirect(cellPath, dir, so string) error {
	if b.toolDir == "" {
		return errors.New("no GOTOOLDIR")
	}
	b.mu.Lock()
	var cfg strings.Builder
	lines := make([]string, 0, len(b.exports)+len(b.archives))
	for p, f := range b.exports {
		lines = append(lines, "packagefile "+p+"="+f)
	}
	for p, f := range b.archives {
		lines = append(lines, "packagefile "+p+"="+f)
	}
	b.mu.Unlock()
	sort.Strings(lines)
	cfg.WriteString(strings.Join(lines, "\n"))
	cellA := filepath.Join(dir, "cell.a")
	mainA := filepath.Join(dir, "main.a")
	cfg.WriteString("\npackagefile " + cellPath + "=" + cellA + "\n")
	cfgFile := filepath.Join(dir, "importcfg")
	if err := os.WriteFile(cfgFile, []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	compile := func(out, pkg string, src string) error {
		return b.tool("compile", "-o", out, "-p", pkg, "-lang=go1.26", "-complete", "-installsuffix", "dynlink",
			"-goversion", b.gover, "-c=2", "-dynlink", "-nolocalimports", "-importcfg", cfgFile, "-pack", src)
	}
	if err := compile(cellA, cellPath, filepath.Join(dir, "cell.go")); err != nil {
		return err
	}
	// A plugin's main package is compiled under its plugin path.
	if err := compile(mainA, cellPath+"/main", filepath.Join(dir, "main", "main.go")); err != nil {
		return err
	}
	cc := b.cc
	if cc == "" {
		cc = "gcc"
	}
	args := []string{"-o", so, "-importcfg", cfgFile, "-installsuffix", "dynlink",
		"-pluginpath", cellPath + "/main", "-buildmode=plugin", "-extld=" + cc}
	args = append(append(args, b.ldflags...), mainA)
	if err := b.tool("link", args...); err != nil {
		return err
	}
	b.mu.Lock()
	b.archives[cellPath] = cellA
	b.mu.Unlock()
	return nil
}

func (b *builder) tool(name string, args ...string) error {
	if os.Getenv("GODL_DEBUG") != "" {
		defer func(t0 time.Time) { fmt.Fprintln(os.Stderr, "godl:", name, time.Since(t0)) }(time.Now())
	}
	cmd := exec.Command(filepath.Join(b.toolDir, name), args...)
	cmd.Dir, cmd.Env = b.dir, b.env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
}
