package display

import (
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

func TestTableRows(t *testing.T) {
	data, _ := TableBundle([][]string{{"layer", "params"}, {"fc1", "200960"}, {"<b>", "&"}})
	h := data[MIMEHTML].(string)
	checkHTML(t, h)
	tds, ths := cellTexts(t, h)
	if strings.Join(ths, ",") != "layer,params" || strings.Join(tds, ",") != "fc1,200960,<b>,&" {
		t.Errorf("headers %v cells %v", ths, tds)
	}
	want := "layer  params\nfc1    200960\n<b>    &"
	if data[MIMEText] != want {
		t.Errorf("text\n%s\nwant\n%s", data[MIMEText], want)
	}
}

func TestTableOtherForms(t *testing.T) {
	data, _ := TableBundle(map[string]float64{"lr": 0.1, "epochs": 10})
	if data[MIMEText] != "key     value\nepochs  10\nlr      0.1" {
		t.Errorf("map table text %q", data[MIMEText])
	}
	data, _ = TableBundle([][]float64{{1, 2.5}, {3, 4}})
	tds, ths := cellTexts(t, data[MIMEHTML].(string))
	if strings.Join(ths, ",") != "0,1" || strings.Join(tds, ",") != "1,2.5,3,4" {
		t.Errorf("number table %v %v", ths, tds)
	}
	data, _ = TableBundle([][]any{{"a", "b"}, {1, true}})
	if tds, _ := cellTexts(t, data[MIMEHTML].(string)); strings.Join(tds, ",") != "1,true" {
		t.Errorf("any table %v", tds)
	}
	data, _ = TableBundle(dl.Zeros(2, 2))
	if !strings.Contains(data[MIMEHTML].(string), "shape [2, 2]") {
		t.Error("tensor table lacks its caption")
	}
}

func TestRichOutputs(t *testing.T) {
	rec := record(t)
	Markdown("# Title")
	HTML("<p>Hello <b>world</b></p>")
	LaTeX(`$x^2$`)
	JSON(map[string]int{"a": 1})
	SVG(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>`)
	msgs := rec.all()
	if len(msgs) != 5 {
		t.Fatalf("%d messages, want 5", len(msgs))
	}
	wantKey := []string{MIMEMarkdown, MIMEHTML, MIMELaTeX, MIMEJSON, MIMESVG}
	wantText := []string{"# Title", "Hello world", `$x^2$`, "{\n  \"a\": 1\n}", "<svg image>"}
	for i, m := range msgs {
		if _, ok := m.Data[toMIME(wantKey[i])]; !ok {
			t.Errorf("message %d lacks %s", i, wantKey[i])
		}
		if m.Data[toMIME(MIMEText)] != wantText[i] {
			t.Errorf("message %d text %q, want %q", i, m.Data[toMIME(MIMEText)], wantText[i])
		}
	}
	if msgs[3].Data[toMIME(MIMEJSON)] != `{"a":1}` {
		t.Errorf("JSON data %v", msgs[3].Data)
	}
}
