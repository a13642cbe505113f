package display

import (
	"encoding/gob"
	"github.com/janpfeifer/gonb/gonbui/protocol"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestProgressEndsAt100(t *testing.T) {
	rec := record(t)
	c := useFakeClock(t)
	seen := 0
	for i := range Progress(1000, "epoch") {
		if i != seen {
			t.Fatalf("got index %d, want %d", i, seen)
		}
		seen++
		c.Advance(7 * time.Millisecond) // 7 s in all
	}
	if seen != 1000 {
		t.Fatalf("loop ran %d times, want 1000", seen)
	}
	msgs := rec.all()
	// 7 s allows 70 throttled updates, plus the final flush.
	if len(msgs) > 71 {
		t.Errorf("%d messages for a 7 s loop, want at most 71", len(msgs))
	}
	last := msgs[len(msgs)-1]
	text := last.Data[MIMEText].(string)
	if !strings.Contains(text, "100%") || !strings.Contains(text, "1000/1000") || !strings.HasPrefix(text, "epoch") {
		t.Errorf("final text %q does not show 100%% and 1000/1000", text)
	}
	h := last.Data[MIMEHTML].(string)
	if !strings.Contains(h, `value="1000" max="1000"`) || !strings.Contains(h, "100%") {
		t.Errorf("final html %q is not at 100%%", h)
	}
	if _, err := html.Parse(strings.NewReader(h)); err != nil {
		t.Errorf("html does not parse: %v", err)
	}
	if !strings.Contains(text, "00:07<00:00") {
		t.Errorf("final text %q does not show 7 s elapsed and nothing left", text)
	}
	if !strings.Contains(text, "142.86it/s") {
		t.Errorf("final text %q does not show the rate 142.86it/s", text)
	}
	for _, m := range msgs {
		if m.DisplayID != last.DisplayID || m.DisplayID == "" {
			t.Fatalf("progress messages do not share one display id")
		}
	}
}

func TestProgressBreak(t *testing.T) {
	rec := record(t)
	c := useFakeClock(t)
	for i := range Progress(10, "") {
		c.Advance(time.Second)
		if i == 3 {
			break
		}
	}
	text := rec.last(t).Data[MIMEText].(string)
	if !strings.Contains(text, "3/10") || !strings.Contains(text, " 30%") {
		t.Errorf("after a break at i=3 the bar shows %q, want 3/10 and 30%%", text)
	}
	// The fake clock runs the trailing send when time next moves, at 4 s:
	// 3 steps in 4 s is 1.33 s a step, 7 left take 9 s.
	if !strings.Contains(text, "00:04<00:09, 1.33s/it") {
		t.Errorf("text %q: want elapsed 00:04, eta 00:09 and 1.33s/it", text)
	}
}

func TestProgressFastLoopSendsOnce(t *testing.T) {
	rec := record(t)
	useFakeClock(t)
	for range Progress(50, "batch") {
	}
	msgs := rec.all()
	if len(msgs) != 1 {
		t.Fatalf("a loop faster than the interval sent %d messages, want 1", len(msgs))
	}
	if text := msgs[0].Data[MIMEText].(string); !strings.Contains(text, "100%") {
		t.Errorf("its one message shows %q, want 100%%", text)
	}
}

func TestProgressEmpty(t *testing.T) {
	rec := record(t)
	useFakeClock(t)
	for range Progress(0, "none") {
		t.Fatal("a loop of 0 ran")
	}
	if text := rec.last(t).Data[MIMEText].(string); !strings.Contains(text, "100%") {
		t.Errorf("empty progress shows %q, want 100%%", text)
	}
}

// BenchmarkProgressStep measures what one step of a Progress loop costs
// when the throttle holds the update back (the common case).
func BenchmarkProgressStep(b *testing.B) {
	old := setSender(&recorder{})
	defer setSender(old)
	for range Progress(b.N, "bench") {
	}
}

// gobSender encodes messages as the gonbui pipe does, then drops them:
// the cost of a send without a kernel.
type gobSender struct{ enc *gob.Encoder }

func (g gobSender) send(d *protocol.DisplayData) { _ = g.enc.Encode(d) }

// BenchmarkProgress1000In10s runs 1000-step Progress loops whose steps
// take 10 ms of (fake) time each, so the throttle sends as it would in a
// real 10 s loop (about 100 renders), and reports the real cost of the
// bar as a share of those 10 s.
func BenchmarkProgress1000In10s(b *testing.B) {
	old := setSender(gobSender{gob.NewEncoder(io.Discard)})
	defer setSender(old)
	oldClk := clk
	c := &fakeClock{now: time.Now()}
	clk = c
	defer func() { clk = oldClk }()
	start := time.Now()
	for b.Loop() {
		for range Progress(1000, "epoch") {
			c.Advance(10 * time.Millisecond)
		}
	}
	perLoop := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(100*perLoop.Seconds()/10, "%of10s")
}
