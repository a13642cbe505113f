package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A job is a parallel product whose work() claims tasks until none are left;
// any number of goroutines may run it, at any time, and one that comes late
// finds nothing left and returns without touching memory.
type job interface{ work() }

// Helpers are long-lived goroutines that run jobs beside the caller. Waking
// a parked goroutine on an idle core costs ~50 µs in a VM — a third of a
// 256×256 product — so when products come back to back (a loop of them,
// less than backToBack apart), a helper keeps polling for the next job for
// helperSpin before it parks. Otherwise it parks at once: a polling helper
// holds a P, and a goroutine the program starts meanwhile (dl's own
// parallel loops) then waits for the caller's P instead of taking the idle
// one — measured, polling after every product made a loop of products and
// two-goroutine elementwise ops a third slower. backToBack is wide enough
// to span the small ops between the large products of a training step (an
// MLP's forward and weight-gradient GEMMs): at 20 µs every one of them
// waited for a wake-up and the MLP step ran 27% slower, while loops of
// products with elementwise ops between measured no different.
const (
	helperSpin = 200 * time.Microsecond
	backToBack = 100 * time.Microsecond
)

var (
	epoch      = time.Now()
	lastJobEnd atomic.Int64 // time.Since(epoch) when the last job finished
)

// jobDone records the end of a job, for the next one's backToBack test.
func jobDone() { lastJobEnd.Store(int64(time.Since(epoch))) }

type helper struct {
	job    atomic.Pointer[job]
	parked atomic.Bool
	poll   atomic.Bool // poll for the next job after this one
	wake   chan struct{}
}

var (
	helpersMu sync.Mutex
	helpers   []*helper
)

// startHelpers hands j to n helpers, starting helpers as needed.
func startHelpers(n int, j job) {
	helpersMu.Lock()
	for len(helpers) < n {
		h := &helper{wake: make(chan struct{}, 1)}
		helpers = append(helpers, h)
		go h.loop()
	}
	hs := helpers[:n]
	helpersMu.Unlock()
	loop := time.Since(epoch)-time.Duration(lastJobEnd.Load()) < backToBack
	for _, h := range hs {
		h.poll.Store(loop)
		// A helper still busy with another caller's job simply picks this
		// one up late, or never if it is replaced first: the caller does
		// whatever nobody else claimed.
		h.job.Store(&j)
		if h.parked.Load() {
			select {
			case h.wake <- struct{}{}:
			default:
			}
		}
	}
}

func (h *helper) loop() {
	for {
		(*h.await()).work()
	}
}

func (h *helper) await() *job {
	for {
		deadline := time.Now().Add(helperSpin)
		for i := 0; h.poll.Load(); i++ {
			if j := h.job.Swap(nil); j != nil {
				return j
			}
			// Poll without yielding: a goroutine that calls Gosched goes
			// through the global run queue, where the caller's P can pick
			// it up, and then both run on one core.
			if i%64 == 63 && time.Now().After(deadline) {
				break
			}
		}
		h.parked.Store(true)
		// A job stored before parked was set would find no one to wake it.
		if j := h.job.Swap(nil); j != nil {
			h.parked.Store(false)
			return j
		}
		<-h.wake
		h.parked.Store(false)
	}
}

// spinUntil waits for done, which other goroutines will soon make true. It
// polls without yielding, for the reason given in await: a yield here can
// let a woken helper start on this P, behind this goroutine, instead of on
// an idle one. Only after a long wait — the goroutine it waits for may need
// this very P — does it yield.
func spinUntil(done func() bool) {
	var deadline time.Time
	for i := 0; !done(); i++ {
		if i%1024 != 1023 {
			continue
		}
		if deadline.IsZero() {
			deadline = time.Now().Add(time.Millisecond)
		} else if time.Now().After(deadline) {
			runtime.Gosched()
		}
	}
}

// A doneSignal tells the caller that the last task of its job is finished.
// The caller polls briefly — the other goroutines usually finish within
// microseconds of it — and then sleeps, so that a helper the OS has taken
// off its core (the machine may be busy) gets that core back sooner.
type doneSignal struct {
	done atomic.Bool
	ch   chan struct{}
}

func newDoneSignal() doneSignal { return doneSignal{ch: make(chan struct{})} }

func (d *doneSignal) signal() {
	d.done.Store(true)
	close(d.ch)
}

func (d *doneSignal) wait() {
	deadline := time.Now().Add(50 * time.Microsecond)
	for i := 0; !d.done.Load(); i++ {
		if i%256 == 255 && time.Now().After(deadline) {
			<-d.ch
			return
		}
	}
}
