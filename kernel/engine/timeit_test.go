package engine

import (
	"strings"
	"testing"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// The expected strings are what IPython 9's _format_time and TimeitResult
// print for the same numbers.
func TestFormatTimeAsIPython(t *testing.T) {
	for secs, want := range map[float64]string{
		2.5: "2.5 s", 0.5: "500 ms", 0.0123: "12.3 ms", 12.345e-6: "12.3 μs", 999e-9: "999 ns", 1e-10: "0.1 ns",
		0: "0 ns", 1: "1 s", 59.9: "59.9 s", 65: "1min 5s", 3725.5: "1h 2min 5s", 1234e-6: "1.23 ms",
	} {
		if got := formatTime(secs); got != want {
			t.Errorf("formatTime(%v) = %q, want %q", secs, got, want)
		}
	}
}

func TestTimeitReport(t *testing.T) {
	// 7 runs of 100000 calls, 1.0 to 1.6 µs per call.
	runs := []float64{0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16}
	got := timeitReport(&wp.Timing{Number: 100000, Runs: runs})
	if want := "1.3 μs ± 200 ns per loop (mean ± std. dev. of 7 runs, 100,000 loops each)\n"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	got = timeitReport(&wp.Timing{Number: 1, Runs: []float64{0.01, 0.05}})
	if !strings.HasPrefix(got, "The slowest run took 5.00 times longer than the fastest.") ||
		!strings.HasSuffix(got, "30 ms ± 20 ms per loop (mean ± std. dev. of 2 runs, 1 loop each)\n") {
		t.Errorf("got %q", got)
	}
}

func TestParseTimeit(t *testing.T) {
	for _, c := range []struct {
		in     string
		spec   wp.Timeit
		code   string
		errHas string
	}{
		{"x.Sum()", wp.Timeit{}, "x.Sum()", ""},
		{"-n 10 -r 3 x.Sum()", wp.Timeit{Number: 10, Repeat: 3}, "x.Sum()", ""},
		{"-n10 f(-1)", wp.Timeit{Number: 10}, "f(-1)", ""},
		{"-q x", wp.Timeit{}, "", "unknown option -q"},
		{"-n 0 x", wp.Timeit{}, "", "positive"},
	} {
		spec, code, err := parseTimeit(c.in)
		if c.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), c.errHas) {
				t.Errorf("%q: error %v", c.in, err)
			}
			continue
		}
		if err != nil || spec != c.spec || code != c.code {
			t.Errorf("%q: %+v %q %v", c.in, spec, code, err)
		}
	}
}
