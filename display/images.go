package display

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if finite(x) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return 0, 0
	}
	return lo, hi
}

// Images limits.
const (
	maxTiles    = 64 // more are left out (the text says how many)
	titleHeight = 28 // CSS pixels above the grid
	tileGap     = 2  // CSS pixels between tiles
)

// Columns sets the number of columns of an Images grid.
func Columns(n int) PlotOption { return func(c *plotConfig) { c.cols = max(n, 1) } }

// Images shows a grid of small images from a tensor: [N, H, W] (N gray
// images), [N, 1, H, W], [N, 3, H, W] (RGB) or [N, C, H, W] for other C
// (N×C gray tiles, as conv filters or feature maps). [H, W] is one image.
// Each tile is scaled to its own min..max, so feature maps of any range
// are visible. Size sets the grid width; Columns the number of columns.
func Images(title string, t any, opts ...PlotOption) { Publish(ImagesBundle(title, t, opts...)) }

// ImagesBundle is Images without showing it.
func ImagesBundle(title string, t any, opts ...PlotOption) (data, metadata map[string]any) {
	x, ok := t.(dataTensor)
	if !ok {
		panic(fmt.Errorf("display: Images wants a tensor, got %T", t))
	}
	tiles, h, w, rgb := splitTiles(x.Shape())
	all := mustFloats(x.Data())
	shownTiles := min(tiles, maxTiles)
	c := configure(opts)
	cols := c.cols
	if cols == 0 {
		cols = int(math.Ceil(math.Sqrt(float64(shownTiles))))
	}
	cols = min(cols, shownTiles)
	rows := (shownTiles + cols - 1) / cols
	// Tile size in CSS pixels: fill the width, but no tile bigger than
	// 8× its data, no smaller than its data.
	tile := (c.width - tileGap*(cols-1)) / cols
	tile = min(max(tile, max(h, w)), 8*max(h, w))
	tw, th := tile*w/max(h, w), tile*h/max(h, w)
	width := cols*tw + (cols-1)*tileGap
	height := titleHeight + rows*th + (rows-1)*tileGap
	grid := image.NewRGBA(image.Rect(0, 0, 2*width, 2*(height-titleHeight)))
	fillWhite(grid)
	per := h * w
	if rgb {
		per *= 3
	}
	for k := range shownTiles {
		x0 := 2 * (k % cols) * (tw + tileGap)
		y0 := 2 * (k / cols) * (th + tileGap)
		drawTile(grid, all[k*per:(k+1)*per], h, w, rgb, x0, y0, 2*tw, 2*th)
	}
	canvas := vgimg.NewWith(vgimg.UseWH(pxLen(width), pxLen(height)), vgimg.UseDPI(2*pixelsPerInch))
	dc := draw.New(canvas)
	dc.DrawImage(vg.Rectangle{Max: vg.Point{X: pxLen(width), Y: pxLen(height - titleHeight)}}, grid)
	if title != "" {
		sty := text.Style{
			Color:   color.Black,
			Font:    sansFont(vg.Points(12)),
			XAlign:  draw.XCenter,
			YAlign:  draw.YCenter,
			Handler: plot.DefaultTextHandler,
		}
		dc.FillText(sty, vg.Point{X: pxLen(width) / 2, Y: pxLen(height) - pxLen(titleHeight)/2}, title)
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&buf); err != nil {
		panic(fmt.Errorf("display: drawing images: %w", err))
	}
	txt := fmt.Sprintf("images %q: %d tiles of %d×%d", title, tiles, h, w)
	if shownTiles < tiles {
		txt += fmt.Sprintf(" (first %d shown)", shownTiles)
	}
	return map[string]any{MIMEText: txt, MIMEPNG: buf.Bytes()}, imageMetadata(MIMEPNG, width, height)
}

func pxLen(px int) vg.Length { return vg.Length(px) * vg.Inch / pixelsPerInch }

// splitTiles reads an Images shape as a number of tiles of h×w.
func splitTiles(s []int) (tiles, h, w int, rgb bool) {
	switch len(s) {
	case 2:
		return 1, s[0], s[1], false
	case 3:
		return s[0], s[1], s[2], false
	case 4:
		if s[1] == 3 {
			return s[0], s[2], s[3], true
		}
		return s[0] * s[1], s[2], s[3], false
	}
	panic(fmt.Errorf("display: Images wants shape [N H W] or [N C H W], got %v", s))
}

func fillWhite(img *image.RGBA) {
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
}

// drawTile scales one tile's values to 0..255 and draws it, enlarged by
// nearest neighbour so pixels stay sharp, at (x0, y0) with size dw×dh.
func drawTile(dst *image.RGBA, v []float64, h, w int, rgb bool, x0, y0, dw, dh int) {
	lo, hi := minMax(v)
	scale := 0.0
	if hi > lo {
		scale = 255 / (hi - lo)
	}
	level := func(x float64) uint8 {
		if !finite(x) {
			return 0
		}
		if scale == 0 {
			return 128
		}
		return uint8(math.Round((x - lo) * scale))
	}
	for py := range dh {
		r := py * h / dh
		for px := range dw {
			c := px * w / dw
			var cr, cg, cb uint8
			if rgb {
				cr, cg, cb = level(v[r*w+c]), level(v[h*w+r*w+c]), level(v[2*h*w+r*w+c])
			} else {
				cr = level(v[r*w+c])
				cg, cb = cr, cr
			}
			o := dst.PixOffset(x0+px, y0+py)
			dst.Pix[o], dst.Pix[o+1], dst.Pix[o+2], dst.Pix[o+3] = cr, cg, cb, 0xff
		}
	}
}
