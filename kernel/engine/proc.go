package engine

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
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
	"unicode/utf8"
	"unsafe"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rt"
	"github.com/godl-dev/godl/kernel/engine/worker"
	"github.com/janpfeifer/gonb/gonbui/protocol"
	"golang.org/x/sys/unix"
)

// mimeClearOutput is display's clear_output message (a one-key bundle).
const mimeClearOutput = "application/vnd.godl.clear-output+json"

// proc is one running worker process and the goroutines that move its
// output to the current cell.
type proc struct {
	cmd     *exec.Cmd
	req     *json.Encoder
	reqW    *os.File
	stdin   *os.File
	replies chan worker.Reply
	dead    chan struct{}
	exitErr error
	fifoDir string
	gonbR   *os.File
	gonbW   *os.File
	back    *gob.Encoder
	markers chan marker
	eof     sync.WaitGroup
	streams [2]*os.File   // the read ends of stdout and stderr
	reading [2]sync.Mutex // held while a stream's chunk is on its way out

	mu      sync.Mutex
	out     kernel.Output
	pending []func(kernel.Output) // output that arrived between cells
	ids     map[string]bool       // display ids already shown
	errTail []byte                // the end of stderr, to say why the worker died
	errHead []byte                // its start since the cell began: the first words of a crash
	// crashSeen: stderr had a "panic: " or "fatal error: " line; dumping:
	// the goroutine dump after it is being dropped (the worker is dying).
	crashSeen, dumping bool
}

type marker struct {
	stream string
	id     int
}

func startProc(b *builder, sessDir string, memLimit uint64, env []string) (*proc, error) {
	// The worker runs from a private copy, so that another kernel sharing
	// the build module can rebuild worker.bin meanwhile ("text file busy").
	exe := filepath.Join(sessDir, "worker")
	if err := copyFile(b.worker, exe); err != nil {
		return nil, fmt.Errorf("copying the worker: %w", err)
	}
	dir, err := os.MkdirTemp("", "godl-worker-")
	if err != nil {
		return nil, err
	}
	p := &proc{fifoDir: dir, replies: make(chan worker.Reply, 1), dead: make(chan struct{}),
		markers: make(chan marker, 16), ids: map[string]bool{}}
	gonb, back := filepath.Join(dir, "gonb"), filepath.Join(dir, "gonb_back")
	for _, f := range []string{gonb, back} {
		if err := syscall.Mkfifo(f, 0o600); err != nil {
			return nil, fmt.Errorf("named pipe for rich output: %w", err)
		}
	}
	// O_RDWR opens a FIFO without waiting for the other side.
	if p.gonbR, err = os.OpenFile(gonb, os.O_RDWR, 0); err != nil {
		return nil, err
	}
	if p.gonbW, err = os.OpenFile(back, os.O_RDWR, 0); err != nil {
		return nil, err
	}
	p.back = gob.NewEncoder(p.gonbW)
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	inR, inW, _ := os.Pipe()
	p.cmd = exec.Command(exe)
	p.cmd.Env = append(append(os.Environ(), env...),
		protocol.GONB_PIPE_ENV+"="+gonb, protocol.GONB_PIPE_BACK_ENV+"="+back,
		worker.EnvMemLimit+"="+strconv.FormatUint(memLimit, 10))
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = inR, outW, errW
	p.cmd.ExtraFiles = []*os.File{reqR, repW}
	// Its own process group: a Ctrl-C in the kernel's terminal is the
	// kernel's business; the worker dies with the kernel.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	err = p.cmd.Start()
	for _, f := range []*os.File{reqR, repW, outW, errW, inR} {
		f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("starting the worker: %w", err)
	}
	p.reqW, p.req, p.stdin = reqW, json.NewEncoder(reqW), inW
	p.eof.Add(2)
	p.streams = [2]*os.File{outR, errR}
	go p.readStream("stdout", outR, &p.reading[0])
	go p.readStream("stderr", errR, &p.reading[1])
	go p.readGonb()
	go func() {
		dec := json.NewDecoder(repR)
		for {
			var r worker.Reply
			if dec.Decode(&r) != nil {
				return
			}
			p.replies <- r
		}
	}()
	go func() {
		// What the cells started (in the worker's process group) dies
		// with it: such a child may hold the worker's stdout open. The
		// worker is waited for without reaping it first, so its pid
		// (the group's id) cannot be reused before the group is killed.
		var info unix.Siginfo
		for unix.Waitid(unix.P_PID, p.cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil) == unix.EINTR {
		}
		p.signal(syscall.SIGKILL)
		p.exitErr = p.cmd.Wait()
		close(p.dead)
		p.gonbR.Close()
		p.gonbW.Close()
		os.RemoveAll(p.fifoDir)
	}()
	return p, nil
}

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

// waitEOF waits until a dead worker's output streams have been read to
// the end, or for eofWait; then it closes them, so readers stop.
func (p *proc) waitEOF() {
	done := make(chan struct{})
	go func() {
		p.eof.Wait()
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

// deathReason says, as plainly as possible, why the worker exited.
func (p *proc) deathReason() string {
	p.mu.Lock()
	tail := string(p.errHead) + string(p.errTail)
	p.mu.Unlock()
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

// trimCrashDump keeps the first lines of the runtime's dump of a dying
// worker ("panic: ..." or "fatal error: ...") and drops the goroutine
// stacks after them: the cell's error shows the frames in cell terms.
func (p *proc) trimCrashDump(text string) string {
	if p.dumping {
		return ""
	}
	i := strings.Index(text, "\ngoroutine ")
	if i < 0 || os.Getenv("GODL_DEBUG") != "" {
		return text
	}
	head := text[:i+1]
	if !strings.Contains(head, "panic: ") && !strings.Contains(head, "fatal error: ") && !p.crashSeen {
		return text
	}
	p.dumping = true
	return head
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
		return "fatal error: " + unmangle(fatal)
	case panicked != "":
		return "a goroutine panicked: " + unmangle(panicked) + " (a panic outside the cell's own goroutine cannot be recovered)"
	}
	return ""
}

// emit sends output to the running cell, or keeps it for the next one.
func (p *proc) emit(f func(kernel.Output)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.out != nil {
		f(p.out)
	} else {
		p.pending = append(p.pending, f)
	}
}

func (p *proc) attach(out kernel.Output) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out, p.ids = out, map[string]bool{}
	if out != nil {
		p.errHead, p.crashSeen, p.dumping = nil, false, false
	}
	if out != nil {
		for _, f := range p.pending {
			f(out)
		}
		p.pending = nil
	}
}

var markerStart = []byte("\x00\x1egodl-end-")

// readStream forwards a worker stream as it arrives, holding back only an
// incomplete UTF-8 sequence or a possible start of an end marker.
func (p *proc) readStream(name string, r *os.File, reading *sync.Mutex) {
	defer p.eof.Done()
	buf := make([]byte, 32<<10)
	var data []byte
	send := func(b []byte) {
		if len(b) == 0 {
			return
		}
		text := unmangle(string(b))
		if name == "stderr" {
			if strings.Contains(text, "panic: ") || strings.Contains(text, "fatal error: ") {
				p.crashSeen = true
			}
			text = p.trimCrashDump(text)
			p.mu.Lock()
			p.errTail = append(p.errTail, b...)
			if len(p.errHead) < 4<<10 {
				p.errHead = append(p.errHead, b[:min(len(b), 4<<10)]...)
			}
			if len(p.errTail) > 8<<10 {
				p.errTail = p.errTail[len(p.errTail)-8<<10:]
			}
			p.mu.Unlock()
		}
		if text != "" {
			p.emit(func(o kernel.Output) { o.Stream(name, text) })
		}
	}
	for {
		n, err := r.Read(buf)
		reading.Lock()
		data = append(data, buf[:n]...)
		for {
			i := bytes.Index(data, markerStart)
			if i < 0 {
				break
			}
			j := bytes.Index(data[i+len(markerStart):], []byte("\x1e\x00"))
			if j < 0 {
				break
			}
			send(data[:i])
			id, _ := strconv.Atoi(string(data[i+len(markerStart) : i+len(markerStart)+j]))
			data = data[i+len(markerStart)+j+2:]
			p.markers <- marker{name, id}
		}
		hold := len(data)
		if i := bytes.LastIndexByte(data, 0); i >= 0 && len(data)-i < len(markerStart)+24 {
			hold = i
		} else {
			for k := 1; k <= 3 && k <= len(data); k++ {
				if utf8.RuneStart(data[len(data)-k]) {
					if !utf8.FullRune(data[len(data)-k:]) {
						hold = len(data) - k
					}
					break
				}
			}
		}
		if err != nil {
			send(data)
			reading.Unlock()
			return
		}
		send(data[:hold])
		data = append([]byte(nil), data[hold:]...)
		reading.Unlock()
	}
}

// drainStreams waits (briefly) until what the worker printed so far has
// gone out, so a display shows after the text printed before it.
func (p *proc) drainStreams() {
	deadline := time.Now().Add(100 * time.Millisecond)
	for time.Now().Before(deadline) && (unread(p.streams[0]) > 0 || unread(p.streams[1]) > 0) {
		time.Sleep(time.Millisecond)
	}
	for i := range p.reading {
		p.reading[i].Lock()
		p.reading[i].Unlock()
	}
}

// unread is the number of bytes waiting in a pipe.
func unread(f *os.File) int {
	n := 0
	if sc, err := f.SyscallConn(); err == nil {
		sc.Control(func(fd uintptr) {
			syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
		})
	}
	return n
}

// readGonb turns gonbui messages into displays, answers Sync and input
// requests.
func (p *proc) readGonb() {
	dec := gob.NewDecoder(p.gonbR)
	for {
		var d protocol.DisplayData
		if err := dec.Decode(&d); err != nil {
			return
		}
		if v, ok := d.Data[protocol.MIMEJupyterInput]; ok {
			var req protocol.InputRequest
			switch v := v.(type) {
			case protocol.InputRequest:
				req = v
			case *protocol.InputRequest:
				req = *v
			}
			p.answerInput(req)
			continue
		}
		if v, ok := d.Data[protocol.MIMECommValue]; ok {
			var cv protocol.CommValue
			switch v := v.(type) {
			case protocol.CommValue:
				cv = v
			case *protocol.CommValue:
				cv = *v
			}
			if cv.Address == protocol.GonbuiSyncAddress {
				p.back.Encode(&protocol.CommValue{Address: protocol.GonbuiSyncAckAddress, Value: cv.Value})
			}
			continue // widgets are not supported
		}
		if _, ok := d.Data[protocol.MIMECommSubscribe]; ok {
			continue
		}
		if v, ok := d.Data[mimeClearOutput]; ok && len(d.Data) == 1 {
			p.drainStreams()
			wait, _ := v.(bool)
			p.emit(func(o kernel.Output) { o.ClearOutput(wait) })
			continue
		}
		bundle := kernel.MIMEBundle{}
		for k, v := range d.Data {
			if b, ok := v.([]byte); ok {
				v = base64.StdEncoding.EncodeToString(b)
			}
			if t, ok := v.(string); ok && k == protocol.MIMETextPlain {
				v = unmangle(t)
			}
			bundle[string(k)] = v
		}
		dd := kernel.DisplayData{Data: bundle, Metadata: d.Metadata, DisplayID: d.DisplayID}
		p.drainStreams()
		p.emit(func(o kernel.Output) {
			if dd.DisplayID != "" {
				dd.Update = p.ids[dd.DisplayID]
				p.ids[dd.DisplayID] = true
			}
			o.Display(dd)
		})
	}
}

// answerInput asks the front end for a line and writes it to the worker's
// stdin, where the cell's reader waits.
func (p *proc) answerInput(req protocol.InputRequest) {
	p.mu.Lock()
	out := p.out
	p.mu.Unlock()
	line, err := "", errors.New("no cell is running")
	if out != nil {
		line, err = out.Input(req.Prompt, req.Password)
	}
	if err != nil {
		line = rt.NoInputPrefix + err.Error()
	}
	io.WriteString(p.stdin, line+"\n")
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
