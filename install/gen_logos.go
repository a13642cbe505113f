//go:build ignore

// gen_logos draws the kernel's logos, kernelspec/logo-32x32.png and
// kernelspec/logo-64x64.png: a small neural network (2-3-2 nodes, every
// layer wired to the next) in white on a Go-blue rounded square. Run it
// with `go generate ./install`.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

const supersample = 8

var (
	goBlue = color.NRGBA{0x00, 0xAD, 0xD8, 0xFF}
	ink    = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	edge   = color.NRGBA{0xE6, 0xF7, 0xFB, 0xFF}
)

// layers holds the node centres in a unit square.
var layers = [][][2]float64{
	{{0.24, 0.36}, {0.24, 0.64}},
	{{0.5, 0.24}, {0.5, 0.5}, {0.5, 0.76}},
	{{0.76, 0.36}, {0.76, 0.64}},
}

func main() {
	for _, size := range []int{32, 64} {
		img := draw(size)
		name := filepath.Join("kernelspec", fmt.Sprintf("logo-%dx%d.png", size, size))
		f, err := os.Create(name)
		if err != nil {
			log.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}

// draw renders at size*supersample and averages down, for smooth edges.
func draw(size int) *image.NRGBA {
	n := size * supersample
	out := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < supersample; sy++ {
				for sx := 0; sx < supersample; sx++ {
					u := (float64(x*supersample+sx) + 0.5) / float64(n)
					v := (float64(y*supersample+sy) + 0.5) / float64(n)
					c := shade(u, v, size)
					fa := float64(c.A) / 255
					r += float64(c.R) * fa
					g += float64(c.G) * fa
					b += float64(c.B) * fa
					a += fa
				}
			}
			k := float64(supersample * supersample)
			if a == 0 {
				continue
			}
			out.SetNRGBA(x, y, color.NRGBA{
				R: uint8(r/a + 0.5), G: uint8(g/a + 0.5), B: uint8(b/a + 0.5), A: uint8(255*a/k + 0.5),
			})
		}
	}
	return out
}

// shade is the colour at (u, v) of the unit square.
func shade(u, v float64, size int) color.NRGBA {
	if !inRoundedSquare(u, v, 0.02, 0.2) {
		return color.NRGBA{}
	}
	px := 1 / float64(size) // one output pixel in unit coordinates
	nodeR := 0.075
	lineW := math.Max(0.022, 0.9*px)
	for _, l := range layers {
		for _, p := range l {
			if math.Hypot(u-p[0], v-p[1]) <= nodeR {
				return ink
			}
		}
	}
	for i := 0; i+1 < len(layers); i++ {
		for _, p := range layers[i] {
			for _, q := range layers[i+1] {
				if segDist(u, v, p, q) <= lineW/2 {
					return edge
				}
			}
		}
	}
	return goBlue
}

func inRoundedSquare(u, v, margin, radius float64) bool {
	lo, hi := margin+radius, 1-margin-radius
	dx := math.Max(0, math.Max(lo-u, u-hi))
	dy := math.Max(0, math.Max(lo-v, v-hi))
	return math.Hypot(dx, dy) <= radius
}

func segDist(u, v float64, p, q [2]float64) float64 {
	dx, dy := q[0]-p[0], q[1]-p[1]
	t := ((u-p[0])*dx + (v-p[1])*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(u-(p[0]+t*dx), v-(p[1]+t*dy))
}
