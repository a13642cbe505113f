package kernel

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain doubles as a kernel process for the tests below: with
// GODL_TEST_KERNEL set to a connection file the test binary runs the kernel
// with the fake engine instead of the tests.
func TestMain(m *testing.M) {
	if cf := os.Getenv("GODL_TEST_KERNEL"); cf != "" {
		if err := Run(cf, newFakeEngine()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func writeConnectionFile(t *testing.T) string {
	t.Helper()
	p := freePorts(t, 5)
	ci := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: p[0], ControlPort: p[1],
		StdinPort: p[2], IOPubPort: p[3], HBPort: p[4], Key: "k", SignatureScheme: "hmac-sha256"}
	b, _ := json.Marshal(ci)
	cf := filepath.Join(t.TempDir(), "kernel.json")
	if err := os.WriteFile(cf, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return cf
}

// gone tells whether pid has exited (a zombie counts as exited).
func gone(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

// A kernel whose parent (the Jupyter server, per JPY_PARENT_PID) dies
// shuts itself down instead of living on as an orphan.
func TestKernelExitsWhenParentDies(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cf := writeConnectionFile(t)
	// sh starts the kernel in the background, prints its pid, waits for it
	// to come up and exits.
	cmd := exec.Command("sh", "-c", `JPY_PARENT_PID=$$ "$0" -test.run='^$' >/dev/null 2>&1 & echo $!; sleep 1`, exe)
	cmd.Env = append(os.Environ(), "GODL_TEST_KERNEL="+cf, "JUPYTER_DATA_DIR="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("pid %q", out)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	deadline := time.Now().Add(10 * time.Second)
	for !gone(pid) {
		if time.Now().After(deadline) {
			t.Fatal("the orphaned kernel is still running after 10s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// SIGTERM shuts the kernel down cleanly (exit status 0); SIGINT does not.
func TestSignals(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODL_TEST_KERNEL="+writeConnectionFile(t), "JUPYTER_DATA_DIR="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt) // interrupts the (idle) engine only
	select {
	case err := <-done:
		t.Fatalf("SIGINT ended the kernel: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM: %v", err)
		}
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatal("SIGTERM did not stop the kernel")
	}
}
