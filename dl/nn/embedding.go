package nn

import "github.com/godl-dev/godl/dl"

// Embedding maps integer ids to learned vectors: Weight is [num dim],
// initialised from N(0, 1) as in PyTorch.
type Embedding struct {
	Weight *dl.Tensor `nn:"weight"`
}

// NewEmbedding returns an Embedding of num vectors of size dim.
func NewEmbedding(num, dim int) *Embedding {
	if num <= 0 || dim <= 0 {
		dl.Panicf("Embedding", "sizes must be positive, got num=%d dim=%d", num, dim)
	}
	return &Embedding{Weight: dl.Randn(num, dim).RequiresGrad()}
}

// Forward looks up ids (an Int64 tensor of any shape, or whole float32
// numbers) and returns [ids' shape..., dim].
func (m *Embedding) Forward(ids *dl.Tensor) *dl.Tensor {
	const op = "Embedding"
	ws := m.Weight.Shape()
	num, dim := ws[0], ws[1]
	if ids.Dtype() == dl.Bool {
		dl.Panicf(op, "ids of dtype bool: want Int64 indices")
	}
	id := ids.Float64s() // exact for Int64 ids and for whole float32 ids
	idx := make([]int, len(id))
	for i, v := range id {
		k := int(v)
		if float64(k) != v || k < 0 || k >= num {
			dl.Panicf(op, "id %v at position %d is not an index in [0, %d)", v, i, num)
		}
		idx[i] = k
	}
	w := m.Weight
	wd := w.Contiguous().RawData()
	y := dl.Zeros(append(ids.Shape(), dim)...)
	yd := y.RawData()
	for i, k := range idx {
		copy(yd[i*dim:(i+1)*dim], wd[k*dim:(k+1)*dim])
	}
	y = dl.Record(op, y, []*dl.Tensor{w}, func(g *dl.Tensor) []*dl.Tensor {
		gd := g.Contiguous().RawData()
		gw := dl.Zeros(ws...)
		gwd := gw.RawData()
		for i, k := range idx {
			row := gwd[k*dim : (k+1)*dim]
			for j, v := range gd[i*dim : (i+1)*dim] {
				row[j] += v
			}
		}
		return []*dl.Tensor{gw}
	})
	return hooked(m, ids, y)
}
