package engine

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// The worker's output arrives on three pipes: stdout, stderr and its
// messages (displays, input requests, replies). Each message follows a
// sync marker on both streams (see workerproto); order puts it between
// the right bytes.

const (
	stdoutStream = iota
	stderrStream
)

var streamNames = [2]string{"stdout", "stderr"}

// quietLimit is how long a message waits for a stream that reads nothing
// while its marker is missing (a cell closed the worker's copy of the
// pipe, say): then the message goes out anyway.
const quietLimit = 2 * time.Second

// order holds each stream at a marker until the message after it is out,
// and each message until both streams reached its marker.
type order struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	reached [2]uint64     // the last marker each stream read
	heard   [2]time.Time  // when each stream last read anything
	ended   [2]bool       // the stream is at EOF
	out     uint64        // messages up to this sync number are out
	done    bool          // no more messages: streams never wait again
}

func newOrder() *order { return &order{changed: make(chan struct{})} }

// change wakes the waiters; o.mu is held.
func (o *order) change() {
	close(o.changed)
	o.changed = make(chan struct{})
}

// wait releases o.mu until the next change or for at most d.
func (o *order) wait(d time.Duration) {
	ch := o.changed
	o.mu.Unlock()
	defer o.mu.Lock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	}
}

// heardFrom notes that stream i read something.
func (o *order) heardFrom(i int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.heard[i] = time.Now()
}

// arrive notes that stream i read marker n and returns once message n is
// out: text after the marker follows the message.
func (o *order) arrive(i int, n uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reached[i] = max(o.reached[i], n)
	o.heard[i] = time.Now()
	o.change()
	for o.out < n && !o.done {
		o.wait(time.Hour)
	}
}

// end notes that stream i is at EOF.
func (o *order) end(i int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ended[i] = true
	o.change()
}

// await returns once both streams reached marker n: the text written
// before message n is out. A stream at EOF, or quiet for quietLimit, is
// not waited for.
func (o *order) await(n uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	start := time.Now()
	for i := range o.reached {
		for o.reached[i] < n && !o.ended[i] {
			quiet := time.Since(start)
			if o.heard[i].After(start) {
				quiet = time.Since(o.heard[i])
			}
			if quiet >= quietLimit {
				break
			}
			o.wait(quietLimit - quiet)
		}
	}
}

// release lets the streams continue past marker n.
func (o *order) release(n uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.out = max(o.out, n)
	o.change()
}

// finish releases every marker: no message is coming any more.
func (o *order) finish() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done = true
	o.change()
}

// cellOutput is where a worker's output goes: the running cell's Output,
// or, between cells, a queue for the next cell.
type cellOutput struct {
	to      kernel.Output
	pending []func(kernel.Output)
	ids     map[string]bool // display ids already shown in this cell
	// last is the latest request's Output: comm messages sent between
	// requests go there, at once (a widget must not wait for a cell).
	last kernel.Output
}

// emit sends output to the running cell, or keeps it for the next one.
func (p *proc) emit(f func(kernel.Output)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.out.to != nil {
		f(p.out.to)
	} else {
		p.out.pending = append(p.out.pending, f)
	}
}

// attach makes out the destination of the worker's output (nil: none),
// first giving it what came between cells.
func (p *proc) attach(out kernel.Output) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out.to, p.out.ids = out, map[string]bool{}
	if out == nil {
		return
	}
	p.out.last = out
	p.errHead, p.crashSeen, p.dumping = nil, false, false
	for _, f := range p.out.pending {
		f(out)
	}
	p.out.pending = nil
}

// destination is the running cell's Output, nil between cells.
func (p *proc) destination() kernel.Output {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.to
}

// readStream forwards a worker stream as it arrives, holding back only an
// incomplete UTF-8 sequence or a possible start of a marker, and stopping
// at each marker until its message is out.
func (p *proc) readStream(i int, r *os.File) {
	defer p.eof.Done()
	defer p.order.end(i)
	buf := make([]byte, 32<<10)
	var data []byte
	for {
		n, err := r.Read(buf)
		p.order.heardFrom(i)
		data = append(data, buf[:n]...)
		for {
			before, m, after, found := wp.CutMarker(data)
			if !found {
				break
			}
			p.sendText(i, before)
			p.order.arrive(i, m)
			data = after
		}
		if err != nil {
			p.sendText(i, data)
			return
		}
		hold := holdBack(data)
		p.sendText(i, data[:len(data)-hold])
		data = append([]byte(nil), data[len(data)-hold:]...)
	}
}

// holdBack is how many bytes at the end of data wait for more: a possible
// start of a marker, or an incomplete UTF-8 sequence.
func holdBack(data []byte) int {
	if n := wp.PartialMarker(data); n > 0 {
		return n
	}
	for k := 1; k <= 3 && k <= len(data); k++ {
		if utf8.RuneStart(data[len(data)-k]) {
			if !utf8.FullRune(data[len(data)-k:]) {
				return k
			}
			break
		}
	}
	return 0
}

// sendText forwards text the worker wrote to stream i, in the user's
// spellings; stderr is also kept to say why a dying worker died.
func (p *proc) sendText(i int, b []byte) {
	if len(b) == 0 {
		return
	}
	text := rewrite.Unmangle(string(b))
	if i == stderrStream {
		text = p.noteStderr(b, text)
	}
	if text != "" {
		name := streamNames[i]
		p.emit(func(o kernel.Output) { o.Stream(name, text) })
	}
}

// noteStderr keeps the start and the end of stderr, and returns text less
// the runtime's goroutine dump of a dying worker.
func (p *proc) noteStderr(b []byte, text string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	// The runtime's words may be cut between two pieces: look at the end
	// of the piece before too.
	recent := string(p.errTail[max(0, len(p.errTail)-len("fatal error: ")):]) + text
	if strings.Contains(recent, "panic: ") || strings.Contains(recent, "fatal error: ") {
		p.crashSeen = true
	}
	text = p.trimCrashDump(text)
	p.errTail = append(p.errTail, b...)
	if len(p.errHead) < 4<<10 {
		p.errHead = append(p.errHead, b[:min(len(b), 4<<10)]...)
	}
	if len(p.errTail) > 8<<10 {
		p.errTail = p.errTail[len(p.errTail)-8<<10:]
	}
	return text
}

// trimCrashDump keeps the first lines of the runtime's dump of a dying
// worker ("panic: ..." or "fatal error: ...") and drops the goroutine
// stacks after them: the cell's error shows the frames in cell terms.
// p.mu is held.
func (p *proc) trimCrashDump(text string) string {
	if p.dumping {
		return ""
	}
	// The dump starts at a line "goroutine N [...]:", which may also be
	// the first line of a piece of stderr.
	i := strings.Index("\n"+text, "\ngoroutine ")
	if i < 0 || os.Getenv("GODL_DEBUG") != "" {
		return text
	}
	head := text[:i]
	if !strings.Contains(head, "panic: ") && !strings.Contains(head, "fatal error: ") && !p.crashSeen {
		return text
	}
	p.dumping = true
	return head
}

// messageHandlers act on the worker's messages, one kind each.
var messageHandlers = map[wp.Kind]func(*proc, *wp.Message){
	wp.KindReply:   (*proc).onReply,
	wp.KindDisplay: (*proc).onDisplay,
	wp.KindClear:   (*proc).onClear,
	wp.KindInput:   (*proc).onInput,
	wp.KindComm:    (*proc).onComm,
	wp.KindError:   (*proc).onError,
}

// readMessages handles the worker's messages in order, each once the text
// before it is out.
func (p *proc) readMessages(r io.ReadCloser) {
	defer close(p.messages)
	defer p.order.finish()
	defer r.Close()
	dec := json.NewDecoder(r)
	for {
		var m wp.Message
		if err := dec.Decode(&m); err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				p.emit(func(o kernel.Output) { o.Stream("stderr", "godl: a bad message from the worker: "+err.Error()+"\n") })
			}
			return
		}
		p.order.await(m.Sync)
		if h := messageHandlers[m.Kind]; h != nil {
			h(p, &m)
		}
		p.order.release(m.Sync)
	}
}

func (p *proc) onReply(m *wp.Message) {
	if m.Reply != nil {
		p.replies <- *m.Reply
	}
}

func (p *proc) onDisplay(m *wp.Message) {
	if m.Display == nil {
		return
	}
	bundle := kernel.MIMEBundle(m.Display.Data)
	if t, ok := bundle["text/plain"].(string); ok {
		bundle["text/plain"] = rewrite.Unmangle(t)
	}
	dd := kernel.DisplayData{Data: bundle, Metadata: m.Display.Metadata, DisplayID: m.Display.DisplayID}
	if m.Display.Cell != 0 && p.showInCell(m.Display.Cell, dd) {
		return
	}
	p.emit(func(o kernel.Output) {
		if dd.DisplayID != "" {
			dd.Update = p.out.ids[dd.DisplayID]
			p.out.ids[dd.DisplayID] = true
		}
		o.Display(dd)
	})
}

func (p *proc) onClear(m *wp.Message) {
	wait := m.Clear != nil && m.Clear.Wait
	p.emit(func(o kernel.Output) { o.ClearOutput(wait) })
}

// onInput asks the front end for a line and writes it to the worker's
// stdin, where the cell's reader waits. The answer may take a person's
// while: later messages do not wait for it.
func (p *proc) onInput(m *wp.Message) {
	if m.Input == nil {
		return
	}
	out := p.destination()
	go func(req wp.Input) {
		line, err := "", errors.New("no cell is running")
		if out != nil {
			line, err = out.Input(req.Prompt, req.Password)
		}
		if err != nil {
			line = wp.NoInputPrefix + err.Error()
		}
		io.WriteString(p.stdin, line+"\n")
	}(*m.Input)
}
