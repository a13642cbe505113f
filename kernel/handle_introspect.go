package kernel

import "unicode/utf8"

type cursorContent struct {
	Code        string `json:"code"`
	CursorPos   *int   `json:"cursor_pos"` // code points; default: end of code
	DetailLevel int    `json:"detail_level"`
}

// cursor returns the request's cursor as a byte offset into the code.
func (c cursorContent) cursor() int {
	if c.CursorPos == nil {
		return len(c.Code)
	}
	return byteOffset(c.Code, *c.CursorPos)
}

func (k *kernel) handleComplete(req *request) {
	var c cursorContent
	if !req.decodeContent(&c) {
		return
	}
	cur := c.cursor()
	comp := k.eng.Complete(c.Code, cur)
	matches := comp.Matches
	if matches == nil {
		matches = []string{}
	}
	start, end := comp.Start, comp.End
	if len(matches) == 0 || start < 0 || end < start || end > len(c.Code) {
		start, end = cur, cur
	}
	md := comp.Metadata
	if md == nil {
		md = map[string]any{}
	}
	req.reply(map[string]any{
		"status":       "ok",
		"matches":      matches,
		"cursor_start": codePointOffset(c.Code, start),
		"cursor_end":   codePointOffset(c.Code, end),
		"metadata":     md,
	})
}

func (k *kernel) handleInspect(req *request) {
	var c cursorContent
	if !req.decodeContent(&c) {
		return
	}
	in := k.eng.Inspect(c.Code, c.cursor(), c.DetailLevel)
	data := in.Data
	if data == nil || !in.Found {
		data = MIMEBundle{}
	}
	req.reply(map[string]any{
		"status":   "ok",
		"found":    in.Found && len(data) > 0,
		"data":     data,
		"metadata": map[string]any{},
	})
}

func (k *kernel) handleIsComplete(req *request) {
	var c struct {
		Code string `json:"code"`
	}
	if !req.decodeContent(&c) {
		return
	}
	if !utf8.ValidString(c.Code) {
		req.reply(map[string]any{"status": codeInvalid})
		return
	}
	status, indent := isComplete(c.Code)
	content := map[string]any{"status": status}
	if status == codeIncomplete {
		content["indent"] = indent
	}
	req.reply(content)
}
