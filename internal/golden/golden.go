// Package golden is what godl's tests use to compare with PyTorch: load a
// golden file written by a testdata/gen_*.py script (through goldenfile.py,
// beside this file; `make golden` runs them all), check the PyTorch it was
// computed with, and compare results with a tolerance, reporting the first
// mismatches by index. It also holds the -update flag of the golden files
// the Go side writes itself (the rewriter's sessions).
//
// The package knows nothing of tensors: a *dl.Tensor is compared through
// the Values interface, so that dl's own tests can use it.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false,
	"rewrite the golden files that Go tests write (the rewriter's testdata/*.txtar); PyTorch's are rewritten by make golden")

// Update reports whether the test binary was run with -update: tests whose
// golden files the Go side writes then rewrite them instead of comparing.
func Update() bool { return *update }

// file is a golden file's envelope.
type file struct {
	Generator string          `json:"generator"`
	Torch     string          `json:"torch"`
	Data      json.RawMessage `json:"data"`
}

// Load reads the golden file at path and decodes its data into v, after
// checking that it was computed by PyTorch of the series torch ("1.13",
// "2": the version the tests' tolerances and expected texts were set
// against) and that its generator script exists.
func Load(t testing.TB, path, torch string, v any) {
	t.Helper()
	if err := Read(path, torch, v); err != nil {
		t.Fatal(err)
	}
}

// Read is Load returning the error, for a file read once for many tests.
func Read(path, torch string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if f.Generator == "" || f.Torch == "" || f.Data == nil {
		return fmt.Errorf("%s is not a golden file (no generator, torch and data): rewrite it with make golden", path)
	}
	if !VersionIn(f.Torch, torch) {
		return fmt.Errorf("%s was computed with PyTorch %s; these tests expect PyTorch %s (make golden, from %s)",
			path, f.Torch, torch, f.Generator)
	}
	if root, err := moduleRoot(); err == nil {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(f.Generator))); err != nil {
			return fmt.Errorf("%s names its generator %s, which is missing", path, f.Generator)
		}
	}
	if err := json.Unmarshal(f.Data, v); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

// VersionIn reports whether a PyTorch version ("1.13.0a0", "2.5.1+cpu") is
// of the series ("1.13", "2").
func VersionIn(version, series string) bool {
	return version == series || strings.HasPrefix(version, series+".")
}

// moduleRoot is the directory of the go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Floats is a JSON array of numbers in which NaN, Infinity and -Infinity
// are strings (JSON has no spelling for them).
type Floats []float64

// UnmarshalJSON reads the array; a fast path for the long flat arrays of
// golden tensors.
func (f *Floats) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return fmt.Errorf("golden: not an array of numbers: %.20s", b)
	}
	out := (*f)[:0]
	for tok := range bytes.SplitSeq(b[1:len(b)-1], []byte(",")) {
		tok = bytes.TrimSpace(tok)
		if len(tok) == 0 {
			continue
		}
		v, err := parseNumber(tok)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	*f = out
	return nil
}

func parseNumber(tok []byte) (float64, error) {
	switch string(tok) {
	case `"NaN"`:
		return math.NaN(), nil
	case `"Infinity"`:
		return math.Inf(1), nil
	case `"-Infinity"`:
		return math.Inf(-1), nil
	}
	v, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		return 0, fmt.Errorf("golden: %q is not a number", tok)
	}
	return v, nil
}

// Float32s is Floats read as float32 (a golden list of float32 values).
type Float32s []float32

// UnmarshalJSON reads the array as Floats does.
func (f *Float32s) UnmarshalJSON(b []byte) error {
	var d Floats
	if err := d.UnmarshalJSON(b); err != nil {
		return err
	}
	*f = make(Float32s, len(d))
	for i, v := range d {
		(*f)[i] = float32(v)
	}
	return nil
}

// Tensor is a golden tensor: dtype ("float32", "float64", "int64" or
// "bool"; float32 when absent), shape, and the values in row-major order
// (bools as 0 and 1).
type Tensor struct {
	Dtype string `json:"dtype"`
	Shape []int  `json:"shape"`
	Data  Floats `json:"data"`
}

// Float32s returns the values as float32.
func (g *Tensor) Float32s() []float32 {
	out := make([]float32, len(g.Data))
	for i, v := range g.Data {
		out[i] = float32(v)
	}
	return out
}

// Int64s returns the values as int64.
func (g *Tensor) Int64s() []int64 {
	out := make([]int64, len(g.Data))
	for i, v := range g.Data {
		out[i] = int64(v)
	}
	return out
}

// Bools returns the values as bools.
func (g *Tensor) Bools() []bool {
	out := make([]bool, len(g.Data))
	for i, v := range g.Data {
		out[i] = v != 0
	}
	return out
}

// Values is a result to compare: a *dl.Tensor is one.
type Values interface {
	Shape() []int
	Float64s() []float64
}

// Tol is how close a result must be to PyTorch's: an element matches when
//
//	|got − want| ≤ Rel · max(|want|, scale)
//
// where scale is the root mean square of the wanted values (their finite
// ones), or Floor when that is larger. Relative per element, but not
// below the tensor's own scale: a value near zero that comes out of a sum
// that cancels is held to the accuracy its inputs allow, not to its own
// magnitude. Floor 1 makes values below 1 absolute (|got − want| ≤ Rel).
// NaN matches NaN and an infinity itself. The zero Tol compares exactly,
// as do int64 and bool tensors whatever the Tol.
type Tol struct {
	Rel   float64
	Floor float64
}

// Compare compares got with want: shape, then values with tol. The error
// says how many values differ and shows the first few by index.
func Compare(got Values, want *Tensor, tol Tol) error {
	if got == nil || reflect.ValueOf(got).Kind() == reflect.Pointer && reflect.ValueOf(got).IsNil() {
		return fmt.Errorf("missing (nil), want shape %v", want.Shape)
	}
	if !slices.Equal(got.Shape(), want.Shape) {
		return fmt.Errorf("shape %v, want %v", got.Shape(), want.Shape)
	}
	w := want.Data
	switch want.Dtype {
	case "int64", "bool":
		tol = Tol{}
	case "", "float32":
		// The file spells float32 values with the fewest digits that read
		// back as the same float32: round them back to it.
		w = make([]float64, len(want.Data))
		for i, v := range want.Data {
			w[i] = float64(float32(v))
		}
	}
	return diff(want.Shape, got.Float64s(), w, tol)
}

// Check is Compare reporting a mismatch as a test error about what.
func Check(t testing.TB, what string, got Values, want *Tensor, tol Tol) {
	t.Helper()
	if err := Compare(got, want, tol); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// CompareSlices compares flat lists of values (indices are reported flat).
func CompareSlices[F float32 | float64](got, want []F, tol Tol) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d values, want %d", len(got), len(want))
	}
	g, w := make([]float64, len(got)), make([]float64, len(want))
	for i := range got {
		g[i], w[i] = float64(got[i]), float64(want[i])
	}
	return diff([]int{len(w)}, g, w, tol)
}

// shown is how many mismatches an error lists.
const shown = 4

func diff(shape []int, got, want []float64, tol Tol) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d values, want %d", len(got), len(want))
	}
	scale := tol.Floor
	if tol.Rel > 0 {
		var ss float64
		n := 0
		for _, w := range want {
			if !math.IsNaN(w) && !math.IsInf(w, 0) {
				ss += w * w
				n++
			}
		}
		scale = math.Max(scale, math.Sqrt(ss/float64(max(n, 1))))
	}
	var bad []int
	worst, worstRatio := -1, 0.0
	for i, w := range want {
		g := got[i]
		if math.IsNaN(w) || math.IsInf(w, 0) || math.IsNaN(g) || math.IsInf(g, 0) {
			if !(g == w || math.IsNaN(g) && math.IsNaN(w)) {
				bad = append(bad, i)
			}
			continue
		}
		d := math.Abs(g - w)
		bound := tol.Rel * math.Max(math.Abs(w), scale)
		if d > bound {
			bad = append(bad, i)
			if r := d / math.Max(bound, math.SmallestNonzeroFloat64); r > worstRatio {
				worst, worstRatio = i, r
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	var b strings.Builder
	if tol.Rel == 0 {
		fmt.Fprintf(&b, "%d of %d values differ (exact comparison)", len(bad), len(want))
	} else {
		fmt.Fprintf(&b, "%d of %d values differ (tolerance %.3g × max(|want|, %.3g))", len(bad), len(want), tol.Rel, scale)
	}
	line := func(i int) {
		fmt.Fprintf(&b, "\n  %v: got %.9g, want %.9g", index(shape, i), got[i], want[i])
		if d := got[i] - want[i]; !math.IsNaN(d) && !math.IsInf(d, 0) && d != 0 {
			fmt.Fprintf(&b, " (diff %.3g)", d)
		}
	}
	for _, i := range bad[:min(len(bad), shown)] {
		line(i)
	}
	if worst >= 0 && !slices.Contains(bad[:min(len(bad), shown)], worst) {
		b.WriteString("\n  ...\n  worst:")
		line(worst)
	}
	return fmt.Errorf("%s", b.String())
}

// index turns a flat position into the index of a tensor of the shape.
func index(shape []int, flat int) []int {
	if len(shape) == 0 {
		return []int{}
	}
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = flat % shape[d]
			flat /= shape[d]
		}
	}
	return idx
}
