package display

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/godl-dev/godl/dl"
)

func TestCurveThrottledFinalState(t *testing.T) {
	rec := record(t)
	c := useFakeClock(t)
	cv := NewCurve("loss", Size(320, 200))
	if len(rec.all()) != 0 {
		t.Fatal("an empty curve was shown")
	}
	for step := range 200 {
		cv.Add("train", step, float32(1/(1+float64(step))))
		if step%10 == 0 {
			cv.Add("val", step, 1.5/(1+float64(step)))
		}
		c.Advance(10 * time.Millisecond) // 2 s of training
	}
	Flush() // the end of the cell
	msgs := rec.all()
	if len(msgs) > 2*10+2 {
		t.Errorf("%d messages in 2 s, want at most 22", len(msgs))
	}
	last := msgs[len(msgs)-1]
	for _, m := range msgs {
		if m.DisplayID == "" || m.DisplayID != last.DisplayID {
			t.Fatal("curve messages do not share one display id")
		}
	}
	data := map[string]any{}
	for k, v := range last.Data {
		data[string(k)] = v
	}
	checkPNG(t, data, last.Metadata, 320, 200)
	text := data[MIMEText].(string)
	for _, want := range []string{"train: 200 points, step 199", "val: 20 points, step 190"} {
		if !strings.Contains(text, want) {
			t.Errorf("final text %q lacks %q", text, want)
		}
	}
	if x, _ := cv.Points("train"); len(x) != 200 || x[199] != 199 {
		t.Errorf("train has %d points", len(x))
	}
}

func TestCurveNumbers(t *testing.T) {
	record(t)
	useFakeClock(t)
	cv := NewCurve("mixed")
	defer cv.Finish()
	cv.Add("a", 1, 2.5)
	cv.Add("a", int64(2), float32(3))
	cv.Add("a", 3.0, dl.Full(4))
	cv.Add("a", uint8(4), math.NaN()) // kept, but not drawn
	x, y := cv.Points("a")
	if len(x) != 4 || x[2] != 3 || y[1] != 3 || y[2] != 4 {
		t.Errorf("points %v %v", x, y)
	}
	// Shown live in this cell: as the cell's value it is text, not a
	// second chart.
	data, md := ValueBundle(cv)
	if _, ok := data[MIMEPNG]; ok || !strings.HasPrefix(data[MIMEText].(string), "mixed — a: 4 points") {
		t.Errorf("a Curve shown live, as the same cell's value: %v", data[MIMEText])
	}
	// The value of a later cell is the chart.
	BeginCell()
	data, md = ValueBundle(cv)
	if _, ok := data[MIMEPNG]; !ok {
		t.Error("a Curve as a later cell's value has no PNG")
	}
	if size, _ := md[MIMEPNG].(map[string]int); size["width"] != 600 {
		t.Errorf("a Curve as a cell value has metadata %v", md)
	}
	defer func() {
		if recover() == nil {
			t.Error("a string value did not panic")
		}
	}()
	cv.Add("a", 5, "six")
}

// BenchmarkCurveRender measures one redraw of a 2-series, 500-point chart.
func BenchmarkCurveRender(b *testing.B) {
	cv := NewCurve("loss")
	for _, name := range []string{"train", "val"} {
		s := &curveSeries{name: name}
		for i := range 500 {
			s.x = append(s.x, float64(i))
			s.y = append(s.y, 1/float64(i+1))
		}
		cv.series = append(cv.series, s)
	}
	for b.Loop() {
		cv.bundle()
	}
}
