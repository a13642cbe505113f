package display

import (
	"fmt"
	"html"
	"iter"
	"strings"
	"sync/atomic"
	"time"
)

// Progress returns an iterator over 0..n-1 that shows a progress bar,
// updated in place while the loop runs:
//
//	for epoch := range display.Progress(10, "epoch") { ... }
//
// The bar shows the count, the rate, the elapsed time and an estimate of
// the time left, as HTML with a text/plain fallback. It ends at 100 % when
// the loop completes, and shows where it stopped when the loop breaks or
// panics. The bar appears after 100 ms or when the loop ends, whichever
// is first, so a fast inner loop sends one message. Updates are throttled
// (see Flush), so a tight loop pays only a clock read per step.
func Progress(n int, label string) iter.Seq[int] {
	return func(yield func(int) bool) {
		p := newProgressBar(n, true, label)
		defer p.l.finish()
		for i := range n {
			if !yield(i) {
				return
			}
			p.done.Store(int64(i + 1))
			p.l.update()
		}
	}
}

// progressBar is the state behind one Progress or Track loop.
type progressBar struct {
	n     int
	known bool // n is the length; otherwise only the count is shown
	label string
	start time.Time
	done  atomic.Int64 // completed steps; written by the loop, read by renders
	ended atomic.Bool  // the loop is over (a bar of unknown length is then full)
	l     *live
}

func newProgressBar(n int, known bool, label string) *progressBar {
	p := &progressBar{n: max(n, 0), known: known, label: label, start: clk.Now()}
	p.l = newLive(p.bundle)
	p.l.showSoon()
	return p
}

// progressStats are the numbers a bar shows.
type progressStats struct {
	done, n          int
	known            bool    // n is known
	frac             float64 // 0..1
	elapsed, eta     time.Duration
	rate             float64 // steps per second, 0 while unknown
	etaKnown, finish bool
}

func (p *progressBar) stats() progressStats {
	s := progressStats{done: int(p.done.Load()), n: p.n, known: p.known, elapsed: clk.Now().Sub(p.start)}
	s.n = max(s.n, s.done) // a sequence longer than said
	if !s.known {
		if secs := s.elapsed.Seconds(); secs > 0 && s.done > 0 {
			s.rate = float64(s.done) / secs
		}
		s.finish = p.ended.Load()
		return s
	}
	if s.n == 0 {
		s.frac = 1
	} else {
		s.frac = float64(s.done) / float64(s.n)
	}
	s.finish = s.done >= s.n
	if secs := s.elapsed.Seconds(); secs > 0 && s.done > 0 {
		s.rate = float64(s.done) / secs
		s.eta = time.Duration(float64(s.n-s.done) / s.rate * float64(time.Second))
		s.etaKnown = true
	}
	return s
}

func (p *progressBar) bundle() (map[string]any, map[string]any) {
	s := p.stats()
	return map[string]any{
		MIMEText: p.text(s),
		MIMEHTML: p.html(s),
	}, map[string]any{}
}

// text is a tqdm-like line: "epoch  40%|████      | 4/10 [00:02<00:03, 2.00it/s]".
func (p *progressBar) text(s progressStats) string {
	if !s.known { // tqdm without a total: "batch 12it [00:03, 4.00it/s]"
		label := p.label
		if label != "" {
			label += " "
		}
		return fmt.Sprintf("%s%dit [%s, %s]", label, s.done, clockString(s.elapsed), rateString(s.rate))
	}
	const width = 20
	full := int(s.frac * width)
	bar := strings.Repeat("█", full) + strings.Repeat(" ", width-full)
	label := p.label
	if label != "" {
		label += " "
	}
	return fmt.Sprintf("%s%3.0f%%|%s| %d/%d [%s<%s, %s]",
		label, 100*s.frac, bar, s.done, s.n, clockString(s.elapsed), etaString(s), rateString(s.rate))
}

func (p *progressBar) html(s progressStats) string {
	var b strings.Builder
	color := "#1f77b4"
	if s.finish {
		color = "#2ca02c"
	}
	b.WriteString(`<div class="godl-progress" style="display:flex;align-items:center;gap:0.6em;font-family:monospace">`)
	if p.label != "" {
		fmt.Fprintf(&b, `<span>%s</span>`, html.EscapeString(p.label))
	}
	if !s.known {
		if s.finish {
			fmt.Fprintf(&b, `<progress value="%d" max="%d" style="width:20em;accent-color:%s"></progress>`, s.done, s.done, color)
		} else { // no value: the browser's indeterminate bar
			fmt.Fprintf(&b, `<progress style="width:20em;accent-color:%s"></progress>`, color)
		}
		fmt.Fprintf(&b, `<span>%d [%s, %s]</span></div>`, s.done, clockString(s.elapsed), html.EscapeString(rateString(s.rate)))
		return b.String()
	}
	fmt.Fprintf(&b, `<progress value="%d" max="%d" style="width:20em;accent-color:%s"></progress>`, s.done, s.n, color)
	fmt.Fprintf(&b, `<span>%3.0f%% %d/%d [%s&lt;%s, %s]</span></div>`,
		100*s.frac, s.done, s.n, clockString(s.elapsed), etaString(s), html.EscapeString(rateString(s.rate)))
	return b.String()
}

// clockString formats d as mm:ss, or h:mm:ss past an hour.
func clockString(d time.Duration) string {
	sec := int(d.Round(time.Second) / time.Second)
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%02d:%02d", sec/60, sec%60)
}

func etaString(s progressStats) string {
	if s.finish {
		return clockString(0)
	}
	if !s.etaKnown {
		return "?"
	}
	return clockString(s.eta)
}

// rateString shows slow loops as seconds per step, like tqdm.
func rateString(r float64) string {
	switch {
	case r <= 0:
		return "?it/s"
	case r < 1:
		return fmt.Sprintf("%.2fs/it", 1/r)
	default:
		return fmt.Sprintf("%.2fit/s", r)
	}
}
