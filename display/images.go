package display

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Images limits.
const (
	maxTiles    = 64 // more are left out (the text says how many)
	titleHeight = 28 // CSS pixels above the grid
	tileGap     = 2  // CSS pixels between tiles

	captionSize     = 8  // points (11 CSS pixels)
	captionLine     = 13 // CSS pixels per caption line
	captionMaxLines = 3
	captionMinTile  = 72 // CSS pixels: narrower tiles could not hold a caption
)

// Columns sets the number of columns of an Images grid.
func Columns(n int) PlotOption {
	return plotOption("Columns", func(c *plotConfig) { c.cols = max(n, 1) })
}

// Captions writes a caption under each tile of Images, in tile order,
// e.g. "pred shirt / true coat". Long captions wrap (at most three lines,
// then "…"). There must be one per tile.
func Captions(texts ...string) PlotOption {
	return plotOption("Captions", func(c *plotConfig) { c.captions = texts })
}

// CaptionColors colours the captions of Images, one colour per caption
// (say green for right and red for wrong predictions); captions are black
// otherwise.
//
//	display.CaptionColors(color.RGBA{0, 128, 0, 255}, color.RGBA{200, 0, 0, 255})
func CaptionColors(colors ...color.Color) PlotOption {
	return plotOption("CaptionColors", func(c *plotConfig) { c.captionColors = colors })
}

// Images shows a grid of small images from a tensor: [N, H, W] (N gray
// images), [N, 1, H, W], [N, 3, H, W] (RGB) or [N, C, H, W] for other C
// (N×C gray tiles, as conv filters or feature maps). [H, W] is one image.
// Each tile is scaled to its own min..max, so feature maps of any range
// are visible. Size sets the grid width; Columns the number of columns;
// Captions and CaptionColors write a caption under each tile.
func Images(title string, t any, opts ...PlotOption) { Publish(ImagesBundle(title, t, opts...)) }

// ImagesBundle is Images without showing it.
func ImagesBundle(title string, t any, opts ...PlotOption) (data, metadata map[string]any) {
	x, ok := t.(dataTensor)
	if !ok {
		panic(fmt.Errorf("display: Images wants a tensor, got %T", t))
	}
	tiles, h, w, rgb := splitTiles(x.Shape())
	if tiles == 0 || h == 0 || w == 0 {
		panic(fmt.Errorf("display: Images of an empty tensor, shape %v", x.Shape()))
	}
	c := configure(opts)
	captioned := c.captions != nil
	if captioned && len(c.captions) != tiles {
		panic(fmt.Errorf("display: Images: %d captions for %d tiles (shape %v)", len(c.captions), tiles, x.Shape()))
	}
	if c.captionColors != nil && len(c.captionColors) != len(c.captions) {
		panic(fmt.Errorf("display: Images: %d caption colours for %d captions", len(c.captionColors), len(c.captions)))
	}
	all := mustFloats(x)
	shownTiles := min(tiles, maxTiles)
	cols := c.cols
	if cols == 0 {
		cols = int(math.Ceil(math.Sqrt(float64(shownTiles))))
		if captioned {
			cols = min(cols, max(1, (c.width+tileGap)/(captionMinTile+tileGap)))
		}
	}
	cols = min(cols, shownTiles)
	rows := (shownTiles + cols - 1) / cols
	// Tile size in CSS pixels: fill the width, but no tile bigger than
	// 8× its data, no smaller than its data (nor than a caption needs).
	tile := (c.width - tileGap*(cols-1)) / cols
	tile = min(max(tile, max(h, w)), 8*max(h, w))
	if captioned {
		tile = max(tile, captionMinTile)
	}
	tw, th := tile*w/max(h, w), tile*h/max(h, w)
	capStyle := text.Style{
		Color:   color.Black,
		Font:    sansFont(vg.Points(captionSize)),
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
	var lines [][]string
	capH := 0
	if captioned {
		lines = make([][]string, shownTiles)
		n := 1
		for k := range shownTiles {
			lines[k] = wrapCaption(c.captions[k], capStyle, pxLen(tw-2))
			n = max(n, len(lines[k]))
		}
		capH = n*captionLine + 4
	}
	pitch := th + capH + tileGap // from one row of tiles to the next
	width := cols*tw + (cols-1)*tileGap
	gridH := rows*pitch - tileGap
	height := titleHeight + gridH
	grid := image.NewRGBA(image.Rect(0, 0, 2*width, 2*gridH))
	fillWhite(grid)
	per := h * w
	if rgb {
		per *= 3
	}
	for k := range shownTiles {
		x0 := 2 * (k % cols) * (tw + tileGap)
		y0 := 2 * (k / cols) * pitch
		drawTile(grid, all[k*per:(k+1)*per], h, w, rgb, x0, y0, 2*tw, 2*th)
	}
	canvas := vgimg.NewWith(vgimg.UseWH(pxLen(width), pxLen(height)), vgimg.UseDPI(2*pixelsPerInch))
	dc := draw.New(canvas)
	dc.DrawImage(vg.Rectangle{Max: vg.Point{X: pxLen(width), Y: pxLen(gridH)}}, grid)
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
	for k, ls := range lines {
		sty := capStyle
		if c.captionColors != nil && c.captionColors[k] != nil {
			sty.Color = c.captionColors[k]
		}
		cx := (k%cols)*(tw+tileGap) + tw/2
		top := (k/cols)*pitch + th + 3 // CSS pixels from the top of the grid
		for i, l := range ls {
			dc.FillText(sty, vg.Point{X: pxLen(cx), Y: pxLen(gridH - top - i*captionLine)}, l)
		}
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&buf); err != nil {
		panic(fmt.Errorf("display: drawing images: %w", err))
	}
	txt := fmt.Sprintf("images %q: %d tiles of %d×%d", title, tiles, h, w)
	if shownTiles < tiles {
		txt += fmt.Sprintf(" (first %d shown)", shownTiles)
	}
	if captioned {
		txt += ": " + strings.Join(c.captions[:shownTiles], "; ")
	}
	return map[string]any{MIMEText: txt, MIMEPNG: buf.Bytes()}, imageMetadata(MIMEPNG, width, height)
}

// wrapCaption breaks s into lines no wider than width, at spaces, with at
// most captionMaxLines lines; a word or a last line that does not fit is
// cut with "…".
func wrapCaption(s string, sty text.Style, width vg.Length) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case sty.Width(line+" "+word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	if len(lines) > captionMaxLines {
		lines = lines[:captionMaxLines]
		lines[captionMaxLines-1] += "…"
	}
	for i, l := range lines {
		lines[i] = fitWidth(l, sty, width)
	}
	return lines
}

// fitWidth cuts s, ending it with "…", until it is no wider than width.
func fitWidth(s string, sty text.Style, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	r := []rune(strings.TrimSuffix(s, "…"))
	for len(r) > 0 && sty.Width(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
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
