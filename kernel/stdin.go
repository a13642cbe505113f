package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
)

var errInputInterrupted = errors.New("input interrupted")

// stdinBroker hands input_reply messages to the one cell waiting for input.
type stdinBroker struct {
	mu     sync.Mutex
	waiter *inputWaiter
}

type inputWaiter struct {
	parentID string // msg_id of the input_request
	reply    chan string
	cancel   chan struct{}
	once     sync.Once
}

func (w *inputWaiter) stop() { w.once.Do(func() { close(w.cancel) }) }

func (b *stdinBroker) register(parentID string) *inputWaiter {
	w := &inputWaiter{parentID: parentID, reply: make(chan string, 1), cancel: make(chan struct{})}
	b.mu.Lock()
	if b.waiter != nil {
		b.waiter.stop()
	}
	b.waiter = w
	b.mu.Unlock()
	return w
}

func (b *stdinBroker) unregister(w *inputWaiter) {
	b.mu.Lock()
	if b.waiter == w {
		b.waiter = nil
	}
	b.mu.Unlock()
}

// deliver passes a reply to the waiter whose request it answers. A reply
// without a parent msg_id goes to whoever waits.
func (b *stdinBroker) deliver(parentID, value string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.waiter
	if w == nil || (parentID != "" && parentID != w.parentID) {
		return false
	}
	select {
	case w.reply <- value:
		return true
	default:
		return false
	}
}

// cancel fails the pending input request, if any (interrupt, shutdown).
func (b *stdinBroker) cancel() {
	b.mu.Lock()
	if b.waiter != nil {
		b.waiter.stop()
	}
	b.mu.Unlock()
}

// readStdin reads input_reply messages until the socket closes.
func (k *kernel) readStdin() {
	e := k.socks.stdin
	for {
		m, err := e.recv()
		if err != nil {
			if e.isClosed() || k.stopping() {
				return
			}
			k.log.Printf("stdin: %v", err)
			continue
		}
		if m.Header.MsgType != MsgInputReply {
			k.log.Printf("ignoring message type %q on stdin", m.Header.MsgType)
			continue
		}
		var c struct {
			Value string `json:"value"`
		}
		var parent struct {
			MsgID string `json:"msg_id"`
		}
		if json.Unmarshal(m.Content, &c) != nil {
			k.log.Printf("stdin: malformed input_reply")
			continue
		}
		_ = json.Unmarshal(m.Parent, &parent)
		if !k.stdin.deliver(parent.MsgID, c.Value) {
			k.log.Printf("stdin: an input_reply nobody waits for")
		}
	}
}

// input sends an input_request for the cell of req and waits for the reply.
func (k *kernel) input(ctx context.Context, req *request, prompt string, password bool) (string, error) {
	h := newHeader(MsgInputRequest, k.session)
	w := k.stdin.register(h.MsgID)
	defer k.stdin.unregister(w)
	c, _ := toJSON(map[string]any{"prompt": prompt, "password": password})
	m := &Message{
		// The front end's stdin socket has the same identity as its shell
		// socket, so the execute request's identities route the request.
		Identities: req.Identities,
		Header:     h,
		Parent:     req.rawHeader,
		Content:    c,
	}
	if err := k.socks.stdin.send(m); err != nil {
		return "", err
	}
	select {
	case v := <-w.reply:
		return v, nil
	case <-w.cancel:
		return "", errInputInterrupted
	case <-ctx.Done():
		return "", errInputInterrupted
	}
}
