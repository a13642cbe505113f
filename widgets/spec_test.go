package widgets

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// The attributes of each model as the ipywidgets 8 model specification
// (packages/schema/jupyterwidgetmodels.v8.md) lists them: the comm_open of
// a widget must carry exactly these.
var modelNames = "_model_module _model_module_version _model_name _view_module _view_module_version _view_name "

var specAttrs = map[string]string{
	"LayoutModel": modelNames + strings.Join(layoutKeys, " "),
	"FloatSliderModel": modelNames + "_dom_classes behavior continuous_update description description_allow_html disabled " +
		"layout max min orientation readout readout_format step style tabbable tooltip value",
	"IntSliderModel": modelNames + "_dom_classes behavior continuous_update description description_allow_html disabled " +
		"layout max min orientation readout readout_format step style tabbable tooltip value",
	"SliderStyleModel":      modelNames + "description_width handle_color",
	"DropdownModel":         modelNames + "_dom_classes _options_labels description description_allow_html disabled index layout style tabbable tooltip",
	"DescriptionStyleModel": modelNames + "description_width",
	"ButtonModel":           modelNames + "_dom_classes button_style description disabled icon layout style tabbable tooltip",
	"ButtonStyleModel": modelNames + "button_color font_family font_size font_style font_variant font_weight " +
		"text_color text_decoration",
	"CheckboxModel":      modelNames + "_dom_classes description description_allow_html disabled indent layout style tabbable tooltip value",
	"CheckboxStyleModel": modelNames + "background description_width",
	"TextModel": modelNames + "_dom_classes continuous_update description description_allow_html disabled layout " +
		"placeholder style tabbable tooltip value",
	"TextStyleModel": modelNames + "background description_width font_size text_color",
	"OutputModel":    modelNames + "_dom_classes layout msg_id outputs tabbable tooltip",
	"HBoxModel":      modelNames + "_dom_classes box_style children layout tabbable tooltip",
	"VBoxModel":      modelNames + "_dom_classes box_style children layout tabbable tooltip",
}

// specModules are the model and view modules, versions and view names.
var specModules = map[string][6]string{
	"LayoutModel":           {"LayoutModel", "@jupyter-widgets/base", "2.0.0", "LayoutView", "@jupyter-widgets/base", "2.0.0"},
	"FloatSliderModel":      {"FloatSliderModel", "@jupyter-widgets/controls", "2.0.0", "FloatSliderView", "@jupyter-widgets/controls", "2.0.0"},
	"IntSliderModel":        {"IntSliderModel", "@jupyter-widgets/controls", "2.0.0", "IntSliderView", "@jupyter-widgets/controls", "2.0.0"},
	"SliderStyleModel":      {"SliderStyleModel", "@jupyter-widgets/controls", "2.0.0", "StyleView", "@jupyter-widgets/base", "2.0.0"},
	"DropdownModel":         {"DropdownModel", "@jupyter-widgets/controls", "2.0.0", "DropdownView", "@jupyter-widgets/controls", "2.0.0"},
	"DescriptionStyleModel": {"DescriptionStyleModel", "@jupyter-widgets/controls", "2.0.0", "StyleView", "@jupyter-widgets/base", "2.0.0"},
	"ButtonModel":           {"ButtonModel", "@jupyter-widgets/controls", "2.0.0", "ButtonView", "@jupyter-widgets/controls", "2.0.0"},
	"ButtonStyleModel":      {"ButtonStyleModel", "@jupyter-widgets/controls", "2.0.0", "StyleView", "@jupyter-widgets/base", "2.0.0"},
	"CheckboxModel":         {"CheckboxModel", "@jupyter-widgets/controls", "2.0.0", "CheckboxView", "@jupyter-widgets/controls", "2.0.0"},
	"CheckboxStyleModel":    {"CheckboxStyleModel", "@jupyter-widgets/controls", "2.0.0", "StyleView", "@jupyter-widgets/base", "2.0.0"},
	"TextModel":             {"TextModel", "@jupyter-widgets/controls", "2.0.0", "TextView", "@jupyter-widgets/controls", "2.0.0"},
	"TextStyleModel":        {"TextStyleModel", "@jupyter-widgets/controls", "2.0.0", "StyleView", "@jupyter-widgets/base", "2.0.0"},
	"OutputModel":           {"OutputModel", "@jupyter-widgets/output", "1.0.0", "OutputView", "@jupyter-widgets/output", "1.0.0"},
	"HBoxModel":             {"HBoxModel", "@jupyter-widgets/controls", "2.0.0", "HBoxView", "@jupyter-widgets/controls", "2.0.0"},
	"VBoxModel":             {"VBoxModel", "@jupyter-widgets/controls", "2.0.0", "VBoxView", "@jupyter-widgets/controls", "2.0.0"},
}

// checkOpen checks a comm_open against the specification.
func checkOpen(t *testing.T, c wp.Comm) map[string]any {
	t.Helper()
	if c.Target != "jupyter.widget" {
		t.Errorf("target %q", c.Target)
	}
	if c.Metadata["version"] != "2.1.0" {
		t.Errorf("metadata %v, want the protocol version 2.1.0", c.Metadata)
	}
	if bp, ok := c.Data["buffer_paths"].([]any); !ok || len(bp) != 0 {
		t.Errorf("buffer_paths %#v, want []", c.Data["buffer_paths"])
	}
	st := c.Data["state"].(map[string]any)
	name := st["_model_name"].(string)
	want, ok := specAttrs[name]
	if !ok {
		t.Fatalf("model %s is not in the test's specification", name)
	}
	if got := keys(st); !slices.Equal(got, sortedCopy(strings.Fields(want))) {
		t.Errorf("%s attributes\n got %v\nwant %v", name, got, sortedCopy(strings.Fields(want)))
	}
	m := specModules[name]
	got := [6]string{}
	for i, k := range []string{"_model_name", "_model_module", "_model_module_version", "_view_name", "_view_module", "_view_module_version"} {
		got[i], _ = st[k].(string)
	}
	if got != m {
		t.Errorf("%s names %v, want %v", name, got, m)
	}
	return st
}

func TestEveryWidgetOpensAsTheSpecificationSays(t *testing.T) {
	r := setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.1)
	n := NewIntSlider("epochs", 1, 20, 1, 5)
	d := NewDropdown("activation", []string{"relu", "tanh"}, "tanh")
	b := NewButton("train")
	c := NewCheckbox("bias", true)
	x := NewText("name", "mlp")
	o := NewOutput()
	h := HBox(s, n)
	v := VBox(d, b, c, x, o)
	evs := r.take()
	seen := map[string]bool{}
	ids := map[string]bool{}
	for i, e := range evs {
		if e.kind != "comm" || e.comm.Type != wp.CommOpen {
			t.Fatalf("event %d is %s, want only comm_opens", i, describe(evs[i:i+1]))
		}
		st := checkOpen(t, e.comm)
		seen[st["_model_name"].(string)] = true
		// A reference names a model opened before.
		for _, k := range []string{"layout", "style"} {
			if ref, ok := st[k].(string); ok && !ids[strings.TrimPrefix(ref, "IPY_MODEL_")] {
				t.Errorf("%s.%s = %q refers to no model opened before", st["_model_name"], k, ref)
			}
		}
		if len(e.comm.ID) != 32 || strings.Trim(e.comm.ID, "0123456789abcdef") != "" {
			t.Errorf("comm id %q, want 32 hex digits", e.comm.ID)
		}
		ids[e.comm.ID] = true
	}
	for name := range specAttrs {
		if !seen[name] {
			t.Errorf("no %s was opened", name)
		}
	}
	// 9 widgets, 9 layouts, 6 styles (boxes and outputs have none).
	if len(evs) != 24 {
		t.Errorf("%d comm_opens, want 24", len(evs))
	}
	st := opens(evs)
	if got := st["HBoxModel"].Data["state"].(map[string]any)["children"]; !reflect.DeepEqual(got, []any{"IPY_MODEL_" + s.ModelID(), "IPY_MODEL_" + n.ModelID()}) {
		t.Errorf("HBox children %v", got)
	}
	if got := st["VBoxModel"].Data["state"].(map[string]any)["children"].([]any); len(got) != 5 || got[4] != "IPY_MODEL_"+o.ModelID() {
		t.Errorf("VBox children %v", got)
	}
	fs := st["FloatSliderModel"].Data["state"].(map[string]any)
	for k, want := range map[string]any{"value": 0.1, "min": 0.0, "max": 1.0, "step": 0.01, "description": "slope", "readout_format": ".2f", "behavior": "drag-tap", "continuous_update": true, "orientation": "horizontal", "readout": true, "disabled": false, "tooltip": nil, "tabbable": nil} {
		if !reflect.DeepEqual(fs[k], want) {
			t.Errorf("FloatSlider %s = %#v, want %#v", k, fs[k], want)
		}
	}
	is := st["IntSliderModel"].Data["state"].(map[string]any)
	if is["value"] != 5.0 || is["min"] != 1.0 || is["max"] != 20.0 || is["readout_format"] != "d" {
		t.Errorf("IntSlider state %v", is)
	}
	ds := st["DropdownModel"].Data["state"].(map[string]any)
	if !reflect.DeepEqual(ds["_options_labels"], []any{"relu", "tanh"}) || ds["index"] != 1.0 {
		t.Errorf("Dropdown state %v", ds)
	}
	if os := st["OutputModel"].Data["state"].(map[string]any); os["msg_id"] != "" || !reflect.DeepEqual(os["outputs"], []any{}) {
		t.Errorf("Output state %v", os)
	}
	_, _ = h, v
}

func TestViewBundleAndTextFallback(t *testing.T) {
	setup(t)
	s := NewFloatSlider("slope", 0, 1, 0.01, 0.25)
	var b map[string]any
	roundTrip(s.MIMEBundle(), &b)
	view := b["application/vnd.jupyter.widget-view+json"].(map[string]any)
	if view["model_id"] != s.ModelID() || view["version_major"] != 2.0 || view["version_minor"] != 0.0 {
		t.Errorf("view %v", view)
	}
	if text := b["text/plain"]; text != `FloatSlider(value=0.25, min=0, max=1, step=0.01, description="slope")` {
		t.Errorf("text/plain %q", text)
	}
}

func TestFinerStepsReadOutMoreDigits(t *testing.T) {
	for step, want := range map[float64]string{0.1: ".2f", 0.01: ".2f", 0.001: ".3f", 0.0005: ".4f", 1: ".2f", 2.5: ".2f"} {
		if got := floatFormat(step); got != want {
			t.Errorf("step %v: readout %q, want %q", step, got, want)
		}
	}
}
