package nn

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/golden"
)

// tinyMLP is the tutorial's MLP with unexported fields, as a Go user would
// write it.
type tinyMLP struct {
	layer1     *Linear
	activation *ReLU
	layer2     *Linear
}

func newTinyMLP(in, hidden, out int) *tinyMLP {
	return &tinyMLP{NewLinear(in, hidden), NewReLU(), NewLinear(hidden, out)}
}

func (m *tinyMLP) Forward(x *dl.Tensor) *dl.Tensor {
	return m.layer2.Forward(m.activation.Forward(m.layer1.Forward(x)))
}

// expectedMLP recomputes the values testdata/gen_safetensors.py wrote.
func expectedMLP() map[string][]float32 {
	out := map[string][]float32{}
	for k, s := range []struct {
		name string
		n    int
	}{{"layer1.weight", 12}, {"layer1.bias", 3}, {"layer2.weight", 6}, {"layer2.bias", 2}} {
		sign := float32(1)
		if k%2 == 1 {
			sign = -1
		}
		v := make([]float32, s.n)
		for i := range v {
			v[i] = float32(i+1)*0.25*sign - float32(k)
		}
		out[s.name] = v
	}
	return out
}

func TestLoadSafetensorsFromPython(t *testing.T) {
	m := newTinyMLP(4, 3, 2)
	if err := Load(m, "testdata/mlp.safetensors"); err != nil {
		t.Fatal(err)
	}
	want := expectedMLP()
	for _, np := range NamedParameters(m) {
		got := np.Param.Data()
		for i, v := range want[np.Name] {
			if got[i] != v {
				t.Fatalf("%s[%d] = %v, file holds %v", np.Name, i, got[i], v)
			}
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "model.safetensors")
	a := newResidualBlock(3, 4, 2)
	a.Forward(dl.Randn(2, 3, 8, 8)) // move the running statistics
	if err := Save(a, p); err != nil {
		t.Fatal(err)
	}
	b := newResidualBlock(3, 4, 2)
	if err := Load(b, p); err != nil {
		t.Fatal(err)
	}
	sa, sb := StateDict(a), StateDict(b)
	for i := range sa {
		da, db := sa[i].Param.Data(), sb[i].Param.Data()
		for j := range da {
			if da[j] != db[j] {
				t.Fatalf("%s[%d]: saved %v, loaded %v", sa[i].Name, j, da[j], db[j])
			}
		}
	}
	// A file written here must read in the reference implementation too;
	// run it when the Python package is around.
	m := newTinyMLP(4, 3, 2)
	if err := Load(m, "testdata/mlp.safetensors"); err != nil {
		t.Fatal(err)
	}
	gp := filepath.Join(dir, "mlp.safetensors")
	if err := Save(m, gp); err != nil {
		t.Fatal(err)
	}
	py := os.Getenv("SAFETENSORS_PYTHON")
	if py == "" {
		t.Log("set SAFETENSORS_PYTHON to a python with safetensors to cross-check the written file")
		return
	}
	out, err := exec.Command(py, "testdata/gen_safetensors.py", gp).CombinedOutput()
	if err != nil {
		t.Fatalf("safetensors rejects our file: %v\n%s", err, out)
	}
}

func TestLoadErrorsNameTensors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.safetensors")
	if err := SaveTensors(p, map[string]*dl.Tensor{
		"layer1.weight": dl.Zeros(3, 4),
		"layer1.bias":   dl.Zeros(5),
		"extra":         dl.Zeros(1),
	}); err != nil {
		t.Fatal(err)
	}
	err := Load(newTinyMLP(4, 3, 2), p)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"missing layer2.weight, layer2.bias", "unexpected extra", "layer1.bias (file [5], model [3])"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := Load(newTinyMLP(4, 3, 2), filepath.Join(dir, "absent")); err == nil {
		t.Error("absent file: no error")
	}
	os.WriteFile(p, []byte("garbage!garbage"), 0o644)
	if err := Load(newTinyMLP(4, 3, 2), p); err == nil || !strings.Contains(err.Error(), "not a safetensors file") {
		t.Errorf("garbage file: %v", err)
	}
}

func TestLoadPyTorchStateDict(t *testing.T) {
	// resblock.safetensors is a ResidualBlock's state dict saved by
	// safetensors.torch (testdata/gen_torch_safetensors.py), with int64
	// num_batches_tracked; in eval mode the block must compute PyTorch's
	// output.
	var io struct{ X, Y goldTensor }
	golden.Load(t, "testdata/resblock.json", goldenTorch, &io)
	m := newResidualBlock(3, 4, 2)
	if err := Load(m, "testdata/resblock.safetensors"); err != nil {
		t.Fatal(err)
	}
	if n := m.BN1.NumBatchesTracked.Item(); n != 3 {
		t.Errorf("num_batches_tracked = %v, want 3", n)
	}
	Eval(m)
	if err := closeTo(m.Forward(io.X.tensor()), io.Y, 1e-5); err != nil {
		t.Error(err)
	}
}
