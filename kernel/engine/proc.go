package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/godl-dev/godl/kernel/engine/rewrite"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
	"github.com/janpfeifer/gonb/gonbui/protocol"
	"golang.org/x/sys/unix"
)

// proc is one running worker process; output.go moves its output to the
// current cell.
type proc struct {
	cmd     *exec.Cmd
	req     *json.Encoder
	reqW    *os.File
	stdin   *os.File
	replies chan wp.Reply
	dead    chan struct{} // closed when the worker exited
	exitErr error
	fifoDir string

	order    *order
	eof      sync.WaitGroup // the stdout and stderr readers
	messages chan struct{}  // closed when the message reader ended
	streams  [2]*os.File    // the read ends of stdout and stderr

	mu      sync.Mutex
	out     cellOutput
	errTail []byte // the end of stderr, to say why the worker died
	errHead []byte // its start since the cell began: the first words of a crash
	// crashSeen: stderr had a "panic: " or "fatal error: " line; dumping:
	// the goroutine dump after it is being dropped (the worker is dying).
	crashSeen, dumping bool
	// widgets is the comm side: guarded by mu.
	widgets procWidgets
}

// pipes are the ends of the worker's pipes: the kernel's, then the
// worker's (closed once it started).
type pipes struct {
	reqW, msgR, outR, errR, inW *os.File
	theirs                      []*os.File // stdin, stdout, stderr, fd 3, fd 4
}

func makePipes() (*pipes, error) {
	var ends [5][2]*os.File // stdin, stdout, stderr, requests, messages: read, write
	for i := range ends {
		r, w, err := os.Pipe()
		if err != nil {
			for _, e := range ends[:i] {
				e[0].Close()
				e[1].Close()
			}
			return nil, err
		}
		ends[i] = [2]*os.File{r, w}
	}
	return &pipes{
		inW: ends[0][1], outR: ends[1][0], errR: ends[2][0], reqW: ends[3][1], msgR: ends[4][0],
		theirs: []*os.File{ends[0][0], ends[1][1], ends[2][1], ends[3][0], ends[4][1]},
	}, nil
}

// closeTheirs closes the worker's ends, once it has them (or failed to
// start).
func (ps *pipes) closeTheirs() {
	for _, f := range ps.theirs {
		f.Close()
	}
}

func (ps *pipes) closeOurs() {
	for _, f := range []*os.File{ps.reqW, ps.msgR, ps.outR, ps.errR, ps.inW} {
		f.Close()
	}
}

// gonbuiPipes makes the named pipes that gonbui (and so display) in the
// worker writes to; the worker reads them itself.
func gonbuiPipes() (dir string, env []string, err error) {
	dir, err = os.MkdirTemp("", "godl-worker-")
	if err != nil {
		return "", nil, err
	}
	gonb, back := filepath.Join(dir, "gonb"), filepath.Join(dir, "gonb_back")
	for _, f := range []string{gonb, back} {
		if err := syscall.Mkfifo(f, 0o600); err != nil {
			os.RemoveAll(dir)
			return "", nil, fmt.Errorf("named pipe for rich output: %w", err)
		}
	}
	return dir, []string{protocol.GONB_PIPE_ENV + "=" + gonb, protocol.GONB_PIPE_BACK_ENV + "=" + back}, nil
}

func startProc(b *builder, sessDir string, memLimit uint64, env []string) (*proc, error) {
	// The worker runs from a private copy, so that another kernel sharing
	// the build module can rebuild worker.bin meanwhile ("text file busy").
	exe := filepath.Join(sessDir, "worker")
	if err := copyFile(b.worker, exe); err != nil {
		return nil, fmt.Errorf("copying the worker: %w", err)
	}
	fifoDir, gonbEnv, err := gonbuiPipes()
	if err != nil {
		return nil, err
	}
	ps, err := makePipes()
	if err != nil {
		os.RemoveAll(fifoDir)
		return nil, err
	}
	p := &proc{fifoDir: fifoDir, replies: make(chan wp.Reply, 4), dead: make(chan struct{}),
		messages: make(chan struct{}), order: newOrder()}
	p.cmd = exec.Command(exe)
	p.cmd.Env = append(append(append(os.Environ(), env...), gonbEnv...),
		wp.EnvMemLimit+"="+strconv.FormatUint(memLimit, 10))
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = ps.theirs[0], ps.theirs[1], ps.theirs[2]
	p.cmd.ExtraFiles = ps.theirs[3:] // fds 3 and 4
	// Its own process group: a Ctrl-C in the kernel's terminal is the
	// kernel's business; the worker dies with the kernel.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	err = p.cmd.Start()
	ps.closeTheirs()
	if err != nil {
		ps.closeOurs()
		os.RemoveAll(fifoDir)
		return nil, fmt.Errorf("starting the worker: %w", err)
	}
	p.reqW, p.req, p.stdin = ps.reqW, json.NewEncoder(ps.reqW), ps.inW
	p.streams = [2]*os.File{ps.outR, ps.errR}
	p.eof.Add(2)
	go p.readStream(stdoutStream, ps.outR)
	go p.readStream(stderrStream, ps.errR)
	go p.readMessages(ps.msgR)
	go p.reap()
	return p, nil
}

// reap waits for the worker's exit. What the cells started (in the
// worker's process group) dies with it: such a child may hold the worker's
// stdout open. The worker is waited for without reaping it first, so its
// pid (the group's id) cannot be reused before the group is killed.
func (p *proc) reap() {
	var info unix.Siginfo
	for unix.Waitid(unix.P_PID, p.cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil) == unix.EINTR {
	}
	p.signal(syscall.SIGKILL)
	p.exitErr = p.cmd.Wait()
	close(p.dead)
	os.RemoveAll(p.fifoDir)
}

// send writes a request; an error means nobody reads requests any more:
// the worker is gone.
func (p *proc) send(req wp.Request) error { return p.req.Encode(&req) }

func (p *proc) alive() bool {
	select {
	case <-p.dead:
		return false
	default:
		return true
	}
}

// kill kills the worker and every process its cells started.
func (p *proc) kill() {
	if p.alive() {
		p.signal(syscall.SIGKILL)
		<-p.dead
	}
}

// signal sends sig to the worker's process group (it leads its own).
func (p *proc) signal(sig syscall.Signal) {
	syscall.Kill(-p.cmd.Process.Pid, sig)
}

// eofWait bounds the wait for EOF on a dead worker's stdout and stderr: a
// process that left the worker's group (setsid) may still hold them.
const eofWait = 2 * time.Second

// waitEOF waits until a dead worker's output streams and messages have
// been read to the end, or for eofWait; then it closes them, so readers
// stop.
func (p *proc) waitEOF() {
	done := make(chan struct{})
	go func() {
		p.eof.Wait()
		<-p.messages
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(eofWait):
		p.streams[0].Close()
		p.streams[1].Close()
		<-done
	}
}

// stderrText is what the worker wrote to stderr during this cell (its
// start) and lately (its end).
func (p *proc) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errHead) < 4<<10 {
		return string(p.errHead)
	}
	return string(p.errHead) + "\n" + string(p.errTail)
}

// stderrKept is the start and the end of stderr, as kept.
func (p *proc) stderrKept() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return string(p.errHead) + string(p.errTail)
}

// deathReason says, as plainly as possible, why the worker exited.
func (p *proc) deathReason() string {
	tail := p.stderrKept()
	why := "it exited"
	var ee *exec.ExitError
	if errors.As(p.exitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			why = "it was killed by signal " + ws.Signal().String()
		} else {
			why = fmt.Sprintf("it exited with status %d", ee.ExitCode())
		}
	}
	if c := crashLine(tail); c != "" {
		why += ": " + c
	}
	return why
}

// crashLine picks the runtime's own words about a crash from the
// worker's stderr: the panic value of a goroutine, or the fatal error.
func crashLine(stderr string) string {
	var fatal, panicked string
	for _, l := range strings.Split(stderr, "\n") {
		switch {
		case panicked == "" && strings.HasPrefix(l, "panic: "):
			panicked = strings.TrimSuffix(strings.TrimPrefix(l, "panic: "), " [recovered]")
		case fatal == "" && strings.HasPrefix(l, "fatal error: "):
			fatal = strings.TrimPrefix(l, "fatal error: ")
		}
	}
	switch {
	case fatal == "out of memory" || strings.Contains(stderr, "runtime: out of memory"):
		return "out of memory (the worker's memory limit is set with GODL_MEMORY_LIMIT)"
	case fatal != "":
		return "fatal error: " + rewrite.Unmangle(fatal)
	case panicked != "":
		return "a goroutine panicked: " + rewrite.Unmangle(panicked) + " (a panic outside the cell's own goroutine cannot be recovered)"
	}
	return ""
}

// unreadBytes is the number of bytes waiting in a pipe.
func unreadBytes(f *os.File) int {
	n := 0
	if sc, err := f.SyscallConn(); err == nil {
		sc.Control(func(fd uintptr) {
			syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
		})
	}
	return n
}

func copyFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := to + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, to) // the old copy may still be running: replace, not overwrite
}
