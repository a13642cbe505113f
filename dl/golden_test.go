package dl

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
)

// The golden file is written by testdata/gen_golden.py from PyTorch 1.13.
// go test -run Golden -update reruns the script first (with the Python named
// by $GODL_PYTHON, default python3, which needs torch).
var update = flag.Bool("update", false, "regenerate testdata/golden.json with PyTorch")

var updateOnce sync.Once

// f32s reads a JSON array of numbers in which NaN and ±Infinity are
// strings (JSON has no spelling for them).
type f32s []float32

func (f *f32s) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return fmt.Errorf("not an array: %.20s", b)
	}
	*f = (*f)[:0]
	for _, tok := range bytes.Split(b[1:len(b)-1], []byte(",")) {
		tok = bytes.Trim(bytes.TrimSpace(tok), `"`)
		if len(tok) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(string(tok), 64)
		if err != nil {
			return err
		}
		*f = append(*f, float32(v))
	}
	return nil
}

type goldenTensor struct {
	Shape []int `json:"shape"`
	Data  f32s  `json:"data"`
}

func (g *goldenTensor) tensor() *Tensor {
	if len(g.Shape) == 0 {
		return Scalar(g.Data[0])
	}
	return FromSlice(g.Data, g.Shape...)
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
	Torch   string         `json:"torch"`
	Ops     []goldenCase   `json:"ops"`
	Strings []goldenString `json:"strings"`
}

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	if *update {
		updateOnce.Do(func() {
			py := os.Getenv("GODL_PYTHON")
			if py == "" {
				py = "python3"
			}
			cmd := exec.Command(py, "testdata/gen_golden.py")
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("regenerating goldens: %v", err)
			}
		})
	}
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// Tolerances. An element matches when |got − want| ≤ tol·max(|want|, rms),
// where rms is the root mean square of the expected tensor: relative per
// element, but not below the tensor's own scale, so that results near zero
// (a sum that cancels) are not held to a bound their magnitude cannot carry.
// Every case, the 65-term dot products and 150-term sums included, meets
// it with the assembly GEMM and with -tags noasm.
const goldenTol = 1e-5

func compare(got, want []float32, tol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d values, want %d", len(got), len(want))
	}
	var ss float64
	n := 0
	for _, w := range want {
		if !math.IsNaN(float64(w)) && !math.IsInf(float64(w), 0) {
			ss += float64(w) * float64(w)
			n++
		}
	}
	rms := math.Sqrt(ss / float64(max(n, 1)))
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(w) || math.IsInf(w, 0) {
			if !(math.IsNaN(w) && math.IsNaN(g)) && g != w {
				return fmt.Errorf("element %d: got %v, want %v", i, g, w)
			}
			continue
		}
		if d := math.Abs(g - w); d > tol*math.Max(math.Abs(w), rms) || math.IsNaN(g) {
			return fmt.Errorf("element %d: got %v, want %v (diff %.3g)", i, g, w, d)
		}
	}
	return nil
}

// checkTensor compares a result with a golden tensor, shape and values.
func checkTensor(t *testing.T, what string, got *Tensor, want *goldenTensor, tol float64) {
	t.Helper()
	if !sameShape(got.Shape(), want.Shape) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape(), want.Shape)
		return
	}
	if err := compare(got.Data(), want.Data, tol); err != nil {
		t.Errorf("%s: %v", what, err)
	}
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
			t.Errorf("opTable entry %q has no golden case; rerun testdata/gen_golden.py", name)
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
