package main

import (
	"image"
	"image/color"
	"testing"
)

// TestBarsSideOfParity decodes the drawn chart: a ratio above 1 must be a
// bar right of the 1× line, one below 1 a bar left of it, and a missing
// value no bar at all.
func TestBarsSideOfParity(t *testing.T) {
	two, half := 2.0, 0.5
	d := input{
		Series: []series{{"vs rival"}},
		Rows:   []row{{"faster", []*float64{&two}}, {"slower", []*float64{&half}}, {"missing", []*float64{nil}}},
	}
	c, err := render(d)
	if err != nil {
		t.Fatal(err)
	}
	img := c.Image()
	b := img.Bounds()
	// The parity line is the column with the most black pixels.
	parity, most := 0, 0
	for x := b.Min.X; x < b.Max.X; x++ {
		n := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r < 0x2000 && g < 0x2000 && bl < 0x2000 {
				n++
			}
		}
		if n > most {
			parity, most = x, n
		}
	}
	// Bar pixels, each row's by its vertical position: rows are drawn top
	// to bottom in the order given, below the legend's row.
	var bars []image.Point
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if sameColor(img.At(x, y), palette[0]) {
				bars = append(bars, image.Pt(x, y))
			}
		}
	}
	if len(bars) == 0 {
		t.Fatal("no bar drawn")
	}
	// Split the bar pixels into runs of rows (the legend swatch is at the
	// top right, beyond both bars' extent in y).
	var groups [][]image.Point
	for i, p := range bars {
		if i == 0 || p.Y > bars[i-1].Y+1 {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], p)
	}
	if len(groups) != 3 {
		t.Fatalf("want the legend swatch and two bars, found %d groups of bar-coloured pixels", len(groups))
	}
	side := func(g []image.Point) (left, right int) {
		for _, p := range g {
			if p.X < parity {
				left++
			} else if p.X > parity {
				right++
			}
		}
		return
	}
	if l, r := side(groups[1]); r == 0 || l != 0 {
		t.Errorf("ratio 2: bar has %d pixels left and %d right of the 1× line at x=%d; want all right", l, r, parity)
	}
	if l, r := side(groups[2]); l == 0 || r != 0 {
		t.Errorf("ratio 0.5: bar has %d pixels left and %d right of the 1× line at x=%d; want all left", l, r, parity)
	}
	w1 := extent(groups[1])
	w2 := extent(groups[2])
	if d := w1 - w2; d < -2 || d > 2 {
		t.Errorf("on a log axis 2× and 0.5× bars have equal lengths; got %d and %d pixels", w1, w2)
	}
}

func extent(g []image.Point) int {
	lo, hi := g[0].X, g[0].X
	for _, p := range g {
		lo, hi = min(lo, p.X), max(hi, p.X)
	}
	return hi - lo
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	near := func(x, y uint32) bool { return x>>8 <= y>>8+2 && y>>8 <= x>>8+2 }
	return near(r1, r2) && near(g1, g2) && near(b1, b2)
}
