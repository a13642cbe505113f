package dl

import (
	"fmt"
	"testing"

	"github.com/godl-dev/godl/internal/golden"
)

// The golden files of dl's tests are written by testdata/gen_golden.py and
// testdata/gen_golden_api.py with PyTorch 1.13 (make golden).
const goldenTorch = "1.13"

// goldenTensor is a golden tensor of any dtype.
type goldenTensor struct{ golden.Tensor }

func (g *goldenTensor) tensor() *Tensor {
	switch g.Dtype {
	case "int64":
		return FromInt64s(g.Int64s(), g.Shape...).Reshape(g.Shape...)
	case "bool":
		return FromBools(g.Bools(), g.Shape...).Reshape(g.Shape...)
	}
	if len(g.Shape) == 0 {
		return Scalar(float32(g.Data[0]))
	}
	return FromSlice(g.Float32s(), g.Shape...)
}

type goldenCase struct {
	Name     string          `json:"name"`
	Inputs   []goldenTensor  `json:"inputs"`
	Out      goldenTensor    `json:"out"`
	Upstream goldenTensor    `json:"upstream"`
	Grads    []*goldenTensor `json:"grads"`
}

type goldenString struct {
	Name         string       `json:"name"`
	Tensor       goldenTensor `json:"tensor"`
	RequiresGrad bool         `json:"requires_grad"`
	Expect       string       `json:"expect"`
}

type goldenFile struct {
	Ops     []goldenCase   `json:"ops"`
	Strings []goldenString `json:"strings"`
}

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	var g goldenFile
	golden.Load(t, "testdata/golden.json", goldenTorch, &g)
	return &g
}

// goldenTol is the relative tolerance of golden.Tol (an element within
// 1e-5 of the larger of its magnitude and the tensor's root mean square).
// Every case, the 65-term dot products and 150-term sums included, meets
// it with the assembly GEMM and with -tags noasm.
const goldenTol = 1e-5

// compare compares values with golden.Tol{Rel: tol}; tol 0 is exact.
func compare(got, want []float32, tol float64) error {
	return golden.CompareSlices(got, want, golden.Tol{Rel: tol})
}

// checkTensor compares a result with a golden tensor, shape and values.
func checkTensor(t *testing.T, what string, got *Tensor, want *goldenTensor, tol float64) {
	t.Helper()
	golden.Check(t, what, got, &want.Tensor, golden.Tol{Rel: tol})
}

// TestGolden runs every op of the golden file forward and backward and
// compares the output and the gradients of sum(out·u) with PyTorch's.
func TestGolden(t *testing.T) {
	g := loadGolden(t)
	seen := map[string]bool{}
	for _, c := range g.Ops {
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			op, ok := opTable[c.Name]
			if !ok {
				t.Fatalf("no entry in opTable")
			}
			tol := goldenTol
			ins := make([]*Tensor, len(c.Inputs))
			for i := range c.Inputs {
				ins[i] = c.Inputs[i].tensor().RequiresGrad()
			}
			out := op.fn(ins)
			checkTensor(t, "output", out, &c.Out, tol)
			if op.noGrad {
				return
			}
			out.Mul(c.Upstream.tensor()).Sum().Backward()
			for i, want := range c.Grads {
				got := ins[i].Grad()
				switch {
				case want == nil && got != nil:
					t.Errorf("input %d: got a gradient, want none", i)
				case want != nil && got == nil:
					t.Errorf("input %d: no gradient", i)
				case want != nil:
					checkTensor(t, fmt.Sprintf("grad %d", i), got, want, tol)
				}
			}
		})
	}
	for name := range opTable {
		if !seen[name] {
			t.Errorf("opTable entry %q has no golden case: add it to testdata/gen_golden.py and run make golden", name)
		}
	}
}

// TestGradcheck checks every differentiable op's gradient against central
// finite differences on the golden inputs, with one helper for all ops.
func TestGradcheck(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Ops {
		op := opTable[c.Name]
		if op.fn == nil || op.noGrad {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			ins := make([]*Tensor, len(c.Inputs))
			for i := range c.Inputs {
				ins[i] = c.Inputs[i].tensor()
			}
			gradcheck(t, op.fn, ins, c.Upstream.tensor())
		})
	}
}

// TestStringGolden compares String with torch's printing.
func TestStringGolden(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Strings {
		t.Run(c.Name, func(t *testing.T) {
			x := c.Tensor.tensor()
			if c.RequiresGrad {
				x.RequiresGrad()
			}
			if got := x.String(); got != c.Expect {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.Expect)
			}
		})
	}
}
