package display

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/godl-dev/godl/kernel/engine/workerproto"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// MIMEClearOutput is the key of the one-entry bundle that asks the kernel
// for a clear_output message; its value is the bool "wait". gonbui has no
// message of its own for it, so it travels as display data.
const MIMEClearOutput = workerproto.MIMEClearOutput

// sender is where every output goes. Tests swap it for a recorder, so they
// see the messages without a pipe or a kernel.
type sender interface {
	send(d *protocol.DisplayData)
}

var (
	outMu sync.Mutex
	out   sender = pipeSender{}
)

// setSender replaces the destination of outputs and returns the old one.
func setSender(s sender) sender {
	outMu.Lock()
	defer outMu.Unlock()
	old := out
	out = s
	return old
}

func emit(d *protocol.DisplayData) {
	outMu.Lock()
	s := out
	outMu.Unlock()
	s.send(d)
}

// pipeSender writes to the kernel over the gonbui pipe when the program
// runs in a notebook, and prints the text/plain form otherwise, so a
// display call in a test or a command-line program still says something.
// A nil stdout means os.Stdout as it is at the time of the call.
type pipeSender struct{ stdout io.Writer }

func (p pipeSender) send(d *protocol.DisplayData) {
	if inNotebook() {
		gonbui.SendData(d)
		// The kernel acknowledges the sync once the output is on its way:
		// what the cell prints next comes after it.
		gonbui.Sync()
		return
	}
	if _, ok := d.Data[MIMEClearOutput]; ok {
		return
	}
	if t, ok := d.Data[protocol.MIMETextPlain].(string); ok && t != "" {
		if !strings.HasSuffix(t, "\n") {
			t += "\n"
		}
		w := p.stdout
		if w == nil {
			w = os.Stdout
		}
		fmt.Fprint(w, t)
	}
}

// inNotebook reports whether the gonbui pipe is configured. gonbui reads
// the environment only at init; the worker may learn its pipe later, so
// the environment is looked at again.
func inNotebook() bool {
	if !gonbui.IsNotebook && os.Getenv(protocol.GONB_PIPE_ENV) != "" {
		gonbui.IsNotebook = true
	}
	return gonbui.IsNotebook
}

// toProtocol converts a bundle into the gonbui message.
func toProtocol(data, metadata map[string]any, displayID string) *protocol.DisplayData {
	d := &protocol.DisplayData{
		Data:      make(map[protocol.MIMEType]any, len(data)),
		Metadata:  metadata,
		DisplayID: displayID,
	}
	for k, v := range data {
		d.Data[protocol.MIMEType(k)] = v
	}
	if d.Metadata == nil {
		d.Metadata = map[string]any{}
	}
	return d
}

// Publish sends a MIME bundle as a display_data output. data should hold
// "text/plain"; it is added from %v of nothing otherwise. Values travel
// with encoding/gob: use strings, []byte (images) and the map types
// registered by gonbui/protocol (map[string]int for image sizes).
func Publish(data, metadata map[string]any) {
	if _, ok := data[MIMEText]; !ok {
		data[MIMEText] = ""
	}
	emit(toProtocol(data, metadata, ""))
}

var idCounter atomic.Uint64

// newDisplayID returns an id unique in this process and across processes
// (it carries the pid), so a restarted worker never reuses an old id.
func newDisplayID() string {
	return fmt.Sprintf("godl-%d-%d", os.Getpid(), idCounter.Add(1))
}

// Clear clears the output of the running cell. With wait, the front end
// clears only when the next output arrives, which avoids flicker.
func Clear(wait bool) {
	emit(&protocol.DisplayData{
		Data:     map[protocol.MIMEType]any{MIMEClearOutput: wait},
		Metadata: map[string]any{},
	})
}
