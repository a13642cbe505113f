package display

import (
	"fmt"
	"strings"
	"sync"

	"github.com/godl-dev/godl/dl"
)

// Curve is a live line chart, redrawn in place as points arrive: the loss
// and accuracy curves of a training loop.
//
//	c := display.NewCurve("loss")
//	for epoch := range 10 {
//		...
//		c.Add("train", epoch, loss.Item())
//		c.Add("val", epoch, valLoss)
//	}
//
// Redraws are throttled like every live output (see Flush) and, when a
// redraw is slow, spaced so they take at most a tenth of the time; the
// final chart always has every point. A Curve is safe for concurrent use.
type Curve struct {
	title string
	opts  []PlotOption
	l     *live

	mu     sync.Mutex
	series []*curveSeries // in the order they first appeared
}

type curveSeries struct {
	name string
	x, y []float64
}

// NewCurve returns an empty live chart. It appears with its first point.
// opts are plot options (Size, XLabel, YLabel, LogY, AsSVG); the x axis
// is labelled "step" unless XLabel says otherwise.
func NewCurve(title string, opts ...PlotOption) *Curve {
	c := &Curve{title: title, opts: append([]PlotOption{XLabel("step")}, opts...)}
	c.l = newLive(c.bundle)
	return c
}

// Add appends the point (step, value) to the named series and redraws.
// step and value may be any Go number (int, float32, float64, ...) or a
// one-element tensor, so c.Add("train", epoch, loss) works as written.
// A value that is not a number panics.
func (c *Curve) Add(series string, step, value any) {
	x, y := number(step), number(value)
	c.mu.Lock()
	var s *curveSeries
	for _, t := range c.series {
		if t.name == series {
			s = t
			break
		}
	}
	if s == nil {
		s = &curveSeries{name: series}
		c.series = append(c.series, s)
	}
	s.x = append(s.x, x)
	s.y = append(s.y, y)
	c.mu.Unlock()
	c.l.update()
}

// Finish draws the final chart now and stops updating it; later Adds
// change the data (see MIMEBundle) but not the shown chart.
func (c *Curve) Finish() { c.l.finish() }

// MIMEBundle returns the chart as it is now, so a Curve that is the last
// value of a cell shows as a chart — unless the cell already shows it
// live; then the cell's value is its text (see String), not a second
// chart.
func (c *Curve) MIMEBundle() map[string]any {
	if c.l.onScreenHere() {
		return map[string]any{MIMEText: c.String()}
	}
	data, _ := c.bundle()
	return data
}

// MIMEMetadata returns the chart's display size, to go with MIMEBundle.
func (c *Curve) MIMEMetadata() map[string]any {
	if c.l.onScreenHere() {
		return map[string]any{}
	}
	cfg := configure(c.opts)
	return imageMetadata(MIMEPNG, cfg.width, cfg.height)
}

// Points returns the points of one series (copies), e.g. for a test or
// to save them.
func (c *Curve) Points(series string) (steps, values []float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.series {
		if s.name == series {
			return append([]float64(nil), s.x...), append([]float64(nil), s.y...)
		}
	}
	return nil, nil
}

func (c *Curve) bundle() (map[string]any, map[string]any) {
	c.mu.Lock()
	ss := make([]xySeries, len(c.series))
	for i, s := range c.series {
		// The slices only grow, so these views stay valid after unlocking.
		ss[i] = xySeries{s.name, s.x, s.y}
	}
	c.mu.Unlock()
	cfg := configure(c.opts)
	return renderPlot(xyPlot(c.title, cfg, ss, true), cfg, curveText(c.title, ss))
}

// String is the chart's text form: its title and the last point of each
// series.
func (c *Curve) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ss := make([]xySeries, len(c.series))
	for i, s := range c.series {
		ss[i] = xySeries{s.name, s.x, s.y}
	}
	return curveText(c.title, ss)
}

func curveText(title string, ss []xySeries) string {
	var last []string
	for _, s := range ss {
		n := len(s.x)
		last = append(last, fmt.Sprintf("%s: %d points, step %g = %.4g", s.name, n, s.x[n-1], s.y[n-1]))
	}
	if len(last) == 0 {
		return title + " — no points yet"
	}
	return title + " — " + strings.Join(last, "; ")
}

// number converts a Go number or a one-element tensor to float64.
func number(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	case float64:
		return x
	case *dl.Tensor:
		return float64(x.Item())
	}
	panic(fmt.Errorf("display: Curve.Add wants a number or a one-element tensor, got %T", v))
}
