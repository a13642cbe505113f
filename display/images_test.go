package display

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

func ramp(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)
	}
	return v
}

func TestImagesGrid(t *testing.T) {
	// 16 feature maps of 5×7 in a 4×4 grid.
	data, md := ImagesBundle("maps", dl.FromSlice(ramp(16*5*7), 16, 1, 5, 7), Size(400, 0))
	raw := data[MIMEPNG].([]byte)
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	size := md[MIMEPNG].(map[string]int)
	if b := img.Bounds(); b.Dx() != 2*size["width"] || b.Dy() != 2*size["height"] {
		t.Errorf("PNG %v is not twice the metadata size %v", b, size)
	}
	// 4 columns with 2-pixel gaps; 400 px would allow 98-pixel tiles, but
	// tiles grow at most 8×: 56×40 for 7×5 data.
	if size["width"] != 4*56+3*tileGap || size["height"] != titleHeight+4*40+3*tileGap {
		t.Errorf("grid %v, want 230×194", size)
	}
	if text := data[MIMEText].(string); !strings.Contains(text, "16 tiles of 5×7") {
		t.Errorf("text %q", text)
	}
	// The first tile's top-left pixel is its minimum (black), its
	// bottom-right its maximum (white).
	top := titleHeight * 2
	if r, _, _, _ := img.At(0, top).RGBA(); r != 0 {
		t.Errorf("first tile's first pixel is %d, want black", r)
	}
	tile, tileH := 2*56, 2*40
	if r, _, _, _ := img.At(tile-1, top+tileH-1).RGBA(); r>>8 != 255 {
		t.Errorf("first tile's last pixel is %d, want white", r>>8)
	}
}

func TestImagesShapes(t *testing.T) {
	for _, shape := range [][]int{{8, 8}, {3, 8, 8}, {2, 3, 8, 8}, {4, 5, 3, 3}, {100, 4, 4}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data, md := ImagesBundle("s", dl.FromSlice(ramp(n), shape...))
		size := md[MIMEPNG].(map[string]int)
		img, err := png.Decode(bytes.NewReader(data[MIMEPNG].([]byte)))
		if err != nil || img.Bounds().Dx() != 2*size["width"] {
			t.Errorf("shape %v: err %v, image %v, metadata %v", shape, err, img.Bounds(), size)
		}
	}
	data, _ := ImagesBundle("many", dl.Zeros(100, 4, 4))
	if text := data[MIMEText].(string); !strings.Contains(text, "first 64 shown") {
		t.Errorf("text %q does not say tiles were left out", text)
	}
}
