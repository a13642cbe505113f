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
	defer cmd.Process.Kill() // a child left waiting for an answer (the test failed) ends too
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
	dec, enc := gob.NewDecoder(r), gob.NewEncoder(w)
	// Each output is followed by a sync, which the kernel answers once the
	// output is on its way (so what the cell prints next comes after it).
	read := func(what string) (d protocol.DisplayData) {
		t.Helper()
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("reading the %s message: %v", what, err)
		}
		return d
	}
	synced := func(after string) {
		t.Helper()
		d := read("sync after " + after)
		var cv protocol.CommValue
		switch v := d.Data[protocol.MIMECommValue].(type) {
		case protocol.CommValue:
			cv = v
		case *protocol.CommValue:
			cv = *v
		}
		if cv.Address != protocol.GonbuiSyncAddress {
			t.Fatalf("after %s came %v, not a sync", after, d.Data)
		}
		if err := enc.Encode(&protocol.CommValue{Address: protocol.GonbuiSyncAckAddress, Value: cv.Value}); err != nil {
			t.Fatal(err)
		}
	}
	md := read("Markdown")
	if md.Data[protocol.MIMETextMarkdown] != "*hi*" || md.Data[protocol.MIMETextPlain] != "*hi*" {
		t.Errorf("Markdown arrived as %v", md.Data)
	}
	synced("Markdown")
	clear := read("clear")
	if clear.Data[MIMEClearOutput] != true {
		t.Errorf("Clear arrived as %v", clear.Data)
	}
	synced("clear")
}
