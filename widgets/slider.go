package widgets

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FloatSlider is a slider over a range of float64 (ipywidgets'
// FloatSlider).
type FloatSlider struct{ core }

// NewFloatSlider makes a slider from min to max in steps of step, at
// value (clamped into the range), labelled description.
func NewFloatSlider(description string, min, max, step, value float64) *FloatSlider {
	for _, v := range []float64{min, max, step, value} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			panic(fmt.Errorf("widgets.NewFloatSlider(%q, %v, %v, %v, %v): the numbers must be finite", description, min, max, step, value))
		}
	}
	if min > max {
		panic(fmt.Errorf("widgets.NewFloatSlider(%q): min %v is above max %v", description, min, max))
	}
	if step <= 0 {
		panic(fmt.Errorf("widgets.NewFloatSlider(%q): step %v must be positive", description, step))
	}
	attrs := sliderAttrs(description)
	attrs["min"], attrs["max"], attrs["step"], attrs["value"] = min, max, step, clamp(value, min, max)
	attrs["readout_format"] = floatFormat(step)
	s := &FloatSlider{}
	s.m = newDOMWidget(control("FloatSlider"), "SliderStyle", attrs)
	s.repr = s.String
	s.m.watchKey("value", func(v any) (any, bool) {
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) {
			return nil, false
		}
		return clamp(f, min, max), true
	})
	return s
}

// sliderAttrs are the attributes sliders share.
func sliderAttrs(description string) map[string]any {
	a := describedAttrs(description)
	a["behavior"], a["continuous_update"], a["orientation"], a["readout"] = "drag-tap", true, "horizontal", true
	return a
}

// floatFormat is the readout format: ipywidgets' ".2f", with more digits
// when the step is finer.
func floatFormat(step float64) string {
	digits := 2
	if _, frac, ok := strings.Cut(strconv.FormatFloat(step, 'f', -1, 64), "."); ok {
		digits = min(max(digits, len(frac)), 8)
	}
	return "." + strconv.Itoa(digits) + "f"
}

func clamp(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }

// Value is the slider's value.
func (s *FloatSlider) Value() float64 { f, _ := s.m.get("value").(float64); return f }

// Set moves the slider (clamped into its range); the front end follows,
// and OnChange callbacks run if the value changed.
func (s *FloatSlider) Set(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		panic(fmt.Errorf("widgets: FloatSlider(%q).Set(%v): the value must be finite", s.m.get("description"), v))
	}
	lo, _ := s.m.get("min").(float64)
	hi, _ := s.m.get("max").(float64)
	s.m.set(map[string]any{"value": clamp(v, lo, hi)})
}

// OnChange runs f with the new value whenever it changes, in the front end
// or through Set.
func (s *FloatSlider) OnChange(f func(v float64)) {
	s.m.observe(observer{fn: func() { f(s.Value()) }})
}

func (s *FloatSlider) value() any          { return s.Value() }
func (s *FloatSlider) watch(o observer)    { s.m.observe(o) }
func (s *FloatSlider) description() string { d, _ := s.m.get("description").(string); return d }
func (s *FloatSlider) String() string {
	return fmt.Sprintf("FloatSlider(value=%v, min=%v, max=%v, step=%v, description=%q)",
		s.Value(), s.m.get("min"), s.m.get("max"), s.m.get("step"), s.description())
}

// IntSlider is a slider over a range of ints (ipywidgets' IntSlider).
type IntSlider struct{ core }

// NewIntSlider makes a slider from min to max in steps of step, at value
// (clamped into the range), labelled description.
func NewIntSlider(description string, min, max, step, value int) *IntSlider {
	if min > max {
		panic(fmt.Errorf("widgets.NewIntSlider(%q): min %d is above max %d", description, min, max))
	}
	if step <= 0 {
		panic(fmt.Errorf("widgets.NewIntSlider(%q): step %d must be positive", description, step))
	}
	attrs := sliderAttrs(description)
	attrs["min"], attrs["max"], attrs["step"], attrs["value"] = min, max, step, clampInt(value, min, max)
	attrs["readout_format"] = "d"
	s := &IntSlider{}
	s.m = newDOMWidget(control("IntSlider"), "SliderStyle", attrs)
	s.repr = s.String
	s.m.watchKey("value", func(v any) (any, bool) {
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, false
		}
		return clampInt(int(math.Round(f)), min, max), true
	})
	return s
}

func clampInt(v, lo, hi int) int { return min(max(v, lo), hi) }

// asInt reads an int attribute (held as int, or float64 after JSON).
func asInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case float64:
		return int(x)
	}
	return 0
}

// Value is the slider's value.
func (s *IntSlider) Value() int { return asInt(s.m.get("value")) }

// Set moves the slider (clamped into its range); the front end follows,
// and OnChange callbacks run if the value changed.
func (s *IntSlider) Set(v int) {
	s.m.set(map[string]any{"value": clampInt(v, asInt(s.m.get("min")), asInt(s.m.get("max")))})
}

// OnChange runs f with the new value whenever it changes, in the front end
// or through Set.
func (s *IntSlider) OnChange(f func(v int)) {
	s.m.observe(observer{fn: func() { f(s.Value()) }})
}

func (s *IntSlider) value() any          { return s.Value() }
func (s *IntSlider) watch(o observer)    { s.m.observe(o) }
func (s *IntSlider) description() string { d, _ := s.m.get("description").(string); return d }
func (s *IntSlider) String() string {
	return fmt.Sprintf("IntSlider(value=%d, min=%v, max=%v, step=%v, description=%q)",
		s.Value(), s.m.get("min"), s.m.get("max"), s.m.get("step"), s.description())
}
