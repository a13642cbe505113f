package display

import (
	"image"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

type bundled struct{}

func (bundled) MIMEBundle() map[string]any {
	return map[string]any{MIMEHTML: "<b>hi</b>"}
}

func TestValueBundlePlain(t *testing.T) {
	for v, want := range map[any]string{42: "42", "s": "s", 1.5: "1.5"} {
		data, md := ValueBundle(v)
		if data[MIMEText] != want || len(data) != 1 || md == nil {
			t.Errorf("ValueBundle(%v) = %v, %v", v, data, md)
		}
	}
	var nilTensor *dl.Tensor
	if data, _ := ValueBundle(nilTensor); data[MIMEText] != "<nil>" {
		t.Errorf("nil tensor gives %v", data)
	}
}

func TestValueBundleBundler(t *testing.T) {
	data, _ := ValueBundle(bundled{})
	if data[MIMEHTML] != "<b>hi</b>" {
		t.Errorf("MIMEBundle not honoured: %v", data)
	}
	if data[MIMEText] != "{}" {
		t.Errorf("text/plain %q, want %%v of the value", data[MIMEText])
	}
}

func TestValueBundleImage(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 7, 5))
	data, md := ValueBundle(img)
	raw, ok := data[MIMEPNG].([]byte)
	if !ok || len(raw) == 0 {
		t.Fatal("image gives no PNG")
	}
	if size := md[MIMEPNG].(map[string]int); size["width"] != 7 || size["height"] != 5 {
		t.Errorf("image metadata %v", md)
	}
}

func TestValueBundleTensor(t *testing.T) {
	data, _ := ValueBundle(dl.Zeros(2, 2))
	if h, _ := data[MIMEHTML].(string); !strings.Contains(h, "dataframe") {
		t.Errorf("tensor gives no table: %v", data)
	}
}

// panicky's String panics: ValueBundle must not.
type panicky struct{}

func (panicky) MIMEBundle() map[string]any { panic("boom") }

func TestValueBundleRecovers(t *testing.T) {
	data, _ := ValueBundle(panicky{})
	if _, ok := data[MIMEText]; !ok {
		t.Errorf("no text after a panicking MIMEBundle: %v", data)
	}
}

func imageOf(w, h int) image.Image { return image.NewGray(image.Rect(0, 0, w, h)) }
