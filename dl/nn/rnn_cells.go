package nn

import (
	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// recurrentLayer runs one layer over x, [T B in] or with batchFirst
// [B T in], from h0, c0 ([B H] or nil) as a single recorded op. It returns
// the outputs y in x's layout ([T B H] or [B T H]), the final hidden state
// hT [B H] and for an LSTM the final cell state cT [B H] (else nil): views
// of one recorded tensor, so that all of them reach autograd. Working in
// x's layout spares a batch-first model the transposed copies of its
// input and output, forward and backward.
//
// The input projection of all steps is one GEMM before the loop, the
// weight gradients two GEMMs after the backward loop; only the hidden
// projection runs per step. Rows of the batch are independent of each
// other through the whole sequence, so the batch is cut into chunks of
// rows and each chunk runs every step, forward and backward, on one
// thread: one hand-off per pass, not one per step.
func recurrentLayer(kind cellKind, x, h0, c0 *dl.Tensor, w RecurrentWeights, batchFirst bool) (y, hT, cT *dl.Tensor) {
	xs := x.Shape()
	T, B, in := xs[0], xs[1], xs[2]
	// Row b*sb + t*st of x (and of xw, y and their gradients) is step t of
	// sequence b.
	sb, st := 1, B
	if batchFirst {
		B, T = T, B
		sb, st = T, 1
	}
	H := w.WeightHH.Size(1)
	G := kind.gates() * H
	x = x.Contiguous()
	xd := x.RawData()
	wih, whh := w.WeightIH.Contiguous().RawData(), w.WeightHH.Contiguous().RawData()
	var bih, bhh []float32
	if w.BiasIH != nil {
		bih, bhh = w.BiasIH.Contiguous().RawData(), w.BiasHH.Contiguous().RawData()
	}
	TB, BH := T*B, B*H

	// xw [T·B, G] = x Wᵢₕᵀ; each step adds the bias to its rows (in
	// parallel, while they are in cache) before the hidden product.
	xw := getScratch(TB * G)
	kernels.Sgemm(false, true, TB, G, in, 1, xd, in, wih, in, 0, xw, G)
	// bias is bᵢₕ + bₕₕ, or for GRU bᵢₕ alone: its n gate needs the hidden
	// part apart.
	var bias []float32
	if bih != nil {
		bias = make([]float32, G)
		copy(bias, bih)
		if kind != cellGRU {
			kernels.Add(bias, bias, bhh)
		}
	}

	// whhT [H, G] is Wₕₕᵀ, so that each step's product reads it in place
	// instead of packing the transpose for every chunk of every step. Its
	// rows are padded: rows a multiple of 1 KiB apart would put a column
	// panel of them in a few sets of the L1 cache.
	ldT := G
	if ldT%256 == 0 {
		ldT += 16
	}
	whhT := getScratch(H * ldT)
	for g := range G {
		for j, v := range whh[g*H : (g+1)*H] {
			whhT[j*ldT+g] = v
		}
	}

	// The packed output: y in x's layout, then for an LSTM the final cell
	// state. Step t's hidden state is written straight into y, where step
	// t+1 reads it; h0 is the state before step 0.
	extra := 0
	if kind == cellLSTM {
		extra = BH
	}
	out := dl.Empty(TB*H + extra) // the steps write every element
	yd := out.RawData()[:TB*H]
	h0d := getScratch(BH)
	if h0 != nil {
		copy(h0d, h0.Contiguous().RawData())
	} else {
		clear(h0d)
	}
	// prevH is the hidden state before step t for rows lo.. and its row
	// stride.
	prevH := func(t, lo int) ([]float32, int) {
		if t == 0 {
			return h0d[lo*H:], H
		}
		return yd[(lo*sb+(t-1)*st)*H:], sb * H
	}
	// Per-step state the backward pass needs, [T(+1) B H] whatever the
	// layout: cs[t] is the cell state before step t (cs[0] = c0).
	var cs, tc, hwn, hw []float32
	switch kind {
	case cellLSTM:
		cs, tc = getScratch((T+1)*BH), getScratch(TB*H)
		if c0 != nil {
			copy(cs[:BH], c0.Contiguous().RawData())
		} else {
			clear(cs[:BH])
		}
	case cellGRU:
		hwn, hw = getScratch(TB*H), getScratch(B*G)
	}
	rowsPer := recurrentRowChunk(B, G, H, T)
	ldg := sb * G // row stride of one step's gates
	kernels.ForChunks(B, rowsPer, func(_, lo, hi int) {
		rb := hi - lo
		for t := range T {
			dl.CheckInterrupt()
			r0 := lo*sb + t*st
			gates := xw[r0*G : (r0+(rb-1)*sb)*G+G]
			hp, ldp := prevH(t, lo)
			hp = hp[:(rb-1)*ldp+H]
			if bias != nil {
				for i := range rb {
					row := gates[i*ldg : i*ldg+G]
					kernels.Add(row, row, bias)
				}
			}
			switch kind {
			case cellLSTM:
				kernels.SgemmSerial(false, false, rb, G, H, 1, hp, ldp, whhT, ldT, 1, gates, ldg)
				for i := range rb {
					c, r := (t*B+lo+i)*H, (r0+i*sb)*H
					kernels.LSTMCell(gates[i*ldg:i*ldg+G], cs[c:c+H], cs[c+BH:c+BH+H], tc[c:c+H], yd[r:r+H])
				}
			case cellGRU:
				hwr := hw[lo*G : hi*G]
				for i := range rb {
					if bhh != nil {
						copy(hwr[i*G:(i+1)*G], bhh)
					} else {
						clear(hwr[i*G : (i+1)*G])
					}
				}
				kernels.SgemmSerial(false, false, rb, G, H, 1, hp, ldp, whhT, ldT, 1, hwr, G)
				for i := range rb {
					c, r := (t*B+lo+i)*H, (r0+i*sb)*H
					gruCell(gates[i*ldg:i*ldg+G], hwr[i*G:(i+1)*G], hwn[c:c+H], hp[i*ldp:i*ldp+H], yd[r:r+H])
				}
			default:
				kernels.SgemmSerial(false, false, rb, G, H, 1, hp, ldp, whhT, ldT, 1, gates, ldg)
				for i := range rb {
					g := gates[i*ldg : i*ldg+G]
					if kind == cellTanh {
						kernels.Tanhs(g)
					} else {
						for j, v := range g {
							g[j] = max(v, 0)
						}
					}
					r := (r0 + i*sb) * H
					copy(yd[r:r+H], g)
				}
			}
		}
	})
	putScratch(whhT)
	if kind == cellLSTM {
		copy(out.RawData()[TB*H:], cs[T*BH:])
	}
	inputs := []*dl.Tensor{x, h0, c0, w.WeightIH, w.WeightHH, w.BiasIH, w.BiasHH}
	out = dl.Record(kind.String(), out, inputs, func(gout *dl.Tensor) []*dl.Tensor {
		gd := gout.Contiguous().RawData()
		dh := getScratchZero(BH) // gradient reaching h_t from step t+1
		var dc []float32
		if kind == cellLSTM {
			dc = getScratch(BH)
			copy(dc, gd[TB*H:])
		}
		// The gradients of the gates' pre-activations replace the
		// activations row by row: each row's are read once, just before.
		dXW := xw
		dHW := dXW // the same for LSTM and RNN: both sides enter one sum
		if kind == cellGRU {
			dHW = getScratch(TB * G)
		}
		kernels.ForChunks(B, rowsPer, func(_, lo, hi int) {
			rb := hi - lo
			dhr := dh[lo*H : hi*H]
			for t := T - 1; t >= 0; t-- {
				r0 := lo*sb + t*st
				for i := range rb {
					r, a := (r0+i*sb)*H, (r0+i*sb)*G
					gh, dhi := gd[r:r+H], dhr[i*H:(i+1)*H]
					acts, dx, dhw := xw[a:a+G], dXW[a:a+G], dHW[a:a+G]
					switch kind {
					case cellLSTM:
						c := (t*B + lo + i) * H
						kernels.LSTMCellBackward(acts, cs[c:c+H], tc[c:c+H], gh, dhi, dc[(lo+i)*H:(lo+i+1)*H], dx)
					case cellGRU:
						c := (t*B + lo + i) * H
						hp, ldp := prevH(t, lo)
						kernels.GRUCellBackward(acts, hwn[c:c+H], hp[i*ldp:i*ldp+H], gh, dhi, dx, dhw)
					case cellTanh:
						for j, v := range acts {
							dx[j] = (gh[j] + dhi[j]) * (1 - v*v)
						}
					case cellReLU:
						for j, v := range acts {
							if v > 0 {
								dx[j] = gh[j] + dhi[j]
							} else {
								dx[j] = 0
							}
						}
					}
				}
				beta := float32(0)
				if kind == cellGRU {
					beta = 1 // dh already holds the direct path
				}
				a0 := r0 * G
				kernels.SgemmSerial(false, false, rb, H, G, 1, dHW[a0:a0+(rb-1)*ldg+G], ldg, whh, H, beta, dhr, H)
			}
		})
		grads := make([]*dl.Tensor, len(inputs))
		if x.TracksGrad() {
			gx := dl.Empty(xs...) // beta = 0: the GEMMs write every element
			kernels.Sgemm(false, false, TB, in, G, 1, dXW, G, wih, in, 0, gx.RawData(), in)
			grads[0] = gx
		}
		if h0 != nil && h0.TracksGrad() {
			grads[1] = dl.FromSlice(dh, B, H)
		}
		if c0 != nil && c0.TracksGrad() {
			grads[2] = dl.FromSlice(dc, B, H)
		}
		if w.WeightIH.TracksGrad() {
			g := dl.Empty(G, in)
			kernels.Sgemm(true, false, G, in, TB, 1, dXW, G, xd, in, 0, g.RawData(), in)
			grads[3] = g
		}
		if w.WeightHH.TracksGrad() {
			// The states before each step, in x's row order: h0, then y
			// one step behind.
			hprev := getScratch(TB * H)
			if batchFirst {
				for b := range B {
					copy(hprev[b*T*H:], h0d[b*H:(b+1)*H])
					copy(hprev[b*T*H+H:(b+1)*T*H], yd[b*T*H:])
				}
			} else {
				copy(hprev, h0d)
				copy(hprev[BH:], yd)
			}
			g := dl.Empty(G, H)
			kernels.Sgemm(true, false, G, H, TB, 1, dHW, G, hprev, H, 0, g.RawData(), H)
			grads[4] = g
			putScratch(hprev)
		}
		if bih != nil {
			gb := dl.Empty(G)
			sumRows(gb.RawData(), dXW, TB, G)
			grads[5] = gb
			gbh := dl.FromSlice(gb.RawData(), G)
			if kind == cellGRU {
				gbh = dl.Empty(G)
				sumRows(gbh.RawData(), dHW, TB, G)
			}
			grads[6] = gbh
		}
		putScratch(xw, h0d, cs, tc, hwn, hw, dh, dc)
		if kind == cellGRU {
			putScratch(dHW)
		}
		return grads
	})
	if !out.TracksGrad() {
		putScratch(xw, h0d, cs, tc, hwn, hw)
	}
	shape, timeDim := []int{T, B, H}, 0
	if batchFirst {
		shape, timeDim = []int{B, T, H}, 1
	}
	if kind == cellLSTM {
		y = out.Narrow(0, 0, TB*H).View(shape...)
		cT = out.Narrow(0, TB*H, BH).View(B, H)
	} else {
		y = out.View(shape...)
	}
	return y, y.Select(timeDim, T-1), cT
}

// recurrentRowChunk is how many batch rows one piece of a recurrent layer
// covers: the whole batch when the layer is too small to share out (a
// hand-off costs a few microseconds; below 1M multiply-adds per pass it is
// not worth it), else 8 rows. Eight rows keep the step's product as fast
// per row as 32 do (measured 103 against 107 GFLOP/s, one thread, for an
// LSTM of 64 units) and make enough pieces for the threads to even out
// when one of them is held up. It depends on the shape alone, so the bits
// do not depend on the thread count.
func recurrentRowChunk(B, G, H, T int) int {
	if B*G*H*T < 1<<20 || B < 16 {
		return B
	}
	return 8
}

// gruCell finishes one row of a GRU step: g holds the input side's gate
// pre-activations [r z n] (with bᵢₕ), u the hidden side's (with bₕₕ). It
// replaces g by the activations, keeps the hidden side of the n gate in
// un for the backward pass and sets the new hidden state h from hp.
func gruCell(g, u, un, hp, h []float32) {
	H := len(h)
	for j := range 2 * H {
		g[j] += u[j]
	}
	kernels.Sigmoids(g[:2*H])
	for j := range H {
		g[2*H+j] += g[j] * u[2*H+j]
	}
	kernels.Tanhs(g[2*H : 3*H])
	copy(un, u[2*H:3*H])
	for j := range H {
		z, n := g[H+j], g[2*H+j]
		h[j] = (1-z)*n + z*hp[j]
	}
}
