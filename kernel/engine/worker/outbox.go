package worker

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// outbox sends the worker's messages in order. Each message follows a sync
// marker on stdout and stderr, written through the kernel's pipes (the
// saved copies: a cell may have closed or replaced fds 1 and 2), so the
// engine puts it after exactly the text printed before it.
type outbox struct {
	mu   sync.Mutex
	std  *stdio
	enc  *json.Encoder
	sync uint64
	err  error // the first write error: the engine is gone
}

func newOutbox(std *stdio, w *os.File) *outbox {
	return &outbox{std: std, enc: json.NewEncoder(w)}
}

// send writes the markers, then the message.
func (o *outbox) send(m wp.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	o.sync++
	m.Sync = o.sync
	marker := wp.Marker(o.sync)
	o.std.out.Write(marker)
	o.std.err.Write(marker)
	if err := o.enc.Encode(&m); err != nil {
		o.err = fmt.Errorf("writing a message to the kernel: %w", err)
	}
	return o.err
}

func (o *outbox) reply(r *wp.Reply) error {
	return o.send(wp.Message{Kind: wp.KindReply, Reply: r})
}

// input asks the front end for a line; the answer comes on stdin.
func (o *outbox) input(prompt string, password bool) {
	o.send(wp.Message{Kind: wp.KindInput, Input: &wp.Input{Prompt: prompt, Password: password}})
}
