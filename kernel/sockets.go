package kernel

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// sendTimeout bounds a send on a ROUTER socket: a front end that went away
// must not wedge the kernel.
const sendTimeout = 10 * time.Second

// sockets are the five ZeroMQ sockets of one kernel.
type sockets struct {
	shell, control, stdin *endpoint // ROUTER
	iopub                 *endpoint // PUB
	hb                    zmq4.Socket
}

// endpoint is one socket with the signer and a lock for its writers.
type endpoint struct {
	name   string
	sck    zmq4.Socket
	signer signer

	mu     sync.Mutex
	closed bool
}

func bindSockets(ctx context.Context, ci ConnectionInfo, s signer, logger *log.Logger) (*sockets, error) {
	opts := []zmq4.Option{zmq4.WithTimeout(sendTimeout), zmq4.WithLogger(logger)}
	ss := &sockets{
		shell:   &endpoint{name: "shell", sck: zmq4.NewRouter(ctx, opts...), signer: s},
		control: &endpoint{name: "control", sck: zmq4.NewRouter(ctx, opts...), signer: s},
		stdin:   &endpoint{name: "stdin", sck: zmq4.NewRouter(ctx, opts...), signer: s},
		iopub:   &endpoint{name: "iopub", sck: zmq4.NewPub(ctx, opts...), signer: s},
		hb:      zmq4.NewRep(ctx, opts...),
	}
	binds := []struct {
		name string
		sck  zmq4.Socket
		port int
	}{
		{"shell", ss.shell.sck, ci.ShellPort},
		{"control", ss.control.sck, ci.ControlPort},
		{"stdin", ss.stdin.sck, ci.StdinPort},
		{"iopub", ss.iopub.sck, ci.IOPubPort},
		{"heartbeat", ss.hb, ci.HBPort},
	}
	for _, b := range binds {
		if err := b.sck.Listen(ci.endpoint(b.port)); err != nil {
			ss.close()
			return nil, fmt.Errorf("kernel: %s socket: %w", b.name, err)
		}
	}
	return ss, nil
}

func (ss *sockets) close() {
	for _, e := range []*endpoint{ss.shell, ss.control, ss.stdin, ss.iopub} {
		e.close()
	}
	ss.hb.Close()
}

// send signs m and writes it. Sends after close are dropped silently: the
// kernel is going away and nobody listens.
func (e *endpoint) send(m *Message) error {
	frames := e.signer.encode(m)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	if err := e.sck.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("kernel: send %s on %s: %w", m.Header.MsgType, e.name, err)
	}
	return nil
}

// recv reads the next message. Messages that fail to decode or
// authenticate are returned as errors with errDropped, never as messages.
func (e *endpoint) recv() (*Message, error) {
	zm, err := e.sck.Recv()
	if err != nil {
		return nil, err
	}
	m, err := e.signer.decode(zm.Frames)
	if err != nil {
		return nil, &droppedError{socket: e.name, err: err}
	}
	return m, nil
}

func (e *endpoint) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed {
		e.closed = true
		e.sck.Close()
	}
}

func (e *endpoint) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// droppedError is a message that was read but not accepted.
type droppedError struct {
	socket string
	err    error
}

func (d *droppedError) Error() string {
	return fmt.Sprintf("dropped a message on %s: %v", d.socket, d.err)
}

func (d *droppedError) Unwrap() error { return d.err }

func isDropped(err error) bool {
	var d *droppedError
	return errors.As(err, &d)
}

// serveHeartbeat echoes every ping until the socket closes.
func serveHeartbeat(hb zmq4.Socket, done <-chan struct{}) {
	for {
		msg, err := hb.Recv()
		select {
		case <-done:
			return
		default:
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue // a malformed REQ envelope; keep serving
		}
		if len(msg.Frames) > 1 {
			_ = hb.SendMulti(msg)
		} else {
			_ = hb.Send(msg)
		}
	}
}
