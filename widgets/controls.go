package widgets

import (
	"fmt"
	"math"
	"slices"
)

// Dropdown picks one of a list of strings (ipywidgets' Dropdown). The
// front end syncs the selected index; Value is the option there.
type Dropdown struct {
	core
	options []string
}

// NewDropdown makes a dropdown over options with value selected (the
// first option when value is "").
func NewDropdown(description string, options []string, value string) *Dropdown {
	idx := any(nil)
	if value == "" && len(options) > 0 {
		idx = 0
	} else if value != "" {
		i := slices.Index(options, value)
		if i < 0 {
			panic(fmt.Errorf("widgets.NewDropdown(%q): value %q is not one of the options %q", description, value, options))
		}
		idx = i
	}
	labels := make([]any, len(options))
	for i, o := range options {
		labels[i] = o
	}
	attrs := describedAttrs(description)
	attrs["_options_labels"], attrs["index"] = labels, idx
	d := &Dropdown{options: slices.Clone(options)}
	d.m = newDOMWidget(control("Dropdown"), "DescriptionStyle", attrs)
	d.repr = d.String
	d.m.watchKey("index", func(v any) (any, bool) {
		if v == nil {
			return nil, true
		}
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || f < 0 || int(f) >= len(d.options) {
			return nil, false
		}
		return int(f), true
	})
	return d
}

// Index is the selected option's index, -1 when none is.
func (d *Dropdown) Index() int {
	if v := d.m.get("index"); v != nil {
		return asInt(v)
	}
	return -1
}

// Value is the selected option, "" when none is.
func (d *Dropdown) Value() string {
	if i := d.Index(); i >= 0 && i < len(d.options) {
		return d.options[i]
	}
	return ""
}

// Set selects the option v; the front end follows, and OnChange callbacks
// run if the selection changed.
func (d *Dropdown) Set(v string) {
	i := slices.Index(d.options, v)
	if i < 0 {
		panic(fmt.Errorf("widgets: Dropdown(%q).Set(%q): not one of the options %q", d.m.get("description"), v, d.options))
	}
	d.m.set(map[string]any{"index": i})
}

// OnChange runs f with the selected option whenever the selection changes.
func (d *Dropdown) OnChange(f func(v string)) {
	d.m.observe(observer{fn: func() { f(d.Value()) }})
}

func (d *Dropdown) value() any       { return d.Value() }
func (d *Dropdown) watch(o observer) { d.m.observe(o) }
func (d *Dropdown) String() string {
	return fmt.Sprintf("Dropdown(value=%q, options=%q, description=%q)", d.Value(), d.options, d.m.get("description"))
}

// Checkbox is a boolean (ipywidgets' Checkbox).
type Checkbox struct{ core }

// NewCheckbox makes a checkbox labelled description, ticked if value.
func NewCheckbox(description string, value bool) *Checkbox {
	attrs := describedAttrs(description)
	attrs["indent"], attrs["value"] = true, value
	c := &Checkbox{}
	c.m = newDOMWidget(control("Checkbox"), "CheckboxStyle", attrs)
	c.repr = c.String
	c.m.watchKey("value", func(v any) (any, bool) {
		b, ok := v.(bool)
		return b, ok
	})
	return c
}

// Value reports whether the box is ticked.
func (c *Checkbox) Value() bool { b, _ := c.m.get("value").(bool); return b }

// Set ticks or clears the box; the front end follows, and OnChange
// callbacks run if it changed.
func (c *Checkbox) Set(v bool) { c.m.set(map[string]any{"value": v}) }

// OnChange runs f with the new value whenever it changes.
func (c *Checkbox) OnChange(f func(v bool)) {
	c.m.observe(observer{fn: func() { f(c.Value()) }})
}

func (c *Checkbox) value() any       { return c.Value() }
func (c *Checkbox) watch(o observer) { c.m.observe(o) }
func (c *Checkbox) String() string {
	return fmt.Sprintf("Checkbox(value=%v, description=%q)", c.Value(), c.m.get("description"))
}

// Text is a one-line text box (ipywidgets' Text).
type Text struct{ core }

// NewText makes a text box labelled description holding value.
func NewText(description, value string) *Text {
	attrs := describedAttrs(description)
	attrs["continuous_update"], attrs["placeholder"], attrs["value"] = true, "\u200b", value
	t := &Text{}
	t.m = newDOMWidget(control("Text"), "TextStyle", attrs)
	t.repr = t.String
	t.m.watchKey("value", func(v any) (any, bool) {
		s, ok := v.(string)
		return s, ok
	})
	return t
}

// Value is the text.
func (t *Text) Value() string { s, _ := t.m.get("value").(string); return s }

// Set replaces the text; the front end follows, and OnChange callbacks run
// if it changed.
func (t *Text) Set(v string) { t.m.set(map[string]any{"value": v}) }

// OnChange runs f with the new text whenever it changes (as the user
// types).
func (t *Text) OnChange(f func(v string)) {
	t.m.observe(observer{fn: func() { f(t.Value()) }})
}

func (t *Text) value() any       { return t.Value() }
func (t *Text) watch(o observer) { t.m.observe(o) }
func (t *Text) String() string {
	return fmt.Sprintf("Text(value=%q, description=%q)", t.Value(), t.m.get("description"))
}

// Button is a push button (ipywidgets' Button).
type Button struct {
	core
	clicks []observer
}

// NewButton makes a button labelled description.
func NewButton(description string) *Button {
	b := &Button{}
	b.m = newDOMWidget(control("Button"), "ButtonStyle", map[string]any{
		"button_style": "", "description": description, "disabled": false, "icon": "",
	})
	b.repr = b.String
	b.m.custom = func(content map[string]any) []observer {
		if content["event"] != "click" {
			return nil
		}
		return b.handlers()
	}
	return b
}

// OnClick runs f whenever the button is clicked.
func (b *Button) OnClick(f func()) {
	b.m.mu.Lock()
	defer b.m.mu.Unlock()
	b.clicks = append(b.clicks, observer{fn: f})
}

func (b *Button) handlers() []observer {
	b.m.mu.Lock()
	defer b.m.mu.Unlock()
	return slices.Clone(b.clicks)
}

// Click runs the OnClick callbacks, as a click in the front end does.
func (b *Button) Click() { fire(b.m, b.handlers()) }

func (b *Button) String() string {
	return fmt.Sprintf("Button(description=%q)", b.m.get("description"))
}
