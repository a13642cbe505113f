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
	// The product's m should be the larger side: kernels tile m by 12 and
	// n by 32, and a narrow m wastes less as the n side.
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
	var gx, gw, gb *dl.Tensor
	var gxd, wt []float32
	if needX {
		gx = dl.Empty(p.n, p.groups*p.C, p.H, p.W)
		gxd = gx.RawData()
		// The columns' gradient is wᵀ·gy; w is transposed once here so
		// that every product reads it in place.
		wt = getScratch(p.groups * p.ckk * p.og)
		for gi := range p.groups {
			transpose(wt[gi*p.ckk*p.og:], wd[gi*p.og*p.ckk:], p.og, p.ckk)
		}
	}
	// The weight gradient of a group is gy·colsᵀ summed over images and
	// bands; a row of ones under the columns makes the bias gradient its
	// last column.
	wRows := 0
	if needW {
		wRows = p.ckk
	}
	gRows := wRows
	if needB {
		gRows++
	}
	partLen := p.groups * p.og * gRows
	chunks := p.n
	if gRows > 0 {
		chunks = min(p.n, maxGradChunks, max(1, dl.Workspace()/(4*partLen)))
	}
	per := (p.n + chunks - 1) / chunks
	chunks = (p.n + per - 1) / per
	var part []float32
	if gRows > 0 {
		part = getScratch(chunks * partLen)
	}
	colRows := max(gRows, p.ckk)
	body := func(c, lo, hi int, gemm gemmFunc) {
		col := getScratch(colRows * p.band * p.OW)
		for img := lo; img < hi; img++ {
			dl.CheckInterrupt()
			if needX {
				clear(gxd[img*p.groups*p.C*p.H*p.W : (img+1)*p.groups*p.C*p.H*p.W])
			}
			for bnd := range p.bands {
				oy0, oy1, cols := p.bandRows(bnd)
				for gi := range p.groups {
					gyg := gyd[(img*p.out+gi*p.og)*p.hw+oy0*p.OW:]
					if gRows > 0 {
						if needW {
							kernels.Im2col(col, p.image(xd, img, gi), &p.ConvGeom, oy0, oy1)
						}
						if needB {
							setAll(col[wRows*cols:(wRows+1)*cols], 1)
						}
						var beta float32 = 1
						if img == lo && bnd == 0 {
							beta = 0
						}
						pg := part[c*partLen+gi*p.og*gRows:]
						if p.transposedGradient {
							gemm(false, true, gRows, p.og, cols, 1, col, cols, gyg, p.hw, beta, pg, p.og)
						} else {
							gemm(false, true, p.og, gRows, cols, 1, gyg, p.hw, col, cols, beta, pg, gRows)
						}
					}
					if needX {
						gemm(false, false, p.ckk, cols, p.og, 1, wt[gi*p.ckk*p.og:], p.og, gyg, p.hw, 0, col, cols)
						kernels.Col2im(p.image(gxd, img, gi), col, &p.ConvGeom, oy0, oy1)
					}
				}
			}
		}
		putScratch(col)
	}
	if p.parallelOver(chunks) {
		kernels.ForChunks(p.n, per, func(c, lo, hi int) { body(c, lo, hi, kernels.SgemmSerial) })
	} else {
		for c := range chunks {
			body(c, c*per, min((c+1)*per, p.n), kernels.Sgemm)
		}
	}
	if gRows > 0 {
		gw, gb = p.gatherGradients(part, chunks, partLen, wRows, gRows, needW, needB)
		putScratch(part)
	}
	if wt != nil {
		putScratch(wt)
	}
	return []*dl.Tensor{gx, gw, gb}
}

// gatherGradients adds the chunks' partial weight gradients in chunk order
// and lays the sum out as the weight and bias gradients.
func (p *convPlan) gatherGradients(part []float32, chunks, partLen, wRows, gRows int, needW, needB bool) (gw, gb *dl.Tensor) {
	if chunks > 1 {
		sum := func(lo, hi int) {
			for c := 1; c < chunks; c++ {
				kernels.Saxpy(1, part[c*partLen+lo:c*partLen+hi], part[lo:hi])
			}
		}
		if p.threads > 1 && partLen*chunks >= rangeWork/4 {
			kernels.For(partLen, 1<<14, sum)
		} else {
			sum(0, partLen)
		}
	}
	var gwd, gbd []float32
	if needW {
		gw = dl.Empty(p.out, p.C, p.KH, p.KW)
		gwd = gw.RawData()
	}
	if needB {
		gb = dl.Empty(p.out)
		gbd = gb.RawData()
	}
	for gi := range p.groups {
		pg := part[gi*p.og*gRows : (gi+1)*p.og*gRows]
		for o := range p.og {
			oc := gi*p.og + o
			if p.transposedGradient {
				// pg is [gRows og].
				for r := range wRows {
					gwd[oc*p.ckk+r] = pg[r*p.og+o]
				}
				if needB {
					gbd[oc] = pg[wRows*p.og+o]
				}
				continue
			}
			// pg is [og gRows].
			if needW {
				copy(gwd[oc*p.ckk:(oc+1)*p.ckk], pg[o*gRows:o*gRows+wRows])
			}
			if needB {
				gbd[oc] = pg[o*gRows+wRows]
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
