package dl

// Resolving an indexing expression (Index, SetIndex) against a shape: the
// arguments are normalised into items, ints and slices fix a base offset
// and strided result dimensions, and index tensors (Int64, or Bool masks
// through their nonzero coordinates) make the advanced block.

// number reads any Go number as a float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// intIndex reads a Go integer index.
func intIndex(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int8:
		return int(x), true
	case int16:
		return int(x), true
	case int32:
		return int(x), true
	case int64:
		return int(x), true
	case uint:
		return int(x), true
	case uint8:
		return int(x), true
	case uint16:
		return int(x), true
	case uint32:
		return int(x), true
	case uint64:
		return int(x), true
	}
	return 0, false
}

// indexPlan is an indexing expression resolved against a shape, apart from
// any storage: the same plan gives storage positions for a strided tensor
// and logical positions (contiguous strides) for gradients.
type indexPlan struct {
	base  []int    // per source dimension, the index ints and slice starts fix
	dims  []outDim // the result's dimensions other than the advanced block
	advAt int      // where the advanced block goes among dims; -1 for none
	copy  bool     // a copy though no index tensor is involved
	last  string   // the last basic step (Select, Narrow, Unsqueeze), naming the view's node as torch does

	advShape []int   // the index tensors' broadcast shape
	advSrc   []int   // the source dimension of each index tensor
	advIdx   [][]int // each index tensor's values broadcast to advShape
}

// outDim is one result dimension: size elements of source dimension src
// (-1 for a new axis) taken step apart.
type outDim struct{ size, src, step int }

// shape returns the result's shape.
func (p *indexPlan) shape() []int {
	s := []int{}
	for i, d := range p.dims {
		if i == p.advAt {
			s = append(s, p.advShape...)
		}
		s = append(s, d.size)
	}
	if p.advAt == len(p.dims) {
		s = append(s, p.advShape...)
	}
	return s
}

// view returns the strided layout of a basic (no index tensors) result
// over a tensor with the given offset and strides.
func (p *indexPlan) view(off0 int, strides []int) (off int, shape, st []int) {
	off = off0
	for d, b := range p.base {
		off += b * strides[d]
	}
	shape, st = make([]int, len(p.dims)), make([]int, len(p.dims))
	for i, d := range p.dims {
		shape[i], st[i] = d.size, 1
		if d.src >= 0 {
			st[i] = d.step * strides[d.src]
		}
	}
	return off, shape, st
}

// offsets lists, in the result's row-major order, the position of every
// result element in a tensor with the given offset and strides.
func (p *indexPlan) offsets(off0 int, strides []int) []int {
	off := off0
	for d, b := range p.base {
		off += b * strides[d]
	}
	offs := []int{off}
	add := func(part []int) {
		next := make([]int, 0, len(offs)*len(part))
		for _, a := range offs {
			for _, c := range part {
				next = append(next, a+c)
			}
		}
		offs = next
	}
	advanced := func() {
		part := make([]int, numel(p.advShape))
		for k, src := range p.advSrc {
			for j, i := range p.advIdx[k] {
				part[j] += i * strides[src]
			}
		}
		add(part)
	}
	for i, d := range p.dims {
		if i == p.advAt {
			advanced()
		}
		part := make([]int, d.size)
		if d.src >= 0 {
			for j := range part {
				part[j] = j * d.step * strides[d.src]
			}
		}
		add(part)
	}
	if p.advAt == len(p.dims) {
		advanced()
	}
	return offs
}

// indexItem is one argument of Index, normalised.
type indexItem struct {
	kind  itemKind
	i     int
	sl    Slice
	size  int     // of a new axis: 1, or 0 for a false 0-d mask
	idx   *Tensor // Int64 index tensor
	mask  *Tensor // Bool mask, indexing mask.Dim() dimensions
	width int     // source dimensions consumed
	copy  bool    // makes the result a copy, as a 0-d mask does in torch
}

type itemKind uint8

const (
	itemInt itemKind = iota
	itemSlice
	itemNewAxis
	itemEllipsis
	itemTensor
	itemMask
)

func parseIndex(op string, args []any) []indexItem {
	items := make([]indexItem, 0, len(args))
	for _, a := range args {
		if i, ok := intIndex(a); ok {
			items = append(items, indexItem{kind: itemInt, i: i, width: 1})
			continue
		}
		switch x := a.(type) {
		case Slice:
			if x.Step <= 0 {
				Panicf(op, "slice step must be greater than zero, got %d", x.Step)
			}
			items = append(items, indexItem{kind: itemSlice, sl: x, width: 1})
		case IndexMarker:
			switch x {
			case All:
				items = append(items, indexItem{kind: itemSlice, sl: Slice{0, End, 1}, width: 1})
			case Ellipsis:
				items = append(items, indexItem{kind: itemEllipsis})
			case NewAxis:
				items = append(items, indexItem{kind: itemNewAxis, size: 1})
			default:
				Panicf(op, "unknown index marker %d", x)
			}
		case []int:
			items = append(items, tensorItem(op, FromInt64s(toInt64s(x))))
		case []int64:
			items = append(items, tensorItem(op, FromInt64s(x)))
		case []bool:
			items = append(items, tensorItem(op, FromBools(x)))
		case *Tensor:
			if x == nil {
				Panicf(op, "index is a nil tensor")
			}
			items = append(items, tensorItem(op, x))
		default:
			Panicf(op, "an index must be an int, dl.Sl(...), dl.All, dl.Ellipsis, dl.NewAxis, or an Int64 or Bool tensor; got %T", a)
		}
	}
	return items
}

func toInt64s(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func tensorItem(op string, t *Tensor) indexItem {
	switch t.dtype {
	case Int64:
		if t.Dim() == 0 { // as torch: a 0-d index tensor selects like an int
			return indexItem{kind: itemInt, i: int(t.ext.ints[t.offset]), width: 1}
		}
		return indexItem{kind: itemTensor, idx: t, width: 1}
	case Bool:
		if t.Dim() == 0 { // t[True] adds a dimension of 1, t[False] of 0; a copy
			size := 0
			if t.ext.bools[t.offset] {
				size = 1
			}
			return indexItem{kind: itemNewAxis, size: size, copy: true}
		}
		return indexItem{kind: itemMask, mask: t, width: t.Dim()}
	}
	Panicf(op, "tensors used as indices must be Int64 or Bool, got %s (convert with To(dl.Int64))", t.dtype.Name())
	return indexItem{}
}

// planIndex resolves args against shape.
func planIndex(op string, shape []int, args []any) *indexPlan {
	items := parseIndex(op, args)
	used, ellipses := 0, 0
	for _, it := range items {
		used += it.width
		if it.kind == itemEllipsis {
			ellipses++
		}
	}
	if ellipses > 1 {
		Panicf(op, "an index can only have a single ellipsis")
	}
	if used > len(shape) {
		Panicf(op, "too many indices for tensor of dimension %d (shape %v)", len(shape), shape)
	}
	p := &indexPlan{base: make([]int, len(shape)), advAt: -1}
	var advPos []int // len(dims) when each index tensor was met
	var advShapes [][]int
	var advVals [][]int64
	d := 0
	take := func(n int) { // whole dimensions d..d+n-1
		for range n {
			p.dims = append(p.dims, outDim{size: shape[d], src: d, step: 1})
			d++
		}
	}
	for _, it := range items {
		switch it.kind {
		case itemEllipsis:
			take(len(shape) - used)
		case itemNewAxis:
			p.dims = append(p.dims, outDim{size: it.size, src: -1})
			p.last = "Unsqueeze"
			p.copy = p.copy || it.copy
		case itemInt:
			i := it.i
			if i < -shape[d] || i >= shape[d] {
				Panicf(op, "index %d is out of bounds for dimension %d with size %d", i, d, shape[d])
			}
			if i < 0 {
				i += shape[d]
			}
			p.base[d] = i
			p.last = "Select"
			d++
		case itemSlice:
			start, n := sliceRange(it.sl, shape[d])
			if n != shape[d] || it.sl.Step != 1 {
				p.last = "Narrow"
			}
			p.base[d] = start
			p.dims = append(p.dims, outDim{size: n, src: d, step: it.sl.Step})
			d++
		case itemTensor:
			vals := it.idx.Int64s()
			for _, v := range vals {
				if v < -int64(shape[d]) || v >= int64(shape[d]) {
					Panicf(op, "index %d is out of bounds for dimension %d with size %d", v, d, shape[d])
				}
			}
			advPos = append(advPos, len(p.dims))
			advShapes = append(advShapes, it.idx.shape)
			advVals = append(advVals, vals)
			p.advSrc = append(p.advSrc, d)
			d++
		case itemMask:
			k := it.mask.Dim()
			if !sameShape(it.mask.shape, shape[d:d+k]) {
				Panicf(op, "the shape of the mask %v does not match the shape %v of the indexed dimensions %d..%d", it.mask.shape, shape[d:d+k], d, d+k-1)
			}
			for j, coords := range nonzero(it.mask) {
				advPos = append(advPos, len(p.dims))
				advShapes = append(advShapes, []int{len(coords)})
				advVals = append(advVals, coords)
				p.advSrc = append(p.advSrc, d+j)
			}
			d += k
		}
	}
	take(len(shape) - d)
	if len(advPos) == 0 {
		return p
	}
	p.advAt = advPos[0]
	for _, q := range advPos {
		if q != advPos[0] { // not next to each other: the block goes first
			p.advAt = 0
		}
	}
	p.advShape = advShapes[0]
	for _, s := range advShapes[1:] {
		p.advShape = broadcastShapes(op, p.advShape, s)
	}
	for k, vals := range advVals {
		b := fromInt64s(vals, advShapes[k]).Expand(p.advShape...).Int64s()
		n := int64(shape[p.advSrc[k]])
		idx := make([]int, len(b))
		for j, v := range b {
			if v < 0 {
				v += n
			}
			idx[j] = int(v)
		}
		p.advIdx = append(p.advIdx, idx)
	}
	return p
}

// sliceRange clips s to a dimension of size n as Python does and returns
// its first index and its length.
func sliceRange(s Slice, n int) (start, length int) {
	clip := func(i int) int {
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		return min(i, n)
	}
	start, stop := clip(s.Start), clip(s.Stop)
	if stop <= start {
		return start, 0
	}
	return start, (stop - start + s.Step - 1) / s.Step
}

// nonzero returns, per dimension of mask, the coordinates of its true
// elements in row-major order (torch.nonzero(mask, as_tuple=True)).
func nonzero(mask *Tensor) [][]int64 {
	k := mask.Dim()
	coords := make([][]int64, k)
	idx := make([]int, k)
	for _, v := range mask.Bools() {
		if v {
			for j := range k {
				coords[j] = append(coords[j], int64(idx[j]))
			}
		}
		for j := k - 1; j >= 0; j-- {
			idx[j]++
			if idx[j] < mask.shape[j] {
				break
			}
			idx[j] = 0
		}
	}
	for j := range coords {
		if coords[j] == nil {
			coords[j] = []int64{}
		}
	}
	return coords
}
