package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// This file is the test side of the wire: a Jupyter client made of real
// zmq4 sockets (DEALER for shell, control and stdin, SUB for iopub, REQ
// for heartbeat) talking to Run in the same process, and a fake engine.

const (
	replyTimeout = 5 * time.Second
	quietTimeout = 500 * time.Millisecond // "nothing arrives" checks
)

// fakeEngine runs a tiny command language instead of Go, so the protocol
// tests need no compiler:
//
//	print TEXT      TEXT on stdout     eprint TEXT   TEXT on stderr
//	value TEXT      execute_result     fail TEXT     a cell error
//	sleep SECONDS   waits, stopped by Interrupt or ctx
//	input PROMPT    asks for a line and prints it
//	display HTML    display_data       clear         clear_output
//	page TEXT       a pager payload    panic         the engine panics
//	capture COMM    Output widget COMM captures this request's outputs
//	release COMM    it stops capturing
type fakeEngine struct {
	mu         sync.Mutex
	comms      map[string]string // open comms: id → target
	interrupts int
	closes     int
	executed   []ExecuteRequest
	cursors    []int // byte offsets passed to Complete and Inspect
	interrupt  chan struct{}
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{interrupt: make(chan struct{}, 1), comms: map[string]string{}}
}

// Comm serves one comm target, "echo": a comm_msg is printed and sent
// back with its metadata and buffers; data {"fail": ...} shows an error
// output as well. Other targets are refused with comm_close.
func (f *fakeEngine) Comm(ctx context.Context, m CommMessage, msgID string, out Output) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch m.Type {
	case MsgCommOpen:
		if m.Target != "echo" {
			out.Comm(CommMessage{Type: MsgCommClose, CommID: m.CommID})
			return
		}
		f.comms[m.CommID] = m.Target
	case MsgCommMsg:
		if f.comms[m.CommID] == "" {
			return
		}
		out.Stream("stdout", fmt.Sprintf("got %v in %s\n", m.Data, msgID))
		if v, ok := m.Data["fail"]; ok {
			out.Error(&CellError{EName: "CallbackError", EValue: fmt.Sprint(v), Traceback: []string{"CallbackError"}})
		}
		out.Comm(CommMessage{Type: MsgCommMsg, CommID: m.CommID, Data: m.Data, Metadata: m.Metadata, Buffers: m.Buffers})
	case MsgCommClose:
		delete(f.comms, m.CommID)
	}
}

func (f *fakeEngine) CommInfo(target string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]string{}
	for id, t := range f.comms {
		if target == "" || t == target {
			m[id] = t
		}
	}
	return m
}

func (f *fakeEngine) Execute(ctx context.Context, req ExecuteRequest, out Output) ExecuteResult {
	f.mu.Lock()
	f.executed = append(f.executed, req)
	f.mu.Unlock()
	var res ExecuteResult
	for _, line := range strings.Split(req.Code, "\n") {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch cmd {
		case "print":
			out.Stream("stdout", arg+"\n")
		case "eprint":
			out.Stream("stderr", arg+"\n")
		case "value":
			res.Value = &DisplayData{Data: MIMEBundle{"text/plain": arg}}
		case "display":
			out.Display(DisplayData{Data: MIMEBundle{"text/html": arg, "text/plain": arg}})
		case "clear":
			out.ClearOutput(false)
		case "capture", "release":
			id := req.MsgID
			if cmd == "release" {
				id = ""
			}
			out.Comm(CommMessage{Type: MsgCommMsg, CommID: arg, Data: map[string]any{"method": "update", "state": map[string]any{"msg_id": id}}})
		case "page":
			res.Payload = append(res.Payload, map[string]any{"source": "page", "data": map[string]any{"text/plain": arg}, "start": 0})
		case "fail":
			return ExecuteResult{Error: &CellError{EName: "Fail", EValue: arg}}
		case "panic":
			panic("fake engine panic")
		case "input":
			v, err := out.Input(arg, false)
			if err != nil {
				return ExecuteResult{Error: &CellError{EName: "InputError", EValue: err.Error(), Traceback: []string{err.Error()}}}
			}
			out.Stream("stdout", "got "+v+"\n")
		case "sleep":
			var secs float64
			fmt.Sscan(arg, &secs)
			select {
			case <-time.After(time.Duration(secs * float64(time.Second))):
			case <-f.interrupt:
				return ExecuteResult{Error: &CellError{EName: "Interrupted", EValue: "interrupted", Traceback: []string{"interrupted"}}}
			case <-ctx.Done():
				return ExecuteResult{Error: &CellError{EName: "Cancelled", EValue: ctx.Err().Error()}}
			}
		}
	}
	return res
}

// Complete completes the identifier before the cursor from a fixed list.
func (f *fakeEngine) Complete(code string, cursor int) Completion {
	f.mu.Lock()
	f.cursors = append(f.cursors, cursor)
	f.mu.Unlock()
	start := cursor
	for start > 0 && (isIdentByte(code[start-1]) || code[start-1] == '.') {
		start--
	}
	prefix := code[start:cursor]
	var m []string
	for _, c := range []string{"fmt.Println", "fmt.Printf", "fmt.Sprint", "strings.Cut"} {
		if strings.HasPrefix(c, prefix) {
			m = append(m, c)
		}
	}
	return Completion{Matches: m, Start: start, End: cursor}
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func (f *fakeEngine) Inspect(code string, cursor, detail int) Inspection {
	f.mu.Lock()
	f.cursors = append(f.cursors, cursor)
	f.mu.Unlock()
	if strings.Contains(code, "fmt") {
		return Inspection{Found: true, Data: MIMEBundle{"text/plain": "package fmt"}}
	}
	return Inspection{}
}

func (f *fakeEngine) Interrupt() {
	f.mu.Lock()
	f.interrupts++
	f.mu.Unlock()
	select {
	case f.interrupt <- struct{}{}:
	default:
	}
}

func (f *fakeEngine) Close() error {
	f.mu.Lock()
	f.closes++
	f.mu.Unlock()
	return nil
}

func (f *fakeEngine) counts() (interrupts, closes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.interrupts, f.closes
}

func (f *fakeEngine) lastCursor() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cursors[len(f.cursors)-1]
}

// freePorts finds n free TCP ports on the loopback address.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// testKernel is a running kernel and a client connected to it.
type testKernel struct {
	t       *testing.T
	eng     *fakeEngine
	ci      ConnectionInfo
	signer  signer
	session string
	done    chan error // Run's result

	shell, control, stdin, iopub, hb zmq4.Socket
	shellIn, controlIn, stdinIn      chan *Message
	iopubIn                          chan *Message
}

// startKernel runs Run with a fake engine and connects a client. The
// history goes to a fresh JUPYTER_DATA_DIR unless dataDir is given.
func startKernel(t *testing.T, dataDir string) *testKernel {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	t.Setenv("JUPYTER_DATA_DIR", dataDir)
	p := freePorts(t, 5)
	ci := ConnectionInfo{
		Transport: "tcp", IP: "127.0.0.1",
		ShellPort: p[0], ControlPort: p[1], StdinPort: p[2], IOPubPort: p[3], HBPort: p[4],
		Key: newID(), SignatureScheme: "hmac-sha256", KernelName: "godl",
	}
	b, _ := json.Marshal(ci)
	cf := filepath.Join(t.TempDir(), "kernel-test.json")
	if err := os.WriteFile(cf, b, 0o600); err != nil {
		t.Fatal(err)
	}
	sg, _ := newSigner(ci.SignatureScheme, []byte(ci.Key))
	tk := &testKernel{t: t, eng: newFakeEngine(), ci: ci, signer: sg, session: newID(), done: make(chan error, 1)}
	go func() { tk.done <- Run(cf, tk.eng) }()

	ctx := context.Background()
	id := zmq4.WithID(zmq4.SocketIdentity(tk.session))
	tk.shell = zmq4.NewDealer(ctx, id)
	tk.control = zmq4.NewDealer(ctx, id)
	tk.stdin = zmq4.NewDealer(ctx, id)
	tk.iopub = zmq4.NewSub(ctx)
	tk.hb = zmq4.NewReq(ctx)
	for _, c := range []struct {
		s    zmq4.Socket
		port int
	}{{tk.shell, ci.ShellPort}, {tk.control, ci.ControlPort}, {tk.stdin, ci.StdinPort}, {tk.iopub, ci.IOPubPort}, {tk.hb, ci.HBPort}} {
		if err := c.s.Dial(ci.endpoint(c.port)); err != nil {
			t.Fatalf("dial %d: %v", c.port, err)
		}
	}
	if err := tk.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	tk.shellIn = tk.pump(tk.shell)
	tk.controlIn = tk.pump(tk.control)
	tk.stdinIn = tk.pump(tk.stdin)
	tk.iopubIn = tk.pump(tk.iopub)
	t.Cleanup(tk.close)
	tk.waitReady()
	return tk
}

// pump decodes what a socket receives into a channel.
func (tk *testKernel) pump(s zmq4.Socket) chan *Message {
	ch := make(chan *Message, 256)
	go func() {
		for {
			zm, err := s.Recv()
			if err != nil {
				return
			}
			m, err := tk.signer.decode(zm.Frames)
			if err != nil {
				tk.t.Errorf("client: the kernel sent an undecodable message: %v", err)
				continue
			}
			for _, part := range []json.RawMessage{m.Parent, m.Metadata, m.Content} {
				var obj map[string]any
				if json.Unmarshal(part, &obj) != nil || obj == nil {
					tk.t.Errorf("client: %s has %s where a JSON object belongs", m.Header.MsgType, part)
				}
			}
			ch <- m
		}
	}()
	return ch
}

// waitReady does what jupyter_client does: kernel_info until a reply
// comes and iopub delivers, then drains iopub.
func (tk *testKernel) waitReady() {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		id := tk.send(tk.shell, MsgKernelInfoRequest, nil)
		if r := tk.tryRecv(tk.shellIn, time.Second); r != nil && parentID(r) == id {
			if tk.tryRecv(tk.iopubIn, 300*time.Millisecond) != nil {
				tk.drainIOPub()
				return
			}
		}
	}
	tk.t.Fatal("kernel not ready after 10s")
}

func (tk *testKernel) drainIOPub() {
	for tk.tryRecv(tk.iopubIn, 200*time.Millisecond) != nil {
	}
}

func (tk *testKernel) close() {
	select {
	case <-tk.done:
	default:
		// Stop a kernel the test left running.
		tk.send(tk.control, MsgShutdownRequest, map[string]any{"restart": false})
		select {
		case <-tk.done:
		case <-time.After(5 * time.Second):
			tk.t.Error("the kernel did not stop at cleanup")
		}
	}
	for _, s := range []zmq4.Socket{tk.shell, tk.control, tk.stdin, tk.iopub, tk.hb} {
		s.Close()
	}
}

// send signs and sends a request, returning its msg_id.
func (tk *testKernel) send(s zmq4.Socket, t MsgType, content any) string {
	tk.t.Helper()
	return tk.sendWith(s, t, content, nil, nil)
}

// sendWith is send with message metadata and binary buffers.
func (tk *testKernel) sendWith(s zmq4.Socket, t MsgType, content any, metadata map[string]any, buffers [][]byte) string {
	tk.t.Helper()
	h := newHeader(t, tk.session)
	h.Username = "test"
	c, err := toJSON(content)
	if err != nil {
		tk.t.Fatal(err)
	}
	md, _ := toJSON(metadata)
	m := &Message{Header: h, Content: c, Metadata: md, Buffers: buffers}
	if err := s.SendMulti(zmq4.NewMsgFrom(tk.signer.encode(m)...)); err != nil {
		tk.t.Fatalf("send %s: %v", t, err)
	}
	return h.MsgID
}

func (tk *testKernel) tryRecv(ch chan *Message, d time.Duration) *Message {
	select {
	case m := <-ch:
		return m
	case <-time.After(d):
		return nil
	}
}

func (tk *testKernel) recv(ch chan *Message, what string) *Message {
	tk.t.Helper()
	m := tk.tryRecv(ch, replyTimeout)
	if m == nil {
		tk.t.Fatalf("no %s within %v", what, replyTimeout)
	}
	return m
}

// reply waits for the reply to msgID on ch, checking its type.
func (tk *testKernel) reply(ch chan *Message, msgID string, want MsgType) map[string]any {
	tk.t.Helper()
	m := tk.recv(ch, string(want))
	if m.Header.MsgType != want || parentID(m) != msgID {
		tk.t.Fatalf("got %s (parent %s), want %s to %s", m.Header.MsgType, parentID(m), want, msgID)
	}
	if m.Header.Version != ProtocolVersion {
		tk.t.Errorf("header version %q", m.Header.Version)
	}
	return content(m)
}

// iopubUntilIdle collects the iopub messages of request msgID, from busy
// to idle, failing on messages of other parents.
func (tk *testKernel) iopubUntilIdle(msgID string) []*Message {
	tk.t.Helper()
	var got []*Message
	for {
		m := tk.recv(tk.iopubIn, "iopub message")
		if parentID(m) != msgID {
			tk.t.Fatalf("iopub %s with parent %q, want %q", m.Header.MsgType, parentID(m), msgID)
		}
		got = append(got, m)
		if m.Header.MsgType == MsgStatus && content(m)["execution_state"] == "idle" {
			return got
		}
	}
}

func parentID(m *Message) string {
	var p struct {
		MsgID string `json:"msg_id"`
	}
	json.Unmarshal(m.Parent, &p)
	return p.MsgID
}

func content(m *Message) map[string]any {
	var c map[string]any
	json.Unmarshal(m.Content, &c)
	return c
}

// types lists message types, with the execution state for status.
func types(ms []*Message) []string {
	var s []string
	for _, m := range ms {
		t := string(m.Header.MsgType)
		if m.Header.MsgType == MsgStatus {
			t += ":" + content(m)["execution_state"].(string)
		}
		s = append(s, t)
	}
	return s
}

func (tk *testKernel) execute(code string, extra map[string]any) (string, map[string]any, []*Message) {
	tk.t.Helper()
	c := map[string]any{"code": code, "silent": false, "store_history": true, "user_expressions": map[string]any{},
		"allow_stdin": false, "stop_on_error": true}
	for k, v := range extra {
		c[k] = v
	}
	id := tk.send(tk.shell, MsgExecuteRequest, c)
	r := tk.reply(tk.shellIn, id, MsgExecuteReply)
	return id, r, tk.iopubUntilIdle(id)
}

// waitRun waits for Run to return.
func (tk *testKernel) waitRun(d time.Duration) error {
	tk.t.Helper()
	select {
	case err := <-tk.done:
		tk.done <- err // keep it for close
		return err
	case <-time.After(d):
		tk.t.Fatalf("Run did not return within %v", d)
		return nil
	}
}
