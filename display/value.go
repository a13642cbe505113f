package display

import (
	"fmt"
	"image"
	"maps"
	"reflect"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/nn"
)

// MIME types used in bundles.
const (
	MIMEText     = "text/plain"
	MIMEHTML     = "text/html"
	MIMEMarkdown = "text/markdown"
	MIMEPNG      = "image/png"
	MIMEJPEG     = "image/jpeg"
	MIMESVG      = "image/svg+xml"
	MIMELaTeX    = "text/latex"
	MIMEJSON     = "application/json"
)

// Bundler is implemented by values that know their own MIME bundle.
// The map goes to the front end as the "data" of a display_data message;
// a "text/plain" entry is added when missing.
type Bundler interface {
	MIMEBundle() map[string]any
}

// metadataer may accompany Bundler, for metadata such as image sizes.
type metadataer interface {
	MIMEMetadata() map[string]any
}

// ValueBundle renders v, the value of a cell's last expression, as a MIME
// bundle (data) with its metadata, in this order of preference:
//
//   - a Bundler: its own bundle;
//   - a *dl.Tensor: an HTML table (see TensorBundle) and PyTorch's text;
//   - an image.Image: a PNG;
//   - an nn.Module (anything with Forward(*dl.Tensor) *dl.Tensor): its
//     layers and parameter counts, as Summary without a forward pass;
//   - anything else: fmt's %v.
//
// data always holds "text/plain"; metadata is never nil. A panic while
// rendering falls back to %v, so showing a value never fails a cell.
func ValueBundle(v any) (data map[string]any, metadata map[string]any) {
	defer func() {
		if r := recover(); r != nil {
			data, metadata = plainBundle(v), map[string]any{}
		}
	}()
	if isNilPointer(v) {
		return plainBundle(v), map[string]any{}
	}
	switch x := v.(type) {
	case Bundler:
		data = maps.Clone(x.MIMEBundle())
		if data == nil {
			data = map[string]any{}
		}
		if _, ok := data[MIMEText]; !ok {
			data[MIMEText] = fmt.Sprintf("%v", v)
		}
		md := map[string]any{}
		if m, ok := v.(metadataer); ok {
			maps.Copy(md, m.MIMEMetadata())
		}
		return data, md
	case *dl.Tensor:
		return tensorBundle(x)
	case image.Image:
		return ImageBundle(x)
	case nn.Module:
		return SummaryBundle(x)
	}
	return plainBundle(v), map[string]any{}
}

func plainBundle(v any) map[string]any {
	return map[string]any{MIMEText: fmt.Sprintf("%v", v)}
}

// isNilPointer reports a typed nil pointer, whose methods would panic.
func isNilPointer(v any) bool {
	r := reflect.ValueOf(v)
	return r.Kind() == reflect.Pointer && r.IsNil()
}
