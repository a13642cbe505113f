package golden

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// vals is a Values for the tests.
type vals struct {
	shape []int
	data  []float64
}

func (v *vals) Shape() []int        { return v.shape }
func (v *vals) Float64s() []float64 { return v.data }

func TestFloatsReadNonFinite(t *testing.T) {
	var f Floats
	if err := json.Unmarshal([]byte(` [1.5, -2e-3, "NaN", "Infinity", "-Infinity", 7 ] `), &f); err != nil {
		t.Fatal(err)
	}
	if len(f) != 6 || f[0] != 1.5 || f[1] != -2e-3 || !math.IsNaN(f[2]) || !math.IsInf(f[3], 1) || !math.IsInf(f[4], -1) || f[5] != 7 {
		t.Errorf("got %v", f)
	}
	var g Float32s
	if err := json.Unmarshal([]byte(`[0.1, "NaN"]`), &g); err != nil || g[0] != float32(0.1) || !math.IsNaN(float64(g[1])) {
		t.Errorf("Float32s: %v %v", g, err)
	}
	if err := json.Unmarshal([]byte(`[]`), &f); err != nil || len(f) != 0 {
		t.Errorf("empty: %v %v", f, err)
	}
	for _, bad := range []string{`[1, "x"]`, `{"a": 1}`, `[true]`} {
		if err := json.Unmarshal([]byte(bad), &f); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestTolerance(t *testing.T) {
	want := &Tensor{Dtype: "float64", Shape: []int{2, 2}, Data: Floats{3, -4, 0, 1e-3}} // rms 2.5
	for _, c := range []struct {
		got  []float64
		tol  Tol
		fail bool
	}{
		{[]float64{3, -4, 0, 1e-3}, Tol{}, false},
		{[]float64{3, -4, 0, 1.0001e-3}, Tol{}, true},                    // exact
		{[]float64{3.00029, -4, 0, 1e-3}, Tol{Rel: 1e-4}, false},         // 2.9e-4 ≤ 1e-4·3
		{[]float64{3.0004, -4, 0, 1e-3}, Tol{Rel: 1e-4}, true},           // 4e-4 > 1e-4·3
		{[]float64{3, -4, 2e-4, 1e-3}, Tol{Rel: 1e-4}, false},            // near zero: 1e-4·rms = 2.5e-4
		{[]float64{3, -4, 3e-4, 1e-3}, Tol{Rel: 1e-4}, true},             // beyond the scale
		{[]float64{3, -4, 9e-4, 1e-3}, Tol{Rel: 1e-4, Floor: 10}, false}, // the floor wins over rms
		{[]float64{3, -4, math.NaN(), 1e-3}, Tol{Rel: 1}, true},
	} {
		err := Compare(&vals{[]int{2, 2}, c.got}, want, c.tol)
		if (err != nil) != c.fail {
			t.Errorf("%v with %+v: error %v, want failure %v", c.got, c.tol, err, c.fail)
		}
	}
}

func TestNonFiniteAndExact(t *testing.T) {
	want := &Tensor{Shape: []int{3}, Data: Floats{math.NaN(), math.Inf(1), math.Inf(-1)}}
	if err := Compare(&vals{[]int{3}, []float64{math.NaN(), math.Inf(1), math.Inf(-1)}}, want, Tol{Rel: 1e-5}); err != nil {
		t.Error(err)
	}
	if err := Compare(&vals{[]int{3}, []float64{math.NaN(), math.Inf(-1), math.Inf(-1)}}, want, Tol{Rel: 1}); err == nil {
		t.Error("-Inf matched +Inf")
	}
	f32 := &Tensor{Shape: []int{1}, Data: Floats{0.1}} // the float32 nearest 0.1, as the file spells it
	if err := Compare(&vals{[]int{1}, []float64{float64(float32(0.1))}}, f32, Tol{}); err != nil {
		t.Errorf("a float32 read back from its shortest spelling: %v", err)
	}
	ints := &Tensor{Dtype: "int64", Shape: []int{2}, Data: Floats{1, 2}}
	if err := Compare(&vals{[]int{2}, []float64{1, 2.000001}}, ints, Tol{Rel: 1}); err == nil {
		t.Error("int64 values compared with a tolerance")
	}
}

func TestErrorsShowIndicesAndWorst(t *testing.T) {
	want := &Tensor{Shape: []int{2, 3, 2}, Data: make(Floats, 12)}
	got := make([]float64, 12)
	for i := range got {
		got[i] = float64(i) // all but [0 0 0] differ; the last differs most
	}
	err := Compare(&vals{[]int{2, 3, 2}, got}, want, Tol{Rel: 1e-5, Floor: 1})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, s := range []string{"11 of 12 values differ", "[0 0 1]: got 1, want 0", "[0 2 0]: got 4", "worst:\n  [1 2 1]: got 11"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error does not say %q:\n%s", s, msg)
		}
	}
	if strings.Contains(msg, "[0 2 1]") {
		t.Errorf("more than %d mismatches listed:\n%s", shown, msg)
	}
	if err := Compare(&vals{[]int{3, 4}, make([]float64, 12)}, want, Tol{}); err == nil || err.Error() != "shape [3 4], want [2 3 2]" {
		t.Errorf("shape: %v", err)
	}
	var nilVals *vals
	if err := Compare(nilVals, want, Tol{}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("nil: %v", err)
	}
	if err := CompareSlices([]float32{1, 2}, []float32{1, 2.5}, Tol{Rel: 1e-6, Floor: 1}); err == nil || !strings.Contains(err.Error(), "[1]: got 2, want 2.5") {
		t.Errorf("slices: %v", err)
	}
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "g.json")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadChecksTheEnvelope(t *testing.T) {
	var v struct {
		X Tensor `json:"x"`
	}
	ok := `{"generator": "internal/golden/goldenfile.py", "torch": "1.13.0a0", "data": {"x": {"dtype": "int64", "shape": [2], "data": [3, 4]}}}`
	if err := Read(writeFile(t, ok), "1.13", &v); err != nil {
		t.Fatal(err)
	}
	if v.X.Dtype != "int64" || v.X.Int64s()[1] != 4 || v.X.Shape[0] != 2 {
		t.Errorf("decoded %+v", v.X)
	}
	for _, c := range []struct{ text, series, want string }{
		{ok, "2", "was computed with PyTorch 1.13.0a0; these tests expect PyTorch 2"},
		{ok, "1.1", "these tests expect PyTorch 1.1 "},
		{`{"x": 1}`, "1.13", "is not a golden file"},
		{strings.Replace(ok, "goldenfile.py", "gone.py", 1), "1.13", "names its generator internal/golden/gone.py, which is missing"},
	} {
		err := Read(writeFile(t, c.text), c.series, &v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error saying %q", err, c.want)
		}
	}
}

func TestVersionIn(t *testing.T) {
	for _, c := range []struct {
		v, s string
		in   bool
	}{
		{"1.13.0a0", "1.13", true}, {"1.13", "1.13", true}, {"1.130.1", "1.13", false},
		{"2.5.1+cpu", "2", true}, {"21.0", "2", false}, {"1.13.1", "2", false},
	} {
		if VersionIn(c.v, c.s) != c.in {
			t.Errorf("VersionIn(%q, %q) = %v", c.v, c.s, !c.in)
		}
	}
}

// writerScript writes a golden file through goldenfile.py (with a stand-in
// for torch: no PyTorch needed), then checks the writer's noise rule: a
// rerun with values moved by noise leaves the file as it was, a real
// change is written.
const writerScript = `
import json, math, os, sys
sys.path.insert(0, sys.argv[1])
import goldenfile as golden

class Torch:
    __version__ = "1.13.0a0"

golden._torch = Torch
here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "g.json")

def data(f32, f64):
    return {"cases": [
        {"name": "a", "x": {"dtype": "float32", "shape": [2, 3], "data": golden.f32s(f32)}, "lr": f64,
         "special": golden.f32s([float("nan"), float("inf"), -float("inf"), 3.4028234663852886e38])},
        {"name": "b", "ints": {"dtype": "int64", "shape": [2], "data": [-3, 7]},
         "bools": {"dtype": "bool", "shape": [3], "data": [1, 0, 1]}},
    ]}

vals = [0.1, -0.0, 0.25, 1.5, -2.0, 3.0]
lrs = [0.1, 1e-300, float("nan")]
golden.write(__file__, "g.json", data(vals, lrs))
first = open(path).read()
golden.write(__file__, "g.json", data([0.1 * (1 + 3e-7)] + vals[1:], [0.1 * (1 + 1e-9)] + lrs[1:]))
assert open(path).read() == first, "noise rewrote the file"
golden.write(__file__, "g.json", data([0.1 * (1 + 1e-3)] + vals[1:], lrs))
assert open(path).read() != first, "a change was not written"
golden.write(__file__, "g.json", data(vals, lrs))
assert open(path).read() == first
assert golden.version_in("1.13.0a0", "1.13") and not golden.version_in("1.130", "1.13")
print("ok")
`

// TestWriterAndReaderAgree runs goldenfile.py and reads what it wrote.
func TestWriterAndReaderAgree(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "gen_g.py")
	if err := os.WriteFile(script, []byte(writerScript), 0o644); err != nil {
		t.Fatal(err)
	}
	here, _ := os.Getwd()
	if out, err := exec.Command(py, script, here).CombinedOutput(); err != nil || !strings.HasSuffix(string(out), "ok\n") {
		t.Fatalf("goldenfile.py: %v\n%s", err, out)
	}
	var g struct {
		Cases []struct {
			Name    string
			X       *Tensor
			LR      Floats
			Special Float32s
			Ints    *Tensor
			Bools   *Tensor
		}
	}
	if err := Read(filepath.Join(dir, "g.json"), "1.13", &g); err != nil {
		t.Fatal(err)
	}
	x, sp := g.Cases[0].X.Float32s(), g.Cases[0].Special
	if len(x) != 6 || x[0] != float32(0.1) || !math.Signbit(float64(x[1])) || x[1] != 0 || x[2] != 0.25 ||
		!math.IsNaN(float64(sp[0])) || !math.IsInf(float64(sp[1]), 1) || !math.IsInf(float64(sp[2]), -1) || sp[3] != math.MaxFloat32 {
		t.Errorf("float32 values read back as %v %v", x, sp)
	}
	if lr := g.Cases[0].LR; lr[0] != 0.1 || lr[1] != 1e-300 || !math.IsNaN(lr[2]) {
		t.Errorf("float64 values read back as %v", lr)
	}
	if i := g.Cases[1].Ints.Int64s(); i[0] != -3 || i[1] != 7 || g.Cases[1].Ints.Dtype != "int64" {
		t.Errorf("int64 values: %v", i)
	}
	if b := g.Cases[1].Bools.Bools(); !b[0] || b[1] || !b[2] {
		t.Errorf("bools: %v", b)
	}
	// The float32 values are spelled shortest: 0.1, not 0.10000000149011612.
	text, _ := os.ReadFile(filepath.Join(dir, "g.json"))
	if !strings.Contains(string(text), `[0.1,-0,0.25,1.5,-2,3]`) || !strings.Contains(string(text), `["NaN","Infinity","-Infinity",3.4028235e+38]`) {
		t.Errorf("float32 spelling:\n%s", text)
	}
}
