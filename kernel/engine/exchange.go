package engine

import (
	"context"
	"os"
	"syscall"
	"time"

	"github.com/godl-dev/godl/kernel"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// fate says how a request to the worker ended.
type fate int

const (
	answered fate = iota // the worker replied
	died                 // the worker died while it served the request
	killed               // it was killed: it did not stop after an interrupt, or the request was cancelled
	unread               // it died before it read the request
)

// outcome is how a request ended, and the worker's reply if it made one.
type outcome struct {
	fate  fate
	reply wp.Reply
}

// exchange sends a request and waits for its reply; the reply comes after
// all of the output the request caused. Interrupts arrive on intr.
func (e *Engine) exchange(ctx context.Context, p *proc, req wp.Request, intr <-chan struct{}, out kernel.Output) outcome {
	p.attach(out)
	defer p.attach(nil)
	if err := p.send(req); err != nil {
		// EPIPE: nobody reads requests any more, the worker is gone.
		p.kill()
		p.waitEOF()
		return outcome{fate: unread}
	}
	var grace <-chan time.Time
	wasKilled := false
	for {
		select {
		case rep := <-p.replies:
			return outcome{fate: answered, reply: rep}
		case <-p.dead:
			p.waitEOF()
			select {
			case rep := <-p.replies: // it replied, then died
				return outcome{fate: answered, reply: rep}
			default:
			}
			switch {
			case wasKilled:
				return outcome{fate: killed}
			case unreadBytes(p.reqW) > 0:
				// A request still in the pipe was never read: the cell
				// did not start.
				return outcome{fate: unread}
			}
			return outcome{fate: died}
		case <-intr:
			// Only the worker: its handler sets the flag cells check. A
			// child the cell waits for is killed with the group below.
			p.cmd.Process.Signal(os.Interrupt)
			if grace == nil {
				grace = time.After(e.opts.InterruptGrace)
			}
		case <-grace:
			wasKilled = true
			p.signal(syscall.SIGKILL)
		case <-ctx.Done():
			wasKilled = true
			p.signal(syscall.SIGKILL)
		}
	}
}
