package nn

import (
	"runtime"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// Convolution runs as one GEMM per image and band of output rows: Im2col
// lays out the band's columns in a per-thread workspace and the weights
// multiply them straight into the output, which is already in [N C H W]
// order. Backward makes the columns again rather than keeping them (they
// are KH·KW times the input), so nothing proportional to the batch is held
// beyond x itself. Images (or bands) go to the threads, each running its
// products serially; with fewer images than threads the images go one by
// one and the products use the threads instead.

// bandBytes is the size of column matrix a band aims at: about a quarter
// of an L2, so the product reads the columns Im2col has just written from
// the cache. The workspace budget (dl.Workspace) can only lower it.
const bandBytes = 512 << 10

// rangeWork is the multiply-adds worth handing to another thread: about
// 20 µs of products.
const rangeWork = 1 << 20

// maxGradChunks bounds the pieces the batch is cut into for the weight
// gradient: each piece sums into its own copy, and the copies are added in
// piece order, so the result has the same bits on any number of threads.
// More pieces balance more threads; each costs a copy to add.
const maxGradChunks = 32

// Conv2dOp convolves x [N C H W] with w [O C kh kw] and adds b [O] (may be
// nil): PyTorch's conv2d with groups=1.
func Conv2dOp(x, w, b *dl.Tensor, stride, pad, dil [2]int) *dl.Tensor {
	return Conv2dGroupedOp(x, w, b, stride, pad, dil, 1)
}

// Conv2dGroupedOp is Conv2dOp with the channels split into groups: w is
// [O C/groups kh kw], and output channels [g·O/groups, (g+1)·O/groups)
// see only input channels [g·C/groups, (g+1)·C/groups).
func Conv2dGroupedOp(x, w, b *dl.Tensor, stride, pad, dil [2]int, groups int) *dl.Tensor {
	const op = "Conv2d"
	ws, xs := w.Shape(), x.Shape()
	if len(ws) != 4 {
		dl.Panicf(op, "weight must be [out in/groups kh kw], got %v", ws)
	}
	if len(xs) != 4 {
		dl.Panicf(op, "input must be [N C H W], got %v", xs)
	}
	o := ws[0]
	if groups <= 0 || o%groups != 0 {
		dl.Panicf(op, "groups=%d must be positive and divide the %d output channels of weight %v", groups, o, ws)
	}
	if xs[1] != ws[1]*groups {
		dl.Panicf(op, "input %v has %d channels but weight %v with groups=%d expects %d", xs, xs[1], ws, groups, ws[1]*groups)
	}
	if b != nil && (b.Dim() != 1 || b.Size(0) != o) {
		dl.Panicf(op, "bias %v does not fit weight %v", b.Shape(), ws)
	}
	p := newConvPlan(newGeom(op, xs, ws[2], ws[3], stride, pad, dil, false), o, groups)
	x = x.Contiguous()
	wc := w.Contiguous()
	var bd []float32
	if b != nil {
		bd = b.Contiguous().RawData()
	}
	y := dl.Empty(p.n, o, p.OH, p.OW)
	p.forward(x.RawData(), wc.RawData(), bd, y.RawData())
	return dl.Record(op, y, []*dl.Tensor{x, w, b}, func(gy *dl.Tensor) []*dl.Tensor {
		return p.backward(x.RawData(), wc.RawData(), gy.Contiguous().RawData(),
			x.TracksGrad(), w.TracksGrad(), b != nil && b.TracksGrad())
	})
}

// A convPlan is how one convolution is cut into work.
type convPlan struct {
	geom2d                  // C is the channels of one group
	groups, out, og    int  // groups, output channels, per group
	ckk, hw            int  // column rows of one group; output positions
	band, bands        int  // output rows per band; bands per image
	threads            int  // goroutines the op may use
	transposedGradient bool // weight gradient computed as [ckk, og] per group
}

func newConvPlan(g geom2d, out, groups int) *convPlan {
	g.C /= groups
	p := &convPlan{geom2d: g, groups: groups, out: out, og: out / groups,
		ckk: g.ColRows(), hw: g.OH * g.OW}
	// A band's columns, with the weight gradient's row of ones, within
	// the budget; at least one row.
	limit := min(dl.Workspace(), bandBytes) / 4
	p.band = min(max(limit/((p.ckk+1)*g.OW), 1), g.OH)
	p.bands = (g.OH + p.band - 1) / p.band
	p.threads = min(kernels.Threads(), runtime.GOMAXPROCS(0))
	// The weight gradient as [ckk og] = cols·gyᵀ lets the output channels
	// fill the kernels' 32-wide tiles and the column rows their 12-tall
	// ones (6% faster than [og ckk] for 32→64 channels at 14×14); few
	// output channels go as the rows instead.
	p.transposedGradient = p.og >= 16
	return p
}

// gemmFunc is kernels.Sgemm or kernels.SgemmSerial.
type gemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// parallelOver reports whether units of work should go to the threads
// (each running its products serially) rather than one by one with
// parallel products.
func (p *convPlan) parallelOver(units int) bool {
	return p.threads > 1 && units >= 2*p.threads
}

// bandRows returns the output rows [oy0, oy1) of band bnd and the columns
// they make.
func (p *convPlan) bandRows(bnd int) (oy0, oy1, cols int) {
	oy0 = bnd * p.band
	oy1 = min(oy0+p.band, p.OH)
	return oy0, oy1, (oy1 - oy0) * p.OW
}

// image returns group gi's channels of image img of an [N C H W] array.
func (p *convPlan) image(d []float32, img, gi int) []float32 {
	plane := p.H * p.W
	return d[(img*p.groups+gi)*p.C*plane : (img*p.groups+gi+1)*p.C*plane]
}

// forward writes y = conv(x, w) + b, every element.
func (p *convPlan) forward(xd, wd, bd, yd []float32) {
	// The bias joins the product as one more column of the weights
	// against a row of ones under the columns: filling the output with it
	// first was a slow pass of its own.
	k, wk := p.ckk, wd
	if bd != nil {
		k++
		wk = getScratch(p.out * k)
		for oc := range p.out {
			copy(wk[oc*k:], wd[oc*p.ckk:(oc+1)*p.ckk])
			wk[oc*k+p.ckk] = bd[oc]
		}
		defer putScratch(wk)
	}
	units := p.n * p.bands
	body := func(lo, hi int, gemm gemmFunc) {
		col := getScratch(k * p.band * p.OW)
		for u := lo; u < hi; u++ {
			dl.CheckInterrupt()
			img := u / p.bands
			oy0, oy1, cols := p.bandRows(u % p.bands)
			if bd != nil {
				setAll(col[p.ckk*cols:(p.ckk+1)*cols], 1)
			}
			for gi := range p.groups {
				kernels.Im2col(col, p.image(xd, img, gi), &p.ConvGeom, oy0, oy1)
				// The output rows of the group's channels, band columns
				// only: row stride hw.
				yg := yd[(img*p.out+gi*p.og)*p.hw+oy0*p.OW:]
				gemm(false, false, p.og, cols, k, 1, wk[gi*p.og*k:], k, col, cols, 0, yg, p.hw)
			}
		}
		putScratch(col)
	}
	if p.parallelOver(units) {
		unitWork := p.out * k * p.band * p.OW
		kernels.For(units, max(1, rangeWork/unitWork), func(lo, hi int) { body(lo, hi, kernels.SgemmSerial) })
		return
	}
	body(0, units, kernels.Sgemm)
}

// backward returns the gradients of x, w and b (nil where not needed) from
// the output gradient gyd.
func (p *convPlan) backward(xd, wd, gyd []float32, needX, needW, needB bool) []*dl.Tensor {
	if p.n == 0 {
		// An empty batch: nothing flows back.
		var gs [3]*dl.Tensor
		for i, s := range [][]int{{0, p.groups * p.C, p.H, p.W}, {p.out, p.C, p.KH, p.KW}, {p.out}} {
			if []bool{needX, needW, needB}[i] {
				gs[i] = dl.Zeros(s...)
			}
		}
		return gs[:]
	}
	q := newConvGrad(p, xd, wd, gyd, needX, needW, needB)
	if p.parallelOver(q.chunks) {
		kernels.ForChunks(p.n, q.per, func(c, lo, hi int) { q.chunk(c, lo, hi, kernels.SgemmSerial) })
	} else {
		for c := range q.chunks {
			q.chunk(c, c*q.per, min((c+1)*q.per, p.n), kernels.Sgemm)
		}
	}
	gw, gb := q.gather()
	var gx *dl.Tensor
	if needX {
		gx = q.gx
		putScratch(q.wt)
	}
	return []*dl.Tensor{gx, gw, gb}
}

// A convGrad is one backward pass of a convolution. The input gradient
// of an image is col2im(wᵀ·gy); the weight gradient of a group is
// gy·colsᵀ summed over images and bands, with a row of ones under the
// columns for the bias gradient as its last column. The batch is cut into
// a fixed number of chunks, each summing its own partial weight gradient
// (part); gather adds them in chunk order.
type convGrad struct {
	*convPlan
	xd, gyd             []float32
	needX, needW, needB bool

	gx  *dl.Tensor
	gxd []float32
	wt  []float32 // w transposed per group, [ckk og]: read in place by the products

	wRows, gRows int       // column rows of the weight gradient, then with the bias row
	chunks, per  int       // chunks of the batch; images per chunk
	partLen      int       // floats in one chunk's partial gradients
	part         []float32 // the partial gradients, chunk after chunk
	colFloats    int       // a thread's workspace
}

func newConvGrad(p *convPlan, xd, wd, gyd []float32, needX, needW, needB bool) *convGrad {
	q := &convGrad{convPlan: p, xd: xd, gyd: gyd, needX: needX, needW: needW, needB: needB}
	if needX {
		q.gx = dl.Empty(p.n, p.groups*p.C, p.H, p.W)
		q.gxd = q.gx.RawData()
		q.wt = getScratch(p.groups * p.ckk * p.og)
		for gi := range p.groups {
			transpose(q.wt[gi*p.ckk*p.og:], wd[gi*p.og*p.ckk:], p.og, p.ckk)
		}
	}
	if needW {
		q.wRows = p.ckk
	}
	q.gRows = q.wRows
	if needB {
		q.gRows++
	}
	q.partLen = p.groups * p.og * q.gRows
	q.chunks = p.n
	if q.gRows > 0 {
		q.chunks = min(p.n, maxGradChunks, max(1, dl.Workspace()/(4*q.partLen)))
		q.part = getScratch(q.chunks * q.partLen)
	}
	q.per = (p.n + q.chunks - 1) / q.chunks
	q.chunks = (p.n + q.per - 1) / q.per
	q.colFloats = max(q.gRows, p.ckk) * p.band * p.OW
	return q
}

// chunk does images [lo, hi), chunk c of the batch.
func (q *convGrad) chunk(c, lo, hi int, gemm gemmFunc) {
	col := getScratch(q.colFloats)
	for img := lo; img < hi; img++ {
		dl.CheckInterrupt()
		if q.needX {
			clear(q.gxd[img*q.groups*q.C*q.H*q.W : (img+1)*q.groups*q.C*q.H*q.W])
		}
		for bnd := range q.bands {
			oy0, oy1, cols := q.bandRows(bnd)
			for gi := range q.groups {
				gyg := q.gyd[(img*q.out+gi*q.og)*q.hw+oy0*q.OW:]
				if q.gRows > 0 {
					var beta float32 = 1
					if img == lo && bnd == 0 {
						beta = 0
					}
					q.weightGrad(gemm, col, gyg, q.part[c*q.partLen+gi*q.og*q.gRows:], img, gi, oy0, oy1, cols, beta)
				}
				if q.needX {
					gemm(false, false, q.ckk, cols, q.og, 1, q.wt[gi*q.ckk*q.og:], q.og, gyg, q.hw, 0, col, cols)
					kernels.Col2im(q.image(q.gxd, img, gi), col, &q.ConvGeom, oy0, oy1)
				}
			}
		}
	}
	putScratch(col)
}

// weightGrad adds (beta 1) or writes (beta 0) group gi's weight gradient
// from one band of one image into its partial pg.
func (q *convGrad) weightGrad(gemm gemmFunc, col, gyg, pg []float32, img, gi, oy0, oy1, cols int, beta float32) {
	if q.needW {
		kernels.Im2col(col, q.image(q.xd, img, gi), &q.ConvGeom, oy0, oy1)
	}
	if q.needB {
		setAll(col[q.wRows*cols:(q.wRows+1)*cols], 1)
	}
	if q.transposedGradient {
		gemm(false, true, q.gRows, q.og, cols, 1, col, cols, gyg, q.hw, beta, pg, q.og)
	} else {
		gemm(false, true, q.og, q.gRows, cols, 1, gyg, q.hw, col, cols, beta, pg, q.gRows)
	}
}

// gather adds the chunks' partial weight gradients in chunk order and lays
// the sum out as the weight and bias gradients.
func (q *convGrad) gather() (gw, gb *dl.Tensor) {
	if q.gRows == 0 {
		return nil, nil
	}
	defer putScratch(q.part)
	part, n := q.part, q.partLen
	if q.chunks > 1 {
		sum := func(lo, hi int) {
			for c := 1; c < q.chunks; c++ {
				kernels.Saxpy(1, part[c*n+lo:c*n+hi], part[lo:hi])
			}
		}
		if q.threads > 1 && n*q.chunks >= rangeWork/4 {
			kernels.For(n, 1<<14, sum)
		} else {
			sum(0, n)
		}
	}
	var gwd, gbd []float32
	if q.needW {
		gw = dl.Empty(q.out, q.C, q.KH, q.KW)
		gwd = gw.RawData()
	}
	if q.needB {
		gb = dl.Empty(q.out)
		gbd = gb.RawData()
	}
	for gi := range q.groups {
		pg := part[gi*q.og*q.gRows : (gi+1)*q.og*q.gRows]
		for o := range q.og {
			oc := gi*q.og + o
			if q.transposedGradient {
				// pg is [gRows og].
				for r := range q.wRows {
					gwd[oc*q.ckk+r] = pg[r*q.og+o]
				}
				if q.needB {
					gbd[oc] = pg[q.wRows*q.og+o]
				}
				continue
			}
			// pg is [og gRows].
			if q.needW {
				copy(gwd[oc*q.ckk:(oc+1)*q.ckk], pg[o*q.gRows:o*q.gRows+q.wRows])
			}
			if q.needB {
				gbd[oc] = pg[o*q.gRows+q.wRows]
			}
		}
	}
	return gw, gb
}

// transpose writes the rows×cols matrix src into dst as cols×rows.
func transpose(dst, src []float32, rows, cols int) {
	for i := range rows {
		for j, v := range src[i*cols : (i+1)*cols] {
			dst[j*rows+i] = v
		}
	}
}

func setAll(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}
