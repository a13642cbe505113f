package display

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/data"
)

// A loader's All() with Len(), as the notebooks write it.
func TestTrackLoader(t *testing.T) {
	rec := record(t)
	c := useFakeClock(t)
	ds := data.NewTensorDataset(dl.Arange(0, 100, 1).Reshape(100, 1), dl.Arange(0, 100, 1))
	loader := data.NewLoader(ds, 10)
	var seen []float32
	for xb, yb := range Track(loader.All(), loader.Len(), "batch") {
		if xb.Shape()[0] != 10 || yb.Shape()[0] != 10 {
			t.Fatalf("batch shapes %v %v", xb.Shape(), yb.Shape())
		}
		seen = append(seen, yb.Data()[0])
		c.Advance(50 * time.Millisecond)
	}
	if !slices.Equal(seen, []float32{0, 10, 20, 30, 40, 50, 60, 70, 80, 90}) {
		t.Fatalf("batches in order %v", seen)
	}
	last := rec.last(t)
	text := last.Data[MIMEText].(string)
	if !strings.HasPrefix(text, "batch 100%") || !strings.Contains(text, "10/10") {
		t.Errorf("final bar %q, want batch 100%% 10/10", text)
	}
	if !strings.Contains(last.Data[MIMEHTML].(string), `value="10" max="10"`) {
		t.Errorf("final html %q", last.Data[MIMEHTML])
	}
}

func TestTrackSeqBreakAndUnknownLength(t *testing.T) {
	rec := record(t)
	useFakeClock(t)
	words := []string{"a", "b", "c", "d", "e"}
	var got []string
	for w := range Track(slices.Values(words), len(words), "word") {
		if w == "d" {
			break
		}
		got = append(got, w)
	}
	if strings.Join(got, "") != "abc" {
		t.Fatalf("got %v", got)
	}
	if text := rec.last(t).Data[MIMEText].(string); !strings.Contains(text, "3/5") || !strings.Contains(text, " 60%") {
		t.Errorf("after a break at the 4th element the bar shows %q, want 3/5, 60%%", text)
	}
	// An unknown length: the count and no percentage, as tqdm without a
	// total; a full bar once the loop ends.
	m := map[int]string{1: "x", 2: "y"}
	n := 0
	for range Track(maps.All(m), 0, "entry") {
		n++
	}
	last := rec.last(t)
	if text := last.Data[MIMEText].(string); n != 2 || !strings.HasPrefix(text, "entry 2it [") || strings.Contains(text, "%") {
		t.Errorf("unknown length: %d entries, bar %q", n, text)
	}
	if h := last.Data[MIMEHTML].(string); !strings.Contains(h, `value="2" max="2"`) {
		t.Errorf("unknown length, ended: html %q is not a full bar", h)
	}
}

func TestTrackPanicsOnNonIterators(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "iter.Seq") {
			t.Errorf("recovered %v", r)
		}
	}()
	Track(func(x int) {}, 3, "not a sequence")
}

// BenchmarkTrackStep is the cost of Track per element of an iter.Seq.
func BenchmarkTrackStep(b *testing.B) {
	old := setSender(&recorder{})
	defer setSender(old)
	var seq iter.Seq[int] = func(yield func(int) bool) {
		for i := range b.N {
			if !yield(i) {
				return
			}
		}
	}
	for range Track(seq, b.N, "bench") {
	}
}

// TestTrackOfAnUncountedType: an element type outside countingYield's list
// still runs the loop, under a bar of unknown length.
func TestTrackOfAnUncountedType(t *testing.T) {
	rec := &recorder{}
	old := setSender(rec)
	defer setSender(old)
	var got []complex128
	for c := range Track(slices.Values([]complex128{1, 2i}), 2, "c") {
		got = append(got, c)
	}
	if len(got) != 2 || got[1] != 2i {
		t.Fatalf("got %v", got)
	}
	if text := rec.last(t).Data[MIMEText].(string); !strings.HasPrefix(text, "c ") || strings.Contains(text, "%") {
		t.Errorf("uncounted: bar %q, want one of unknown length", text)
	}
}
