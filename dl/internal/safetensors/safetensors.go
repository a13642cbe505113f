// Package safetensors reads and writes the safetensors format
// (huggingface/safetensors): an 8-byte little-endian header length, a JSON
// header naming each tensor's dtype, shape and byte range, optional string
// metadata under "__metadata__", then the tensors' bytes. PyTorch's
// safetensors package reads what Encode writes and the other way round.
// It knows nothing of dl's tensors: nn and optim convert.
package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Tensor is one stored tensor: its dtype as the format names it ("F32",
// "I64", ...), its shape and its little-endian bytes.
type Tensor struct {
	Dtype string
	Shape []int
	Data  []byte
}

// dtypeSize is the bytes per element of the dtypes this package converts.
var dtypeSize = map[string]int64{"F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4}

// FromFloat32s makes an F32 tensor of the given shape from data.
func FromFloat32s(data []float32, shape []int) Tensor {
	b := make([]byte, 0, 4*len(data))
	for _, v := range data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return Tensor{Dtype: "F32", Shape: slices.Clone(shape), Data: b}
}

// Float32s returns the elements of t as float32: F32 exactly; F64, F16,
// BF16, I64 and I32 converted.
func (t Tensor) Float32s() ([]float32, error) {
	size, ok := dtypeSize[t.Dtype]
	if !ok {
		return nil, fmt.Errorf("dtype %s; only F32, F64, F16, BF16, I64 and I32 load as float32", t.Dtype)
	}
	src := t.Data
	dst := make([]float32, int64(len(src))/size)
	for i := range dst {
		switch t.Dtype {
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
	return dst, nil
}

type entry struct {
	Dtype   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// Encode returns the file holding tensors, in name order, and metadata
// (nil for none).
func Encode(tensors map[string]Tensor, metadata map[string]string) ([]byte, error) {
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	slices.Sort(names)
	header := map[string]any{}
	if metadata != nil {
		header["__metadata__"] = metadata
	}
	var off int64
	for _, n := range names {
		t := tensors[n]
		size := int64(len(t.Data))
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[n] = entry{Dtype: t.Dtype, Shape: shape, Offsets: [2]int64{off, off + size}}
		off += size
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return nil, err
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
		buf = append(buf, tensors[n].Data...)
	}
	return buf, nil
}

// Decode reads a file: its tensors (their Data pointing into b) and its
// metadata. Only the dtypes Float32s converts are accepted.
func Decode(b []byte) (map[string]Tensor, map[string]string, error) {
	if len(b) < 8 {
		return nil, nil, io.ErrUnexpectedEOF
	}
	hl := binary.LittleEndian.Uint64(b)
	if hl > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("not a safetensors file: header length %d exceeds file size %d", hl, len(b))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+hl], &raw); err != nil {
		return nil, nil, fmt.Errorf("not a safetensors file: header: %w", err)
	}
	data := b[8+hl:]
	out := map[string]Tensor{}
	var meta map[string]string
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, fmt.Errorf("metadata: %w", err)
			}
			continue
		}
		var e entry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		size, ok := dtypeSize[e.Dtype]
		if !ok {
			return nil, nil, fmt.Errorf("tensor %s has dtype %s; only F32, F64, F16, BF16, I64 and I32 load as float32", name, e.Dtype)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, nil, fmt.Errorf("tensor %s has invalid shape %v", name, e.Shape)
			}
			n *= int64(d)
		}
		lo, hi := e.Offsets[0], e.Offsets[1]
		if lo < 0 || hi < lo || hi > int64(len(data)) || hi-lo != n*size {
			return nil, nil, errors.New("tensor " + name + ": data offsets out of range or not matching its shape")
		}
		out[name] = Tensor{Dtype: e.Dtype, Shape: e.Shape, Data: data[lo:hi:hi]}
	}
	return out, meta, nil
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
