package display

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
	"golang.org/x/net/html"
)

// checkHTML parses s as HTML and, stricter, as well-formed XML, so the
// markup is valid whatever sanitizer or converter a front end applies.
func checkHTML(t *testing.T, s string) {
	t.Helper()
	if _, err := html.Parse(strings.NewReader(s)); err != nil {
		t.Fatalf("HTML does not parse: %v", err)
	}
	d := xml.NewDecoder(strings.NewReader("<div>" + s + "</div>"))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("HTML is not well-formed: %v\n%s", err, s)
		}
	}
}

// cellTexts returns the text of every <td> and <th>, in document order.
func cellTexts(t *testing.T, s string) (tds, ths []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "td" || n.Data == "th") {
			var b strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					b.WriteString(c.Data)
				}
			}
			if n.Data == "td" {
				tds = append(tds, b.String())
			} else {
				ths = append(ths, b.String())
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return tds, ths
}

func TestTensorTable2D(t *testing.T) {
	x := dl.FromSlice([]float32{1.5, 2, 3, 4, 5, 6.25}, 2, 3)
	data, _ := ValueBundle(x)
	h := data[MIMEHTML].(string)
	checkHTML(t, h)
	if !strings.Contains(h, `class="dataframe"`) {
		t.Error("no dataframe class")
	}
	if !strings.Contains(h, "shape [2, 3], dtype float32") {
		t.Errorf("caption lacks shape and dtype: %s", h)
	}
	tds, ths := cellTexts(t, h)
	want := []string{"1.5000", "2.0000", "3.0000", "4.0000", "5.0000", "6.2500"}
	if strings.Join(tds, " ") != strings.Join(want, " ") {
		t.Errorf("cells %v, want %v", tds, want)
	}
	// Header: blank corner, columns 0..2, then row labels 0 and 1.
	if strings.Join(ths, ",") != ",0,1,2,0,1" {
		t.Errorf("headers %q", ths)
	}
	if data[MIMEText] != x.String() || !strings.HasPrefix(x.String(), "tensor(") {
		t.Errorf("text/plain %q is not the tensor's String", data[MIMEText])
	}
}

func TestTensorTableIntegersAnd1D(t *testing.T) {
	x := dl.FromSlice([]float32{3, 1, 2}, 3)
	h := TensorBundleHTML(t, x)
	tds, ths := cellTexts(t, h)
	if strings.Join(tds, ",") != "3,1,2" || strings.Join(ths, ",") != "0,1,2" {
		t.Errorf("1-D cells %v headers %v", tds, ths)
	}
}

func TensorBundleHTML(t *testing.T, x *dl.Tensor) string {
	t.Helper()
	data, _ := TensorBundle(x)
	h := data[MIMEHTML].(string)
	checkHTML(t, h)
	return h
}

func TestTensorTableElided(t *testing.T) {
	n := 100 * 50
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = float32(i)
	}
	x := dl.FromSlice(vals, 100, 50)
	h := TensorBundleHTML(t, x)
	tds, ths := cellTexts(t, h)
	// 21 shown rows (10 + … + 10) by 17 columns (8 + … + 8).
	if len(tds) != 21*17 {
		t.Errorf("%d cells, want %d", len(tds), 21*17)
	}
	if tds[0] != "0" || tds[len(tds)-1] != "4999" {
		t.Errorf("corners %q and %q, want 0 and 4999", tds[0], tds[len(tds)-1])
	}
	if !strings.Contains(strings.Join(ths, ","), "7,…,42") {
		t.Errorf("column headers do not elide 8..41: %v", ths[:20])
	}
	if !strings.Contains(h, "shape [100, 50]") {
		t.Error("caption lacks the full shape")
	}
}

func TestTensorTable3D(t *testing.T) {
	vals := make([]float32, 10*2*2)
	for i := range vals {
		vals[i] = float32(i)
	}
	h := TensorBundleHTML(t, dl.FromSlice(vals, 10, 2, 2))
	// 3 + 3 slices shown, the middle four elided.
	if c := strings.Count(h, "<table"); c != 6 {
		t.Errorf("%d slice tables, want 6", c)
	}
	for _, s := range []string{"[0, :, :]", "[2, :, :]", "[7, :, :]", "[9, :, :]", "⋮"} {
		if !strings.Contains(h, s) {
			t.Errorf("no %q in 3-D table", s)
		}
	}
	if strings.Contains(h, "[5, :, :]") {
		t.Error("slice 5 should be elided")
	}
	tds, _ := cellTexts(t, h)
	if tds[len(tds)-1] != "39" {
		t.Errorf("last cell %q, want 39", tds[len(tds)-1])
	}
}

func TestTensorTableScalarAndScientific(t *testing.T) {
	h := TensorBundleHTML(t, dl.FromSlice([]float32{1e-6, 2e3}, 2))
	tds, _ := cellTexts(t, h)
	if tds[0] != "1.0000e-06" {
		t.Errorf("small value shown as %q, want scientific", tds[0])
	}
	h = TensorBundleHTML(t, dl.Full(0.5))
	if tds, _ := cellTexts(t, h); len(tds) != 1 || tds[0] != "0.5000" {
		t.Errorf("0-D tensor cells %v", tds)
	}
}

func TestTensorTableOfView(t *testing.T) {
	x := dl.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3).T() // [3 2], a strided view
	tds, ths := cellTexts(t, TensorBundleHTML(t, x))
	if strings.Join(tds, ",") != "1,4,2,5,3,6" || strings.Join(ths, ",") != ",0,1,0,1,2" {
		t.Errorf("transposed table cells %v headers %v", tds, ths)
	}
}

func TestTensorTableInt64AndBool(t *testing.T) {
	big := int64(1)<<40 + 3 // not a float32: must print exactly
	x := dl.FromInt64s([]int64{big, -2, 7, 0}, 2, 2)
	data, _ := ValueBundle(x)
	h := data[MIMEHTML].(string)
	checkHTML(t, h)
	if !strings.Contains(h, "shape [2, 2], dtype int64") {
		t.Errorf("caption lacks the dtype: %s", h)
	}
	tds, _ := cellTexts(t, h)
	if want := "1099511627779 -2 7 0"; strings.Join(tds, " ") != want {
		t.Errorf("cells %v, want %s", tds, want)
	}
	if data[MIMEText] != "tensor([[1099511627779,            -2],\n        [            7,             0]])" {
		t.Errorf("text %q", data[MIMEText])
	}
	m := dl.Arange(0, 30, 1).Reshape(3, 10).Gt(dl.Scalar(14))
	data, _ = ValueBundle(m)
	h = data[MIMEHTML].(string)
	if !strings.Contains(h, "dtype bool") {
		t.Errorf("caption lacks the dtype: %s", h)
	}
	tds, _ = cellTexts(t, h)
	if len(tds) != 30 || tds[0] != "False" || tds[15] != "True" {
		t.Errorf("bool cells %v", tds)
	}
	// a long Int64 axis is elided like a float one
	data, _ = ValueBundle(dl.From(make([]int, 100)))
	if tds, _ := cellTexts(t, data[MIMEHTML].(string)); len(tds) != 2*tableEdgeRows+1 {
		t.Errorf("%d cells for 100 rows", len(tds))
	}
}
