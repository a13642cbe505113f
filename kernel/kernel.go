// Package kernel speaks the Jupyter messaging protocol (5.3) over ZeroMQ.
//
// The layers are kept apart: connection.go reads the connection file,
// sockets.go owns the five sockets, wire.go frames and signs messages,
// msgtypes.go holds the message types and the one dispatch table, the
// handle*.go files say what each request means, and history.go keeps the
// input history. Cells never run here: an Engine runs them (engine.go).
//
// Shell and control are served concurrently: execute requests run one at a
// time, in order, on the shell worker, while control (kernel_info,
// interrupt, shutdown) is answered at once, even while a cell runs.
package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Version is the implementation_version in kernel_info_reply. The godl
// command sets it to its own version.
var Version = "dev"

const (
	// shutdownGrace bounds how long shutdown waits for the engine to stop,
	// so that the kernel exits within a second even while a cell is busy.
	shutdownGrace = 600 * time.Millisecond
	// iopubFlush lets the PUB socket's queue drain before it closes.
	iopubFlush = 100 * time.Millisecond
	// shellQueueSize is how many shell requests may wait behind a cell.
	shellQueueSize = 1024
)

type kernel struct {
	eng     Engine
	ci      ConnectionInfo
	socks   *sockets
	session string // this kernel's session id, in every header it sends
	log     *log.Logger
	history *history

	execCtx    context.Context // handed to Engine.Execute; cancelled at shutdown
	execCancel context.CancelFunc

	shellQueue chan *request
	execCount  int // touched by the shell worker only

	stdin  stdinBroker
	echoes *echoLedger // Output widget state the front end owes (echoes.go)

	stop     chan struct{}
	stopOnce sync.Once
}

// request is one accepted shell or control message being served.
type request struct {
	*Message
	ch   channel
	from *endpoint
	k    *kernel

	mu      sync.Mutex
	replied bool
}

// Run serves the Jupyter protocol described by connectionFile until a
// shutdown_request (or SIGTERM) arrives, then stops the engine and returns.
func Run(connectionFile string, eng Engine) error {
	ci, err := ReadConnectionFile(connectionFile)
	if err != nil {
		return err
	}
	sg, err := newSigner(ci.SignatureScheme, []byte(ci.Key))
	if err != nil {
		return err
	}
	logger := log.New(os.Stderr, "godl kernel: ", log.LstdFlags)
	socks, err := bindSockets(context.Background(), ci, sg, logger)
	if err != nil {
		return err
	}
	k := &kernel{
		eng:        eng,
		ci:         ci,
		socks:      socks,
		session:    newID(),
		log:        logger,
		history:    openHistory(historyFile(), logger),
		shellQueue: make(chan *request, shellQueueSize),
		stop:       make(chan struct{}),
		echoes:     newEchoLedger(),
	}
	k.execCtx, k.execCancel = context.WithCancel(context.Background())

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	var readers sync.WaitGroup
	readers.Add(3)
	go func() { defer readers.Done(); k.readLoop(socks.shell, shellChannel) }()
	go func() { defer readers.Done(); k.readLoop(socks.control, controlChannel) }()
	go func() { defer readers.Done(); k.readStdin() }()
	go serveHeartbeat(socks.hb, k.stop)
	go k.shellWorker()
	go k.watchParent()

	k.publish(nil, MsgStatus, map[string]any{"execution_state": "starting"})
	for running := true; running; {
		select {
		case <-k.stop:
			running = false
		case sig := <-signals:
			if sig == os.Interrupt {
				k.interrupt()
			} else {
				k.log.Printf("%v: shutting down", sig)
				k.requestStop()
			}
		}
	}
	k.shutdown()
	// The readers end when their sockets close; do not let a stuck one
	// hold the exit.
	waited := make(chan struct{})
	go func() { readers.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(200 * time.Millisecond):
		k.log.Printf("a socket reader did not stop")
	}
	return nil
}

// requestStop makes Run shut the kernel down; it is safe to call twice.
func (k *kernel) requestStop() { k.stopOnce.Do(func() { close(k.stop) }) }

func (k *kernel) stopping() bool {
	select {
	case <-k.stop:
		return true
	default:
		return false
	}
}

// watchParent stops the kernel when the process that started it is gone,
// as ipykernel does: jupyter_client sets JPY_PARENT_PID, and when that
// parent dies the kernel is re-parented and nobody could shut it (and its
// worker) down any more. If the kernel was started through some other
// process (a wrapper script), only a re-parenting to init is noticed.
func (k *kernel) watchParent() {
	parent, err := strconv.Atoi(os.Getenv("JPY_PARENT_PID"))
	if err != nil || parent <= 0 {
		return
	}
	if os.Getppid() != parent {
		parent = 0
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-k.stop:
			return
		case <-t.C:
			ppid := os.Getppid()
			if (parent != 0 && ppid != parent) || (parent == 0 && ppid == 1) {
				k.log.Printf("the parent process is gone: shutting down")
				k.requestStop()
				return
			}
		}
	}
}

// shutdown stops the running cell and the engine, waiting at most
// shutdownGrace for them, then closes the sockets.
func (k *kernel) shutdown() {
	k.execCancel()
	k.stdin.cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		k.eng.Interrupt()
		if err := k.eng.Close(); err != nil {
			k.log.Printf("closing the engine: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(shutdownGrace):
		k.log.Printf("the engine did not stop within %v; exiting anyway", shutdownGrace)
	}
	time.Sleep(iopubFlush)
	k.socks.close()
}

// interrupt asks the running cell to stop and fails a pending input request.
func (k *kernel) interrupt() {
	k.eng.Interrupt()
	k.stdin.cancel()
}

// readLoop reads one ROUTER socket. Control requests are served right
// here; shell requests queue for the shell worker, except shutdown, which
// is served at once so that it cannot wait behind a running cell.
func (k *kernel) readLoop(e *endpoint, ch channel) {
	for {
		m, err := e.recv()
		if err != nil {
			if e.isClosed() || k.stopping() {
				return
			}
			if isDropped(err) {
				k.log.Print(err)
			} else {
				k.log.Printf("%s: %v", e.name, err)
				time.Sleep(10 * time.Millisecond)
			}
			continue
		}
		req := &request{Message: m, ch: ch, from: e, k: k}
		if m.Header.MsgType == MsgCommMsg {
			// Counted on arrival: the reply waiting for it holds the
			// shell worker.
			k.echoes.echo(commIDOf(m.Content))
		}
		if ch == controlChannel || m.Header.MsgType == MsgShutdownRequest {
			k.dispatch(req)
			continue
		}
		select {
		case k.shellQueue <- req:
		case <-k.stop:
			return
		}
	}
}

// shellWorker serves queued shell requests one at a time, in order.
func (k *kernel) shellWorker() {
	for {
		select {
		case req := <-k.shellQueue:
			k.dispatch(req)
		case <-k.stop:
			return
		}
	}
}

// dispatch serves one request: status busy, the handler from the routes
// table (which replies), status idle.
func (k *kernel) dispatch(req *request) {
	t := req.Header.MsgType
	r, known := routes[t]
	if known && r.on&req.ch == 0 {
		known = false
	}
	k.publishStatus(req, "busy")
	if known {
		k.serve(r, req)
	} else {
		k.log.Printf("ignoring message type %q on %s (not handled; no reply, as the spec allows)", t, req.ch)
	}
	k.publishStatus(req, "idle")
	if known && r.stops {
		k.requestStop()
	}
}

// serve runs a handler; a panic becomes an error reply, never a crash.
func (k *kernel) serve(r route, req *request) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		k.log.Printf("panic serving %s: %v\n%s", req.Header.MsgType, p, debug.Stack())
		if r.reply != "" && !req.hasReplied() {
			req.reply(errorContent(&CellError{
				EName:     "KernelError",
				EValue:    fmt.Sprint(p),
				Traceback: []string{fmt.Sprintf("godl kernel: internal error serving %s: %v", req.Header.MsgType, p)},
			}, nil))
		}
	}()
	r.handle(k, req)
}

// reply sends the reply to req on the socket it came from.
func (req *request) reply(content any) {
	req.replyWithMetadata(content, nil)
}

func (req *request) replyWithMetadata(content any, metadata map[string]any) {
	req.mu.Lock()
	req.replied = true
	req.mu.Unlock()
	t := routes[req.Header.MsgType].reply
	c, err := toJSON(content)
	if err != nil {
		req.k.log.Print(err)
		c, _ = toJSON(errorContent(&CellError{EName: "KernelError", EValue: err.Error()}, nil))
	}
	md, _ := toJSON(metadata)
	m := &Message{
		Identities: req.Identities,
		Header:     newHeader(t, req.k.session),
		Parent:     req.rawHeader,
		Metadata:   md,
		Content:    c,
	}
	if err := req.from.send(m); err != nil {
		req.k.log.Print(err)
	}
}

func (req *request) hasReplied() bool {
	req.mu.Lock()
	defer req.mu.Unlock()
	return req.replied
}

// publish sends an iopub message in the context of parent (nil: none).
// The topic is kernel.<session>.<msg_type>, as ipykernel spells it.
func (k *kernel) publish(parent *request, t MsgType, content any) {
	k.publishWith(parent, t, content, nil, nil)
}

// publishWith is publish with message metadata and binary buffers (comm
// messages carry both).
func (k *kernel) publishWith(parent *request, t MsgType, content any, metadata map[string]any, buffers [][]byte) {
	c, err := toJSON(content)
	if err != nil {
		k.log.Printf("not publishing %s: %v", t, err)
		return
	}
	md, err := toJSON(metadata)
	if err != nil {
		k.log.Printf("not publishing %s: metadata: %v", t, err)
		return
	}
	var ph json.RawMessage
	if parent != nil {
		ph = parent.rawHeader
		if capturable(t, content) {
			k.echoes.noteOutput(parent.Header.MsgID)
		}
	}
	m := &Message{
		Identities: [][]byte{[]byte("kernel." + k.session + "." + string(t))},
		Header:     newHeader(t, k.session),
		Parent:     ph,
		Metadata:   md,
		Content:    c,
		Buffers:    buffers,
	}
	if err := k.socks.iopub.send(m); err != nil {
		k.log.Print(err)
	}
}

// capturable says whether an iopub message goes into an Output widget
// that captures its parent, and so makes the front end echo the widget's
// state: outputs and immediate clears do.
func capturable(t MsgType, content any) bool {
	switch t {
	case MsgStream, MsgDisplayData, MsgExecuteResult, MsgError:
		return true
	case MsgClearOutput:
		c, _ := content.(map[string]any)
		return c["wait"] == false
	}
	return false
}

func (k *kernel) publishStatus(parent *request, state string) {
	k.publish(parent, MsgStatus, map[string]any{"execution_state": state})
}

// decodeContent unmarshals a request's content into v; a malformed content
// gets an error reply.
func (req *request) decodeContent(v any) bool {
	if err := json.Unmarshal(req.Content, v); err != nil {
		req.k.log.Printf("%s: bad content: %v", req.Header.MsgType, err)
		req.reply(errorContent(&CellError{
			EName:     "BadRequest",
			EValue:    err.Error(),
			Traceback: []string{fmt.Sprintf("malformed %s: %v", req.Header.MsgType, err)},
		}, nil))
		return false
	}
	return true
}

// errorContent is the content of an error reply (and, without extra, of an
// iopub error message). The traceback is never empty.
func errorContent(e *CellError, extra map[string]any) map[string]any {
	tb := e.Traceback
	if len(tb) == 0 {
		tb = []string{e.EName + ": " + e.EValue}
	}
	c := map[string]any{"status": "error", "ename": e.EName, "evalue": e.EValue, "traceback": tb}
	for key, v := range extra {
		c[key] = v
	}
	return c
}

var errStdinNotAllowed = errors.New("stdin not allowed: the front end did not allow input requests")
