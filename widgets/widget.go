package widgets

import (
	"fmt"
	"os"
)

// Widget is anything this package makes: it can be shown (as a cell's
// last expression, or with Show) and put in a box.
type Widget interface {
	// ModelID is the widget's comm id, which its views name.
	ModelID() string
	// MIMEBundle is the widget's display: the widget view and a
	// text/plain form for front ends without widgets.
	MIMEBundle() map[string]any
	// Close closes the widget's comm: its views disappear and it no
	// longer reacts.
	Close()
	base() *model
}

// core is what every widget type embeds.
type core struct {
	m    *model
	repr func() string // the widget's String, for text/plain
}

// ModelID is the widget's comm id.
func (c core) ModelID() string { return c.m.id }

// MIMEBundle is the widget's display bundle. A widget shown by a cell
// belongs to that cell: its callbacks print there.
func (c core) MIMEBundle() map[string]any {
	c.m.shownIn(current().cell)
	return c.m.viewBundle(c.repr())
}

// Close closes the widget's comm.
func (c core) Close() { c.m.close() }

func (c core) base() *model { return c.m }

// Show displays widgets as outputs of the running cell (or, in a callback,
// where its output goes). Outside a notebook it prints their text forms.
func Show(ws ...Widget) {
	t := transport()
	for _, w := range ws {
		b := w.MIMEBundle()
		if t == nil {
			fmt.Fprintln(os.Stdout, b["text/plain"])
			continue
		}
		t.Display(b, map[string]any{}, 0)
	}
}

// layoutKeys are the attributes of a LayoutModel, all unset (null).
var layoutKeys = []string{
	"align_content", "align_items", "align_self", "border_bottom", "border_left", "border_right", "border_top",
	"bottom", "display", "flex", "flex_flow", "grid_area", "grid_auto_columns", "grid_auto_flow", "grid_auto_rows",
	"grid_column", "grid_gap", "grid_row", "grid_template_areas", "grid_template_columns", "grid_template_rows",
	"height", "justify_content", "justify_items", "left", "margin", "max_height", "max_width", "min_height",
	"min_width", "object_fit", "object_position", "order", "overflow", "padding", "right", "top", "visibility", "width",
}

// newLayout opens the LayoutModel a widget's "layout" refers to.
func newLayout() *model {
	attrs := make(map[string]any, len(layoutKeys))
	for _, k := range layoutKeys {
		attrs[k] = nil
	}
	return newModel(spec{"LayoutModel", baseModule, baseVersion, "LayoutView", baseModule, baseVersion}, attrs)
}

// Style models: the attributes each kind of widget's "style" has.
var styles = map[string]map[string]any{
	"SliderStyle":      {"description_width": "", "handle_color": nil},
	"DescriptionStyle": {"description_width": ""},
	"CheckboxStyle":    {"background": nil, "description_width": ""},
	"TextStyle":        {"background": nil, "description_width": "", "font_size": nil, "text_color": nil},
	"ButtonStyle": {
		"button_color": nil, "font_family": nil, "font_size": nil, "font_style": nil,
		"font_variant": nil, "font_weight": nil, "text_color": nil, "text_decoration": nil,
	},
}

// newStyle opens the style model a widget's "style" refers to.
func newStyle(name string) *model {
	return newModel(spec{name + "Model", controlsModule, controlsVersion, "StyleView", baseModule, baseVersion}, styles[name])
}

// newDOMWidget opens a layout, a style (unless style is ""), then the
// widget itself with the attributes every DOM widget has, as ipywidgets
// does: the parts' comm_opens go first, so the references resolve.
func newDOMWidget(s spec, style string, attrs map[string]any) *model {
	layout := newLayout()
	parts := []*model{layout}
	all := map[string]any{"_dom_classes": []any{}, "layout": layout.ref(), "tabbable": nil, "tooltip": nil}
	if style != "" {
		st := newStyle(style)
		parts = append(parts, st)
		all["style"] = st.ref()
	}
	for k, v := range attrs {
		all[k] = v
	}
	return newModel(s, all, parts...)
}

// describedAttrs are the attributes of a widget with a description.
func describedAttrs(description string) map[string]any {
	return map[string]any{"description": description, "description_allow_html": false, "disabled": false}
}
