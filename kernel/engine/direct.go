package engine

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// buildDirect builds a cell's plugin by calling the compiler and linker
// itself, against the very archives the worker's build listed: this skips
// the go command's own work (~0.2 s a cell) and can never mix package
// versions with the running worker. In static mode the engine falls back
// to go build when it fails; in shared mode (shared.go) it is the only way.
// Without withCell the cell's package is empty (rewrite.Result.Empty): only
// the plugin's main is compiled.
func (b *builder) buildDirect(cellPath string, withCell bool, dir, so string) error {
	if b.toolDir == "" {
		return errors.New("no GOTOOLDIR")
	}
	b.gatherCells(filepath.Join(filepath.Dir(dir), "lib"))
	cellA := filepath.Join(dir, "cell.a")
	mainA := filepath.Join(dir, "main.a")
	b.mu.Lock()
	exp, cells, lib := b.exports, make(map[string]string, len(b.archives)+2), b.shared
	for p, f := range b.archives {
		cells[p] = f
	}
	if withCell {
		cells[cellPath] = cellA
	}
	var linkCfgData []byte
	if lib != nil {
		cells[pluginPkgPath] = lib.pluginPkg
		linkCfgData = importConfig(exp, cells, lib)
	}
	compileCfg := importConfig(exp, cells, nil)
	b.mu.Unlock()
	cfgFile := filepath.Join(dir, "importcfg")
	if err := os.WriteFile(cfgFile, compileCfg, 0o644); err != nil {
		return err
	}
	shared := lib != nil
	if withCell {
		if err := b.compile(cellA, cellPath, cfgFile, shared, "", filepath.Join(dir, "cell.go")); err != nil {
			return err
		}
	}
	// A plugin's main package is compiled under its plugin path.
	mainPath := cellPath + "/main"
	linkCfg := cfgFile
	if !shared {
		if err := b.compile(mainA, mainPath, cfgFile, false, "", filepath.Join(dir, "main", "main.go")); err != nil {
			return err
		}
	} else {
		src := filepath.Join(dir, "plugin_main.go")
		main, err := os.ReadFile(filepath.Join(dir, "main", "main.go"))
		if err != nil {
			return err
		}
		if main, err = sharedPluginMain(main); err != nil {
			return err
		}
		if err := os.WriteFile(src, main, 0o644); err != nil {
			return err
		}
		if err := b.compile(mainA, mainPath, cfgFile, true, "", src); err != nil {
			return err
		}
		linkCfg = filepath.Join(dir, "importcfg.link")
		if err := os.WriteFile(linkCfg, linkCfgData, 0o644); err != nil {
			return err
		}
	}
	args := []string{"-o", so, "-importcfg", linkCfg, "-installsuffix", "dynlink",
		"-pluginpath", mainPath, "-buildmode=plugin"}
	ldflags := b.ldflags
	if shared {
		// -L: a cell library names the libraries it needs by file name.
		args = append(args, "-linkshared", "-extld="+lib.extld, "-L", lib.dir)
		ldflags = sharedLdflags
	} else {
		args = append(args, "-extld="+b.ccName())
	}
	args = append(append(args, ldflags...), mainA)
	if err := b.tool("link", args...); err != nil {
		return err
	}
	if withCell {
		b.mu.Lock()
		b.archives[cellPath] = cellA
		if shared {
			b.cellLibs.pending = append(b.cellLibs.pending, cellPath)
		}
		b.mu.Unlock()
	}
	if os.Getenv("GODL_DEBUG") == "" {
		// Later cells need the cell's archive only.
		for _, f := range []string{"importcfg", "importcfg.link", "main.a", "plugin_main.go"} {
			os.Remove(filepath.Join(dir, f))
		}
	}
	return nil
}

// compile compiles the Go files srcs as package pkg into the archive out.
// symabis, when set, names the ABI list of the package's assembly (and
// the package is then not -complete).
func (b *builder) compile(out, pkg, cfg string, shared bool, symabis string, srcs ...string) error {
	args := []string{"-o", out, "-p", pkg, "-lang=go1.26", "-installsuffix", "dynlink",
		"-goversion", b.gover, "-c=2", "-dynlink", "-nolocalimports", "-importcfg", cfg, "-pack"}
	if shared {
		args = append(args, "-linkshared")
	}
	if symabis != "" {
		args = append(args, "-symabis", symabis)
	} else {
		args = append(args, "-complete")
	}
	return b.tool("compile", append(args, srcs...)...)
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
