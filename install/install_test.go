package install

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readSpec(t *testing.T, dir string) kernelSpec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "kernels", "godl", "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ks kernelSpec
	if err := json.Unmarshal(b, &ks); err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestUserInstallHonoursJupyterDataDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", dir)
	var out, errb bytes.Buffer
	if err := run([]string{"--user"}, &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	ks := readSpec(t, dir)
	exe, _ := os.Executable()
	if len(ks.Argv) != 3 || ks.Argv[0] != exe || ks.Argv[1] != "kernel" || ks.Argv[2] != "{connection_file}" {
		t.Errorf("argv %q", ks.Argv)
	}
	if !filepath.IsAbs(ks.Argv[0]) {
		t.Errorf("binary path %q is not absolute", ks.Argv[0])
	}
	if ks.DisplayName != "Go (dl)" || ks.Language != "go" || ks.InterruptMode != "message" || ks.Metadata == nil {
		t.Errorf("spec %+v", ks)
	}
	for size, name := range map[int]string{32: "logo-32x32.png", 64: "logo-64x64.png"} {
		f, err := os.Open(filepath.Join(dir, "kernels", "godl", name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("%s is %v", name, b)
		}
	}
	if !strings.Contains(out.String(), filepath.Join(dir, "kernels", "godl")) {
		t.Errorf("output %q", out.String())
	}
	// The default is --user.
	dir2 := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", dir2)
	if err := run(nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	readSpec(t, dir2)
}

func TestPrefixAndSysPrefix(t *testing.T) {
	p := t.TempDir()
	var out, errb bytes.Buffer
	if err := run([]string{"--prefix", p}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	readSpec(t, filepath.Join(p, "share", "jupyter"))

	// A fake python that prints a prefix.
	fake := filepath.Join(t.TempDir(), "python")
	sp := t.TempDir()
	os.WriteFile(fake, []byte("#!/bin/sh\necho "+sp+"\n"), 0o755)
	if err := run([]string{"--sys-prefix", "--python", fake}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	readSpec(t, filepath.Join(sp, "share", "jupyter"))
}

func TestBadArguments(t *testing.T) {
	var out, errb bytes.Buffer
	for _, args := range [][]string{
		{"--user", "--sys-prefix"},
		{"--prefix", "/x", "--user"},
		{"--bogus"},
		{"extra"},
		{"--sys-prefix", "--python", "/nonexistent/python"},
	} {
		if err := run(args, &out, &errb); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}
