package widgets

import (
	"fmt"
	"slices"
	"strings"
)

// Box lays widgets out in a row (HBox) or a column (VBox).
type Box struct {
	core
	kind     string
	children []Widget
}

// HBox puts widgets side by side.
func HBox(children ...Widget) *Box { return newBox("HBox", nil, children) }

// VBox puts widgets one under another.
func VBox(children ...Widget) *Box { return newBox("VBox", nil, children) }

func newBox(kind string, classes []any, children []Widget) *Box {
	refs := make([]any, len(children))
	for i, c := range children {
		if c == nil {
			panic(fmt.Errorf("widgets.%s: child %d is nil", kind, i))
		}
		refs[i] = c.base().ref()
	}
	if classes == nil {
		classes = []any{}
	}
	b := &Box{kind: kind, children: slices.Clone(children)}
	b.m = newDOMWidget(control(kind), "", map[string]any{"box_style": "", "children": refs, "_dom_classes": classes})
	b.repr = b.String
	b.m.accept = func(string, any) (any, bool) { return nil, false } // nothing in a box is the user's to change
	return b
}

// Children are the widgets in the box.
func (b *Box) Children() []Widget { return slices.Clone(b.children) }

func (b *Box) String() string {
	parts := make([]string, len(b.children))
	for i, c := range b.children {
		parts[i] = fmt.Sprint(c)
	}
	return b.kind + "(" + strings.Join(parts, ", ") + ")"
}
