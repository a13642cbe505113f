package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExtldScript runs the host-linker script over a fake C compiler that
// logs its arguments: a link drops the libraries it should, and the Go
// linker's flag probes reach the compiler once per flag, later ones being
// answered from the kept output and exit status.
func TestExtldScript(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "cc.log")
	cc := filepath.Join(dir, "fakecc")
	fake := "#!/bin/sh\necho \"$*\" >> " + log + "\n" +
		"case \"$*\" in *-Qunused-arguments*) echo \"gcc: error: unrecognized command-line option '-Qunused-arguments'\"; exit 1 ;; esac\n"
	if err := os.WriteFile(cc, []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "extld.sh")
	if err := os.WriteFile(script, []byte(extldScript(cc, "-lgodl-*", true)), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int) {
		out, err := exec.Command(script, args...).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	probe := func(tmp, flag string) (string, int) {
		return run("-m64", "-o", "/tmp/go-link-"+tmp+"/a.out", flag, "/tmp/go-link-"+tmp+"/trivial.c")
	}
	for i, tmp := range []string{"1", "22", "333"} {
		if out, rc := probe(tmp, "-Wl,--build-id=0x1234"); out != "" || rc != 0 {
			t.Errorf("probe %d of a flag the compiler takes: rc %d, output %q", i, rc, out)
		}
		if out, rc := probe(tmp, "-Qunused-arguments"); !strings.Contains(out, "unrecognized") || rc != 1 {
			t.Errorf("probe %d of a flag the compiler refuses: rc %d, output %q", i, rc, out)
		}
	}
	if _, rc := run("-shared", "-o", "x.so", "go.o", "-lgodl-abc-core", "-lgodlcells-1", "-lm"); rc != 0 {
		t.Fatalf("link: rc %d", rc)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 3 {
		t.Fatalf("the compiler ran %d times, want 3 (two probes once each, one link):\n%s", len(lines), data)
	}
	if link := lines[2]; link != "-shared -o x.so go.o -lgodlcells-1 -lm" {
		t.Errorf("link arguments %q: the godl libraries should be dropped, the rest kept in order", link)
	}
}
