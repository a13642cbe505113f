package nn

import (
	"math"

	"github.com/godl-dev/godl/dl"
)

// Initialisers, as torch.nn.init: each overwrites t's values in place (no
// graph is recorded) and returns t. Fan-in and fan-out follow PyTorch: for
// a weight [out in k...], fan-in is in·k… and fan-out out·k….

func fans(op string, t *dl.Tensor) (in, out int) {
	s := t.Shape()
	if len(s) < 2 {
		dl.Panicf(op, "fan-in and fan-out need a tensor of at least 2 dimensions, got %v", s)
	}
	field := 1
	for _, d := range s[2:] {
		field *= d
	}
	return s[1] * field, s[0] * field
}

func fill(t *dl.Tensor, src *dl.Tensor) *dl.Tensor {
	copy(t.RawData(), src.RawData())
	return t
}

// UniformInit fills t from U(lo, hi).
func UniformInit(t *dl.Tensor, lo, hi float32) *dl.Tensor {
	return fill(t, dl.Uniform(lo, hi, t.Shape()...))
}

// NormalInit fills t from N(mean, std²).
func NormalInit(t *dl.Tensor, mean, std float32) *dl.Tensor {
	r := dl.Randn(t.Shape()...)
	d := r.RawData()
	for i := range d {
		d[i] = d[i]*std + mean
	}
	return fill(t, r)
}

// ConstantInit fills t with v.
func ConstantInit(t *dl.Tensor, v float32) *dl.Tensor {
	d := t.RawData()
	for i := range d {
		d[i] = v
	}
	return t
}

// XavierUniform fills t from U(±gain·√(6/(fan_in+fan_out))) (Glorot).
func XavierUniform(t *dl.Tensor, gain float64) *dl.Tensor {
	in, out := fans("XavierUniform", t)
	b := float32(gain * math.Sqrt(6/float64(in+out)))
	return UniformInit(t, -b, b)
}

// XavierNormal fills t from N(0, gain²·2/(fan_in+fan_out)).
func XavierNormal(t *dl.Tensor, gain float64) *dl.Tensor {
	in, out := fans("XavierNormal", t)
	return NormalInit(t, 0, float32(gain*math.Sqrt(2/float64(in+out))))
}

// KaimingUniform fills t from U(±√(6/fan_in)), He initialisation for ReLU
// networks (PyTorch's kaiming_uniform_ with a=0, mode fan_in).
func KaimingUniform(t *dl.Tensor) *dl.Tensor {
	in, _ := fans("KaimingUniform", t)
	b := float32(math.Sqrt(6 / float64(in)))
	return UniformInit(t, -b, b)
}

// KaimingNormal fills t from N(0, 2/fan_in).
func KaimingNormal(t *dl.Tensor) *dl.Tensor {
	in, _ := fans("KaimingNormal", t)
	return NormalInit(t, 0, float32(math.Sqrt(2/float64(in))))
}
