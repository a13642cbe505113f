package display

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"strings"
)

// The functions here show one output each. Every bundle carries
// text/plain beside its rich form, for front ends (and nbconvert to text)
// that cannot show the rich one.

// Markdown shows s rendered as Markdown.
func Markdown(s string) { Publish(map[string]any{MIMEText: s, MIMEMarkdown: s}, nil) }

// HTML shows s as HTML; the text fallback is s with its tags removed.
func HTML(s string) { Publish(map[string]any{MIMEText: stripTags(s), MIMEHTML: s}, nil) }

// SVG shows an SVG document.
func SVG(s string) { Publish(map[string]any{MIMEText: "<svg image>", MIMESVG: s}, nil) }

// LaTeX shows a formula, e.g. `$\sigma(x) = 1/(1+e^{-x})$`.
func LaTeX(s string) { Publish(map[string]any{MIMEText: s, MIMELaTeX: s}, nil) }

// JSON shows v as an interactive JSON tree (JupyterLab) with the indented
// JSON as text. The JSON travels as a string, because gob cannot carry
// arbitrary maps; the kernel decodes application/json strings before
// sending them on.
func JSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("display: JSON: %w", err))
	}
	var indented bytes.Buffer
	_ = json.Indent(&indented, b, "", "  ")
	Publish(map[string]any{MIMEText: indented.String(), MIMEJSON: string(b)}, nil)
}

// Image shows img as a PNG at its own size.
func Image(img image.Image) { Publish(ImageBundle(img)) }

// ImageBundle is Image without showing it.
func ImageBundle(img image.Image) (data, metadata map[string]any) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(fmt.Errorf("display: Image: %w", err))
	}
	b := img.Bounds()
	return map[string]any{
		MIMEText: fmt.Sprintf("image %dx%d", b.Dx(), b.Dy()),
		MIMEPNG:  buf.Bytes(),
	}, imageMetadata(MIMEPNG, b.Dx(), b.Dy())
}

// stripTags keeps the text between tags: a rough but safe text/plain
// form of an HTML snippet.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
