package nn

import (
	"github.com/godl-dev/godl/dl"
)

// Sequential runs its layers one after the other. Parameters are named by
// position, as PyTorch's: "0.weight", "2.bias". With no layers it is the
// identity, which the tutorial's ResidualBlock uses as a shortcut.
type Sequential struct {
	Layers []Module `nn:",inline"`
}

// NewSequential returns a Sequential of mods.
func NewSequential(mods ...Module) *Sequential {
	for i, m := range mods {
		if m == nil {
			dl.Panicf("Sequential", "layer %d is nil", i)
		}
	}
	return &Sequential{Layers: mods}
}

// Forward runs x through every layer.
func (s *Sequential) Forward(x *dl.Tensor) *dl.Tensor {
	in := x
	for _, l := range s.Layers {
		x = l.Forward(x)
	}
	return hooked(s, in, x)
}

// Append adds layers at the end and returns s.
func (s *Sequential) Append(mods ...Module) *Sequential {
	s.Layers = append(s.Layers, mods...)
	return s
}

// Len returns the number of layers.
func (s *Sequential) Len() int { return len(s.Layers) }

// At returns layer i, as model[i] in PyTorch.
func (s *Sequential) At(i int) Module {
	if i < 0 || i >= len(s.Layers) {
		dl.Panicf("Sequential", "index %d out of range for %d layers", i, len(s.Layers))
	}
	return s.Layers[i]
}

// Flatten reshapes [N d1 d2 ...] to [N d1*d2*...] (dims StartDim..EndDim
// merged; PyTorch's defaults 1 and -1).
type Flatten struct{ StartDim, EndDim int }

// NewFlatten returns a Flatten from dimension 1 to the last.
func NewFlatten() *Flatten { return &Flatten{StartDim: 1, EndDim: -1} }

// Forward flattens x.
func (f *Flatten) Forward(x *dl.Tensor) *dl.Tensor {
	s := x.Shape()
	n := len(s)
	a, b := f.StartDim, f.EndDim
	if a < 0 {
		a += n
	}
	if b < 0 {
		b += n
	}
	if a < 0 || b >= n || a > b {
		if n == 0 {
			return hooked(f, x, x.Reshape(1))
		}
		dl.Panicf("Flatten", "dimensions %d..%d out of range for shape %v", f.StartDim, f.EndDim, s)
	}
	m := 1
	for _, d := range s[a : b+1] {
		m *= d
	}
	shape := append(append(append([]int{}, s[:a]...), m), s[b+1:]...)
	return hooked(f, x, x.Reshape(shape...))
}

// Identity returns its input.
type Identity struct{ _ byte }

// NewIdentity returns an Identity module.
func NewIdentity() *Identity { return &Identity{} }

// Forward returns x.
func (m *Identity) Forward(x *dl.Tensor) *dl.Tensor { return hooked(m, x, x) }
