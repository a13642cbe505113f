package engine

import "testing"

// TestLibraryOptionsInCells: every package's functional options are values
// of a generic type instantiated inside the worker's shared libraries; a
// cell that stores them in a slice needs their type descriptors.
func TestLibraryOptionsInCells(t *testing.T) {
	e := sharedEngine(t)
	for _, code := range []string{
		`opts := []nn.Option{nn.Padding(1)}
conv := nn.NewConv2d(1, 2, 3, opts...)
fmt.Println(conv.Forward(dl.Zeros(1, 1, 4, 4)).Shape())`,
		`po := []display.PlotOption{display.XLabel("x")}
fmt.Println(len(po))`,
		`oo := []optim.Option{optim.LR(0.1)}
fmt.Println(len(oo))`,
		`lo := []data.LoaderOption{data.Shuffle(true)}
fmt.Println(len(lo))`,
		`var ap atomic.Pointer[int]
v := 3
ap.Store(&v)
fmt.Println(*ap.Load())`,
	} {
		ok(t, e, code)
	}
}
