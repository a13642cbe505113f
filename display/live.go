package display

import (
	"sync"
	"sync/atomic"
	"time"
)

// Live outputs (curves, progress bars) are shown once with a display_id
// and then replaced in place. Updates are throttled: at least minInterval
// apart, and an update that was held back is always sent later — by a
// trailing timer, when the output finishes, or by Flush at the end of the
// cell — so the saved notebook holds the final state.
//
// A display_id belongs to one cell: the first update after BeginCell
// shows the output under a new id, as a new output of the running cell,
// so later cells never rewrite an earlier cell's output (front ends
// update every output that carries an id).

// minInterval is the shortest time between two messages of one live
// output: at most 10 messages per second reach the front end.
const minInterval = 100 * time.Millisecond

// renderShare bounds the fraction of wall time spent re-rendering one live
// output: after a render that took t, the next waits at least t/renderShare.
const renderShare = 0.1

// clock is time as the throttle sees it; tests inject a fake one.
type clock interface {
	Now() time.Time
	// AfterFunc runs f after d and returns a function that cancels it.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

var clk clock = realClock{}

// live is one output that is updated in place.
type live struct {
	mu       sync.Mutex
	id       string
	render   func() (data, metadata map[string]any)
	interval time.Duration
	last     time.Time // when the last message went out
	shown    bool      // the first display_data went out
	dirty    bool      // state changed since the last message
	closed   bool
	stop     func() bool // cancels the pending trailing send, if any
	cell     uint64      // the cell (see BeginCell) whose output carries id
}

// cells counts BeginCell calls: the number of the running cell.
var cells atomic.Uint64

// BeginCell tells display that a new notebook cell starts. A live output
// (Curve, Progress, Track) shown by an earlier cell is shown again, with
// its whole state, as an output of the new cell at its next update; the
// earlier cell keeps the output as it last was. The kernel calls
// BeginCell before every cell; programs outside a notebook need not.
func BeginCell() { cells.Add(1) }

// onScreenHere reports whether l is shown as an output of the running
// cell.
func (l *live) onScreenHere() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.shown && l.cell == cells.Load()
}

var (
	livesMu sync.Mutex
	lives   = map[*live]struct{}{}
)

// newLive registers a live output; nothing is sent until show or update.
func newLive(render func() (data, metadata map[string]any)) *live {
	l := &live{id: newDisplayID(), render: render, interval: minInterval}
	livesMu.Lock()
	lives[l] = struct{}{}
	livesMu.Unlock()
	return l
}

// show sends the first state at once.
func (l *live) show() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sendLocked(clk.Now())
}

// showSoon schedules the first state for one interval from now, so an
// output whose work ends sooner is sent once, in its final state: a fast
// inner loop's progress bar costs one message, not two.
func (l *live) showSoon() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dirty = true
	l.last = clk.Now()
	if l.stop == nil {
		l.stop = clk.AfterFunc(l.interval, l.trailing)
	}
}

// update records that the state changed and sends it if the throttle
// allows; otherwise a trailing send is scheduled. It is cheap when it does
// not send: a lock and a clock read.
func (l *live) update() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.dirty = true
	now := clk.Now()
	if wait := l.interval - now.Sub(l.last); wait <= 0 {
		l.sendLocked(now)
	} else if l.stop == nil {
		l.stop = clk.AfterFunc(wait, l.trailing)
	}
}

// trailing runs on a timer goroutine; a panic there would kill the
// process, so a failing render is dropped.
func (l *live) trailing() {
	defer func() { _ = recover() }()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stop = nil
	if l.dirty && !l.closed {
		l.sendLocked(clk.Now())
	}
}

// flush sends the state if an update is pending, ignoring the throttle.
// An output nothing was shown of stays unshown: a curve appears with its
// first point.
func (l *live) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dirty {
		l.sendLocked(clk.Now())
	}
}

// finish flushes and forgets the output: later updates are dropped.
func (l *live) finish() {
	l.flush()
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	livesMu.Lock()
	delete(lives, l)
	livesMu.Unlock()
}

func (l *live) sendLocked(now time.Time) {
	if l.stop != nil {
		l.stop()
		l.stop = nil
	}
	if cell := cells.Load(); l.cell != cell {
		if l.shown {
			l.id = newDisplayID() // shown again, in this cell
		}
		l.cell = cell
	}
	data, md := l.render()
	emit(toProtocol(data, md, l.id))
	l.shown, l.dirty = true, false
	l.last = clk.Now()
	if cost := l.last.Sub(now); cost > 0 {
		l.interval = max(minInterval, time.Duration(float64(cost)/renderShare))
	}
}

// Flush sends the pending state of every live output (curves, progress
// bars) at once. The engine calls it when a cell ends, so updates held back
// by the throttle are never lost; users rarely need it.
func Flush() {
	livesMu.Lock()
	ls := make([]*live, 0, len(lives))
	for l := range lives {
		ls = append(ls, l)
	}
	livesMu.Unlock()
	for _, l := range ls {
		l.flush()
	}
}
