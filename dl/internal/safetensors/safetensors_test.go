package safetensors

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := map[string]Tensor{
		"b":      FromFloat32s([]float32{1, -2.5, float32(math.Inf(1))}, []int{3}),
		"a.w":    FromFloat32s([]float32{0, 1, 2, 3, 4, 5}, []int{2, 3}),
		"scalar": FromFloat32s([]float32{7}, nil),
	}
	b, err := Encode(in, map[string]string{"format": "pt", "note": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if hl := binary.LittleEndian.Uint64(b); (8+hl)%8 != 0 {
		t.Errorf("data starts at %d, not 8-byte aligned", 8+hl)
	}
	out, meta, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" || meta["note"] != "x" {
		t.Errorf("metadata %v", meta)
	}
	for name, want := range in {
		got := out[name]
		wf, _ := want.Float32s()
		gf, err := got.Float32s()
		if err != nil || !slices.Equal(wf, gf) || !slices.Equal(got.Shape, append([]int{}, want.Shape...)) || got.Dtype != "F32" {
			t.Errorf("%s: got %v %v %v (%v), want %v %v", name, got.Dtype, got.Shape, gf, err, want.Shape, wf)
		}
	}
}

func TestConversions(t *testing.T) {
	le := binary.LittleEndian
	cases := []struct {
		dtype string
		data  []byte
		want  []float32
	}{
		{"F64", le.AppendUint64(nil, math.Float64bits(-1.5)), []float32{-1.5}},
		{"BF16", le.AppendUint16(nil, 0x3fc0), []float32{1.5}},
		{"F16", le.AppendUint16(le.AppendUint16(nil, 0x3e00), 0x0001), []float32{1.5, 0x1p-24}},
		{"I64", le.AppendUint64(nil, uint64(0xffffffffffffffff)), []float32{-1}},
		{"I32", le.AppendUint32(nil, 42), []float32{42}},
	}
	for _, c := range cases {
		got, err := Tensor{Dtype: c.dtype, Data: c.data}.Float32s()
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v %v, want %v", c.dtype, got, err, c.want)
		}
	}
	if _, err := (Tensor{Dtype: "U8"}).Float32s(); err == nil {
		t.Error("U8 converted")
	}
}

func TestDecodeErrors(t *testing.T) {
	good, _ := Encode(map[string]Tensor{"x": FromFloat32s([]float32{1, 2}, []int{2})}, nil)
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"short":        {[]byte{1, 2}, "EOF"},
		"long header":  {append(binary.LittleEndian.AppendUint64(nil, 1000), '{', '}'), "header length 1000"},
		"not json":     {append(binary.LittleEndian.AppendUint64(nil, 2), 'x', 'y'), "not a safetensors file"},
		"truncated":    {good[:len(good)-4], "data offsets"},
		"bad dtype":    {header(`{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1), "dtype U8"},
		"bad shape":    {header(`{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4), "invalid shape"},
		"wrong length": {header(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4), "not matching its shape"},
	} {
		if _, _, err := Decode(c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}

func header(h string, data int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(b, h...), make([]byte, data)...)
}
