package display

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// recorder captures what display sends.
type recorder struct {
	mu   sync.Mutex
	msgs []*protocol.DisplayData
}

func (r *recorder) send(d *protocol.DisplayData) {
	r.mu.Lock()
	r.msgs = append(r.msgs, d)
	r.mu.Unlock()
}

func (r *recorder) all() []*protocol.DisplayData {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*protocol.DisplayData(nil), r.msgs...)
}

func (r *recorder) last(t *testing.T) *protocol.DisplayData {
	t.Helper()
	m := r.all()
	if len(m) == 0 {
		t.Fatal("nothing was sent")
	}
	return m[len(m)-1]
}

// record routes outputs to a new recorder for the rest of the test.
func record(t *testing.T) *recorder {
	r := &recorder{}
	old := setSender(r)
	t.Cleanup(func() { setSender(old) })
	return r
}

// fakeClock is a clock the test moves by hand; timers fire in Advance.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves time forward and runs the timers that came due, in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	keep := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			due = append(due, t)
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		t.f()
	}
}

// useFakeClock installs a fake clock for the rest of the test.
func useFakeClock(t *testing.T) *fakeClock {
	c := &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	old := clk
	clk = c
	t.Cleanup(func() { clk = old })
	return c
}

func toMIME(s string) protocol.MIMEType { return protocol.MIMEType(s) }
