package nn

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/godl-dev/godl/dl"
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

type stEntry struct {
	Dtype   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// SaveTensors writes named tensors to a safetensors file as F32, in name
// order.
func SaveTensors(path string, ts map[string]*dl.Tensor) error {
	names := make([]string, 0, len(ts))
	for n := range ts {
		names = append(names, n)
	}
	slices.Sort(names)
	// The "pt" format tag lets safetensors.torch's model helpers accept it.
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var off int64
	for _, n := range names {
		size := int64(ts[n].Numel()) * 4
		header[n] = stEntry{Dtype: "F32", Shape: nonNil(ts[n].Shape()), Offsets: [2]int64{off, off + size}}
		off += size
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return err
	}
	// Pad the header with spaces to 8 bytes so the data is aligned, as the
	// Python writer does.
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	buf := make([]byte, 8, 8+len(hj)+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(hj)))
	buf = append(buf, hj...)
	for _, n := range names {
		for _, v := range ts[n].Data() {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return fmt.Errorf("nn.Save: %w", err)
	}
	return nil
}

func nonNil(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

// LoadTensors reads every tensor of a safetensors file. F32 tensors load
// exactly; F64, F16, BF16, I64 and I32 are converted to float32.
func LoadTensors(path string) (map[string]*dl.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nn.Load: %w", err)
	}
	ts, err := decodeSafetensors(b)
	if err != nil {
		return nil, fmt.Errorf("nn.Load %s: %w", path, err)
	}
	return ts, nil
}

func decodeSafetensors(b []byte) (map[string]*dl.Tensor, error) {
	if len(b) < 8 {
		return nil, io.ErrUnexpectedEOF
	}
	hl := binary.LittleEndian.Uint64(b)
	if hl > uint64(len(b)-8) {
		return nil, fmt.Errorf("not a safetensors file: header length %d exceeds file size %d", hl, len(b))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+hl], &raw); err != nil {
		return nil, fmt.Errorf("not a safetensors file: header: %w", err)
	}
	data := b[8+hl:]
	out := map[string]*dl.Tensor{}
	for name, msg := range raw {
		if name == "__metadata__" {
			continue
		}
		var e stEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		size, ok := map[string]int64{"F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4}[e.Dtype]
		if !ok {
			return nil, fmt.Errorf("tensor %s has dtype %s; only F32, F64, F16, BF16, I64 and I32 load as float32", name, e.Dtype)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, fmt.Errorf("tensor %s has invalid shape %v", name, e.Shape)
			}
			n *= int64(d)
		}
		lo, hi := e.Offsets[0], e.Offsets[1]
		if lo < 0 || hi < lo || hi > int64(len(data)) || hi-lo != n*size {
			return nil, errors.New("tensor " + name + ": data offsets out of range or not matching its shape")
		}
		t := dl.Zeros(e.Shape...)
		dst, src := t.RawData(), data[lo:hi]
		for i := range dst {
			switch e.Dtype {
			case "F32":
				dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
			case "F64":
				dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
			case "BF16":
				dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
			case "F16":
				dst[i] = half(binary.LittleEndian.Uint16(src[2*i:]))
			case "I64": // PyTorch's BatchNorm counts batches in an int64
				dst[i] = float32(int64(binary.LittleEndian.Uint64(src[8*i:])))
			case "I32":
				dst[i] = float32(int32(binary.LittleEndian.Uint32(src[4*i:])))
			}
		}
		out[name] = t
	}
	return out, nil
}

// half converts an IEEE 754 binary16 value to float32.
func half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0:
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}
