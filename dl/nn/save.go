package nn

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/safetensors"
)

// Save writes the parameters and buffers of m (names from StateDict, e.g.
// "layer1.weight") to path in the safetensors format, which PyTorch's
// safetensors package reads with safetensors.torch.load_file.
func Save(m any, path string) error {
	sd := StateDict(m)
	if len(sd) == 0 {
		return fmt.Errorf("nn.Save: %T has no parameters to save", m)
	}
	ts := make(map[string]*dl.Tensor, len(sd))
	for _, np := range sd {
		ts[np.Name] = np.Param
	}
	return SaveTensors(path, ts)
}

// Load reads a safetensors file written by Save or by PyTorch into the
// parameters and buffers of m, in place. Every tensor of m must be in the
// file with the same shape and the file may hold no others; the error names
// the missing, unexpected and mismatched tensors.
func Load(m any, path string) error {
	file, err := LoadTensors(path)
	if err != nil {
		return err
	}
	var missing, mismatched []string
	sd := StateDict(m)
	want := map[string]bool{}
	for _, np := range sd {
		want[np.Name] = true
		t, ok := file[np.Name]
		switch {
		case !ok:
			missing = append(missing, np.Name)
		case !slices.Equal(t.Shape(), np.Param.Shape()):
			mismatched = append(mismatched, fmt.Sprintf("%s (file %v, model %v)", np.Name, t.Shape(), np.Param.Shape()))
		}
	}
	var unexpected []string
	for name := range file {
		if !want[name] {
			unexpected = append(unexpected, name)
		}
	}
	sort.Strings(unexpected)
	if len(missing)+len(mismatched)+len(unexpected) > 0 {
		var parts []string
		if len(missing) > 0 {
			parts = append(parts, "missing "+strings.Join(missing, ", "))
		}
		if len(unexpected) > 0 {
			parts = append(parts, "unexpected "+strings.Join(unexpected, ", "))
		}
		if len(mismatched) > 0 {
			parts = append(parts, "shape mismatch for "+strings.Join(mismatched, ", "))
		}
		return fmt.Errorf("nn.Load %s into %T: %s", path, m, strings.Join(parts, "; "))
	}
	for _, np := range sd {
		dst := np.Param
		if !dst.IsContiguous() {
			return fmt.Errorf("nn.Load: %s is a non-contiguous view and cannot be loaded in place", np.Name)
		}
		copy(dst.RawData(), file[np.Name].RawData())
	}
	return nil
}

// SaveTensors writes named tensors to a safetensors file as F32, in name
// order.
func SaveTensors(path string, ts map[string]*dl.Tensor) error {
	st := make(map[string]safetensors.Tensor, len(ts))
	for n, t := range ts {
		st[n] = safetensors.FromFloat32s(t.Data(), t.Shape())
	}
	// The "pt" format tag lets safetensors.torch's model helpers accept it.
	b, err := safetensors.Encode(st, map[string]string{"format": "pt"})
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("nn.Save: %w", err)
	}
	return nil
}

// LoadTensors reads every tensor of a safetensors file. F32 tensors load
// exactly; F64, F16, BF16, I64 and I32 are converted to float32.
func LoadTensors(path string) (map[string]*dl.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nn.Load: %w", err)
	}
	st, _, err := safetensors.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("nn.Load %s: %w", path, err)
	}
	out := make(map[string]*dl.Tensor, len(st))
	for name, t := range st {
		data, err := t.Float32s()
		if err != nil {
			return nil, fmt.Errorf("nn.Load %s: tensor %s has %w", path, name, err)
		}
		// Zeros, not FromSlice: an empty shape is a scalar here, not a vector.
		out[name] = dl.Zeros(t.Shape...)
		copy(out[name].RawData(), data)
	}
	return out, nil
}
