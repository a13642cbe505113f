package display

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// counterLive is a live output whose state is a number.
func counterLive(n *int) *live {
	return newLive(func() (map[string]any, map[string]any) {
		return map[string]any{MIMEText: fmt.Sprint(*n)}, nil
	})
}

func TestLiveThrottle(t *testing.T) {
	rec := record(t)
	c := useFakeClock(t)
	n := 0
	l := counterLive(&n)
	defer l.finish()
	l.show()
	// 1000 updates 1 ms apart: one second of a tight loop.
	for range 1000 {
		n++
		l.update()
		c.Advance(time.Millisecond)
	}
	msgs := rec.all()
	// The first display plus at most one update per 100 ms.
	if len(msgs) > 1+10 {
		t.Errorf("%d messages in 1 s, want at most 11", len(msgs))
	}
	for i, m := range msgs {
		if m.DisplayID != l.id {
			t.Errorf("message %d has display id %q, want %q", i, m.DisplayID, l.id)
		}
	}
	// Held-back state goes out on the trailing timer.
	c.Advance(time.Second)
	if got := rec.last(t).Data[MIMEText]; got != "1000" {
		t.Errorf("last message shows %v, want 1000", got)
	}
}

func TestLiveSpacing(t *testing.T) {
	rec := record(t)
	c := useFakeClock(t)
	n := 0
	l := counterLive(&n)
	var sentAt []time.Time
	l.render = func() (map[string]any, map[string]any) {
		sentAt = append(sentAt, c.Now())
		return map[string]any{MIMEText: fmt.Sprint(n)}, nil
	}
	l.show()
	for range 500 {
		n++
		l.update()
		c.Advance(3 * time.Millisecond)
	}
	l.finish()
	// All but the final flush are at least minInterval apart.
	for i := 1; i < len(sentAt)-1; i++ {
		if d := sentAt[i].Sub(sentAt[i-1]); d < minInterval {
			t.Errorf("messages %d and %d only %v apart", i-1, i, d)
		}
	}
	if got := rec.last(t).Data[MIMEText]; got != "500" {
		t.Errorf("final message shows %v, want 500", got)
	}
	// After finish, updates are dropped.
	before := len(rec.all())
	l.update()
	if len(rec.all()) != before {
		t.Error("a finished live output still sent")
	}
}

func TestFlushSendsPending(t *testing.T) {
	rec := record(t)
	useFakeClock(t)
	n := 0
	l := counterLive(&n)
	defer l.finish()
	l.show()
	n = 7
	l.update() // within the interval: held back
	if got := rec.last(t).Data[MIMEText]; got != "0" {
		t.Fatalf("update inside the interval was sent: %v", got)
	}
	Flush()
	if got := rec.last(t).Data[MIMEText]; got != "7" {
		t.Errorf("after Flush last message shows %v, want 7", got)
	}
	count := len(rec.all())
	Flush() // nothing pending: nothing sent
	if len(rec.all()) != count {
		t.Error("Flush sent again with nothing pending")
	}
}

func TestSlowRenderWidensInterval(t *testing.T) {
	rec := record(t)
	c := useFakeClock(t)
	l := newLive(func() (map[string]any, map[string]any) {
		c.Advance(50 * time.Millisecond) // a render that takes 50 ms
		return map[string]any{MIMEText: "x"}, nil
	})
	defer l.finish()
	l.show()
	if l.interval < 500*time.Millisecond {
		t.Errorf("interval %v after a 50 ms render, want ≥ 500 ms", l.interval)
	}
	_ = rec
}

func TestClear(t *testing.T) {
	rec := record(t)
	Clear(true)
	m := rec.last(t)
	if len(m.Data) != 1 || m.Data[MIMEClearOutput] != true {
		t.Errorf("Clear(true) sent %v", m.Data)
	}
}

func TestPipeSenderOutsideNotebook(t *testing.T) {
	if inNotebook() {
		t.Skip("running inside a notebook")
	}
	var b strings.Builder
	p := pipeSender{stdout: &b}
	p.send(toProtocol(map[string]any{MIMEText: "hello", MIMEHTML: "<b>hello</b>"}, nil, ""))
	p.send(toProtocol(map[string]any{MIMEClearOutput: false}, nil, ""))
	if b.String() != "hello\n" {
		t.Errorf("stdout got %q, want %q", b.String(), "hello\n")
	}
}

// A curve made in one cell shows nothing until its first point, even
// when cells end (Flush) in between.
func TestCurveAppearsWithFirstPoint(t *testing.T) {
	rec := record(t)
	useFakeClock(t)
	BeginCell()
	cv := NewCurve("loss")
	defer cv.Finish()
	Flush() // the end of the cell that made it
	BeginCell()
	Flush()
	if n := len(rec.all()); n != 0 {
		t.Fatalf("an empty curve sent %d messages", n)
	}
	cv.Add("train", 0, 1.0)
	if n := len(rec.all()); n != 1 {
		t.Fatalf("the first point sent %d messages, want 1", n)
	}
}

// Updates from a later cell go to that cell, under a new display id: the
// earlier cell's output (its id) never changes again.
func TestLiveOutputsBelongToTheirCell(t *testing.T) {
	rec := record(t)
	c := useFakeClock(t)
	BeginCell()
	cv := NewCurve("loss")
	defer cv.Finish()
	for step := range 5 {
		cv.Add("train", step, 1/float64(step+1))
		c.Advance(30 * time.Millisecond)
	}
	Flush()
	first := rec.all()
	idA := first[0].DisplayID
	for _, m := range first {
		if m.DisplayID != idA {
			t.Fatalf("one cell's curve messages carry ids %q and %q", idA, m.DisplayID)
		}
	}
	if !strings.Contains(first[len(first)-1].Data[MIMEText].(string), "train: 5 points") {
		t.Errorf("cell 1 ends with %q", first[len(first)-1].Data[MIMEText])
	}

	BeginCell()
	for step := 5; step < 8; step++ {
		cv.Add("train", step, 1/float64(step+1))
		c.Advance(30 * time.Millisecond)
	}
	Flush()
	second := rec.all()[len(first):]
	if len(second) == 0 {
		t.Fatal("the second cell's points were not shown")
	}
	idB := second[0].DisplayID
	if idB == "" || idB == idA {
		t.Fatalf("the second cell's output has id %q, the first's %q: want a new one", idB, idA)
	}
	for _, m := range second {
		if m.DisplayID != idB {
			t.Errorf("a message of the second cell has id %q, want %q", m.DisplayID, idB)
		}
	}
	// Shown again with its whole state, not only the new points.
	if text := second[len(second)-1].Data[MIMEText].(string); !strings.Contains(text, "train: 8 points") {
		t.Errorf("cell 2 ends with %q, want all 8 points", text)
	}

	// A cell that adds nothing sends nothing.
	BeginCell()
	Flush()
	if n := len(rec.all()); n != len(first)+len(second) {
		t.Errorf("a cell without updates sent %d messages", n-len(first)-len(second))
	}
}
