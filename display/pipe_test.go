package display

import (
	"encoding/gob"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// TestGonbuiPipe runs this test binary as a child with the gonbui pipes
// set, as a notebook worker is, and reads what display sends over them.
func TestGonbuiPipe(t *testing.T) {
	if os.Getenv("DISPLAY_PIPE_CHILD") == "1" {
		Markdown("*hi*")
		Clear(true)
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	toKernel, fromKernel := filepath.Join(dir, "out"), filepath.Join(dir, "back")
	for _, p := range []string{toKernel, fromKernel} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("no FIFOs here: %v", err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestGonbuiPipe$")
	cmd.Env = append(os.Environ(), "DISPLAY_PIPE_CHILD=1",
		protocol.GONB_PIPE_ENV+"="+toKernel, protocol.GONB_PIPE_BACK_ENV+"="+fromKernel)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// If the child dies before opening its ends, our blocking opens would
	// wait forever: open the other ends ourselves for a moment then.
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
		for _, p := range []string{toKernel, fromKernel} {
			if f, err := os.OpenFile(p, os.O_RDWR, 0); err == nil {
				time.AfterFunc(200*time.Millisecond, func() { f.Close() })
			}
		}
	}()
	defer func() { <-exited }()
	// gonbui opens its writer first, then its reader: open in that order.
	r, err := os.OpenFile(toKernel, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := os.OpenFile(fromKernel, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dec := gob.NewDecoder(r)
	var md, clear protocol.DisplayData
	if err := dec.Decode(&md); err != nil {
		t.Fatalf("reading the Markdown message: %v", err)
	}
	if md.Data[protocol.MIMETextMarkdown] != "*hi*" || md.Data[protocol.MIMETextPlain] != "*hi*" {
		t.Errorf("Markdown arrived as %v", md.Data)
	}
	if err := dec.Decode(&clear); err != nil {
		t.Fatalf("reading the clear message: %v", err)
	}
	if clear.Data[MIMEClearOutput] != true {
		t.Errorf("Clear arrived as %v", clear.Data)
	}
}
