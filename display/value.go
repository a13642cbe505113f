package display

import (
	"fmt"
	"maps"
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

// ValueBundle renders v, the value of a cell's last expression, as a MIME
// bundle (data) with its metadata. data always holds "text/plain".
// metadata is never nil.
func ValueBundle(v any) (data map[string]any, metadata map[string]any) {
	metadata = map[string]any{}
	switch x := v.(type) {
	case Bundler:
		data = maps.Clone(x.MIMEBundle())
		if data == nil {
			data = map[string]any{}
		}
	default:
		data = map[string]any{}
	}
	if _, ok := data[MIMEText]; !ok {
		data[MIMEText] = fmt.Sprintf("%v", v)
	}
	return data, metadata
}
