package nn

import (
	"math"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// Both forward paths of LinearOp (x Wᵀ directly, and W xᵀ transposed when
// out > rows) against a plain loop, with and without bias.
func TestLinearForwardPaths(t *testing.T) {
	dl.Seed(1)
	for _, c := range []struct{ rows, in, out int }{{3, 7, 5}, {20, 7, 40}, {16, 33, 17}, {64, 50, 300}, {40, 9, 20}} {
		x, w, b := dl.Randn(c.rows, c.in), dl.Randn(c.out, c.in), dl.Randn(c.out)
		for _, bias := range []*dl.Tensor{nil, b} {
			y := LinearOp(x, w, bias).RawData()
			xd, wd := x.RawData(), w.RawData()
			for r := range c.rows {
				for o := range c.out {
					var want float64
					if bias != nil {
						want = float64(b.RawData()[o])
					}
					for p := range c.in {
						want += float64(xd[r*c.in+p]) * float64(wd[o*c.in+p])
					}
					if got := float64(y[r*c.out+o]); math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
						t.Fatalf("%+v bias=%v: y[%d,%d] = %v, want %v", c, bias != nil, r, o, got, want)
					}
				}
			}
		}
	}
}
