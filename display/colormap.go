package display

import (
	"image/color"
	"math"
)

// viridisStops are matplotlib's viridis at 17 evenly spaced points; the
// colour map interpolates linearly between them (within 1-2 levels of
// the full 256-entry table). Viridis is the default of matplotlib,
// sklearn's ConfusionMatrixDisplay and torchmetrics' plots, reads in grey
// and to colour-blind eyes, and gets lighter from low to high.
var viridisStops = [...]color.RGBA{
	{0x44, 0x01, 0x54, 0xff}, {0x48, 0x18, 0x6a, 0xff}, {0x47, 0x2d, 0x7b, 0xff},
	{0x42, 0x40, 0x86, 0xff}, {0x3b, 0x52, 0x8b, 0xff}, {0x33, 0x63, 0x8d, 0xff},
	{0x2c, 0x72, 0x8e, 0xff}, {0x26, 0x82, 0x8e, 0xff}, {0x21, 0x91, 0x8c, 0xff},
	{0x1f, 0xa0, 0x88, 0xff}, {0x28, 0xae, 0x80, 0xff}, {0x3f, 0xbc, 0x73, 0xff},
	{0x5e, 0xc9, 0x62, 0xff}, {0x84, 0xd4, 0x4b, 0xff}, {0xad, 0xdc, 0x30, 0xff},
	{0xd8, 0xe2, 0x19, 0xff}, {0xfd, 0xe7, 0x25, 0xff},
}

// nanColor fills heatmap cells that hold NaN.
var nanColor = color.RGBA{0xd0, 0xd0, 0xd0, 0xff}

// viridis maps t in [0, 1] to a colour; t outside is clamped, NaN is grey.
func viridis(t float64) color.RGBA {
	if math.IsNaN(t) {
		return nanColor
	}
	t = math.Min(math.Max(t, 0), 1)
	f := t * float64(len(viridisStops)-1)
	i := min(int(f), len(viridisStops)-2)
	f -= float64(i)
	a, b := viridisStops[i], viridisStops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// luminance is the relative luminance of c (WCAG 2), 0 for black, 1 for
// white.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// textColorOn is black or white, whichever contrasts more with bg, so a
// value written in a heatmap cell is legible on dark and light cells.
func textColorOn(bg color.Color) color.Color {
	l := luminance(bg)
	if (l+0.05)/0.05 > 1.05/(l+0.05) {
		return color.Black
	}
	return color.White
}
