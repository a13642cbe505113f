package engine

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// fakeWorker is the worker's side of a proc's pipes, for tests of the
// ordering without a worker process.
type fakeWorker struct {
	t                  *testing.T
	stdout, stderr, ms *os.File
	enc                *json.Encoder
}

func newFakeWorker(t *testing.T) (*proc, *fakeWorker) {
	t.Helper()
	pipe := func() (*os.File, *os.File) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); w.Close() })
		return r, w
	}
	outR, outW := pipe()
	errR, errW := pipe()
	msgR, msgW := pipe()
	p := &proc{replies: make(chan wp.Reply, 4), messages: make(chan struct{}), order: newOrder()}
	p.streams = [2]*os.File{outR, errR}
	p.eof.Add(2)
	go p.readStream(stdoutStream, outR)
	go p.readStream(stderrStream, errR)
	go p.readMessages(msgR)
	return p, &fakeWorker{t: t, stdout: outW, stderr: errW, ms: msgW, enc: json.NewEncoder(msgW)}
}

func (w *fakeWorker) print(f *os.File, s string) {
	if _, err := f.WriteString(s); err != nil {
		w.t.Fatal(err)
	}
}

func (w *fakeWorker) markers(n uint64) {
	w.print(w.stdout, string(wp.Marker(n)))
	w.print(w.stderr, string(wp.Marker(n)))
}

func (w *fakeWorker) send(m wp.Message) {
	if err := w.enc.Encode(&m); err != nil {
		w.t.Fatal(err)
	}
}

func (r *recorder) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// A message waits for the text printed before its marker, and text
// printed after the marker waits for the message, however the pipes are
// read.
func TestOrderOfStreamsAndMessages(t *testing.T) {
	p, w := newFakeWorker(t)
	rec := &recorder{}
	p.attach(rec)
	// The message arrives first; the text before its marker is late.
	w.send(wp.Message{Kind: wp.KindDisplay, Sync: 1, Display: &wp.Display{Data: map[string]any{"text/plain": "picture"}}})
	time.Sleep(50 * time.Millisecond)
	if evs := rec.snapshot(); len(evs) != 0 {
		t.Fatalf("the display went out before the text printed before it: %q", evs)
	}
	w.print(w.stdout, "one\n")
	w.print(w.stderr, "warn\n")
	w.markers(1)
	w.print(w.stdout, "two\n")
	w.markers(2)
	w.send(wp.Message{Kind: wp.KindClear, Sync: 2, Clear: &wp.Clear{Wait: true}})
	w.print(w.stdout, "three\n")
	w.markers(3)
	w.send(wp.Message{Kind: wp.KindReply, Sync: 3, Reply: &wp.Reply{ID: 9}})
	select {
	case rep := <-p.replies:
		if rep.ID != 9 {
			t.Errorf("reply %+v", rep)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no reply")
	}
	got := strings.Join(rec.snapshot(), "|")
	for _, want := range []string{"stdout:one\n|stderr:warn\n|display|stdout:two\n|clear|stdout:three\n", "stderr:warn\n|stdout:one\n|display|stdout:two\n|clear|stdout:three\n"} {
		if got == want {
			return
		}
	}
	t.Errorf("events %q", got)
}

// Output between cells waits for the next cell; a worker whose message
// pipe ends releases streams held at a marker.
func TestOrderBetweenCellsAndAtTheEnd(t *testing.T) {
	p, w := newFakeWorker(t)
	w.print(w.stdout, "late\n")
	w.markers(1)
	w.send(wp.Message{Kind: wp.KindDisplay, Sync: 1, Display: &wp.Display{Data: map[string]any{"text/plain": "x"}, DisplayID: "d"}})
	w.markers(2) // a message that never comes: the worker died
	w.print(w.stdout, "after\n")
	w.ms.Close()
	select {
	case <-p.messages:
	case <-time.After(5 * time.Second):
		t.Fatal("the message reader did not end")
	}
	w.stdout.Close()
	w.stderr.Close()
	p.eof.Wait()
	rec := &recorder{}
	p.attach(rec)
	if got := strings.Join(rec.snapshot(), "|"); got != "stdout:late\n|display|stdout:after\n" {
		t.Errorf("events %q", got)
	}
	if len(rec.display) != 1 || rec.display[0].Update {
		t.Errorf("displays %+v", rec.display)
	}
}

// The runtime's goroutine dump of a dying worker is dropped wherever the
// pipe cuts it between the runtime's writes (it prints word by word).
func TestCrashDumpDropped(t *testing.T) {
	dump := "panic: in goroutine\n\ngoroutine 7 [running]:\nmain.f()\n\t/x.go:3 +0x1d\ncreated by main.g\n"
	for cut := 1; cut < len(dump); cut++ {
		if c := dump[cut-1]; c != '\n' && c != ' ' {
			continue
		}
		p := &proc{}
		got := p.noteStderr([]byte(dump[:cut]), dump[:cut]) + p.noteStderr([]byte(dump[cut:]), dump[cut:])
		if got != "panic: in goroutine\n\n" {
			t.Fatalf("cut at %d (%q|%q): kept %q", cut, dump[:cut], dump[cut:], got)
		}
	}
	if got := (&proc{}).noteStderr([]byte("goroutine talk\n"), "goroutine talk\n"); got != "goroutine talk\n" {
		t.Errorf("ordinary text dropped: %q", got)
	}
}
