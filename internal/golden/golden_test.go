package golden

import (
	"encoding/json"
	"math"
	"os"
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
