package nn

import (
	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
)

// recurrentLayer runs one layer over x [T B in] from h0, c0 ([B H] or nil)
// as a single recorded op. It returns [T B H] of outputs, with for an LSTM
// one more row at index T holding the final cell state, so that h, c and
// the outputs all reach autograd through views of one tensor.
//
// The input projection of all steps is one GEMM before the loop, the
// weight gradients two GEMMs after the backward loop; only the hidden
// projection runs per step. Rows of the batch are independent of each
// other through the whole sequence, so the batch is cut into chunks of
// rows and each chunk runs every step, forward and backward, on one
// thread: one hand-off per pass, not one per step.
func recurrentLayer(kind cellKind, x, h0, c0 *dl.Tensor, w RecurrentWeights) *dl.Tensor {
	xs := x.Shape()
	T, B, in := xs[0], xs[1], xs[2]
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

	// hs[t] is the hidden state before step t (hs[0] = h0), likewise cs.
	hs := getScratch((T + 1) * BH)
	if h0 != nil {
		copy(hs[:BH], h0.Contiguous().RawData())
	} else {
		clear(hs[:BH])
	}
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
	kernels.ForChunks(B, rowsPer, func(_, lo, hi int) {
		rb := hi - lo
		for t := range T {
			dl.CheckInterrupt()
			gates := xw[(t*B+lo)*G : (t*B+hi)*G]
			off := t*BH + lo*H
			hp, hn := hs[off:off+rb*H], hs[off+BH:off+BH+rb*H]
			if bias != nil {
				for b := range rb {
					kernels.Add(gates[b*G:(b+1)*G], gates[b*G:(b+1)*G], bias)
				}
			}
			switch kind {
			case cellLSTM:
				kernels.SgemmSerial(false, false, rb, G, H, 1, hp, H, whhT, ldT, 1, gates, G)
				for b := range rb {
					r := off + b*H
					kernels.LSTMCell(gates[b*G:(b+1)*G], cs[r:r+H], cs[r+BH:r+BH+H], tc[r:r+H], hn[b*H:(b+1)*H])
				}
			case cellGRU:
				hwr := hw[lo*G : hi*G]
				for b := range rb {
					if bhh != nil {
						copy(hwr[b*G:(b+1)*G], bhh)
					} else {
						clear(hwr[b*G : (b+1)*G])
					}
				}
				kernels.SgemmSerial(false, false, rb, G, H, 1, hp, H, whhT, ldT, 1, hwr, G)
				for b := range rb {
					gruCell(gates[b*G:(b+1)*G], hwr[b*G:(b+1)*G], hwn[off+b*H:off+(b+1)*H],
						hp[b*H:(b+1)*H], hn[b*H:(b+1)*H])
				}
			default:
				kernels.SgemmSerial(false, false, rb, G, H, 1, hp, H, whhT, ldT, 1, gates, G)
				if kind == cellTanh {
					kernels.Tanhs(gates)
				} else {
					for j, v := range gates {
						gates[j] = max(v, 0)
					}
				}
				copy(hn, gates)
			}
		}
	})
	putScratch(whhT)
	rows := T
	if kind == cellLSTM {
		rows = T + 1
	}
	out := dl.Empty(rows, B, H) // the copies below write every element
	od := out.RawData()
	copy(od, hs[BH:])
	if kind == cellLSTM {
		copy(od[TB*H:], cs[T*BH:])
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
		dXW := getScratch(TB * G)
		dHW := dXW // the same for LSTM and RNN: both sides enter one sum
		if kind == cellGRU {
			dHW = getScratch(TB * G)
		}
		kernels.ForChunks(B, rowsPer, func(_, lo, hi int) {
			rb := hi - lo
			for t := T - 1; t >= 0; t-- {
				off := t*BH + lo*H
				gh := gd[off : off+rb*H]
				dhr := dh[lo*H : hi*H]
				acts := xw[(t*B+lo)*G : (t*B+hi)*G]
				dx, dhw := dXW[(t*B+lo)*G:(t*B+hi)*G], dHW[(t*B+lo)*G:(t*B+hi)*G]
				switch kind {
				case cellLSTM:
					for b := range rb {
						r := off + b*H
						kernels.LSTMCellBackward(acts[b*G:(b+1)*G], cs[r:r+H], tc[r:r+H],
							gh[b*H:(b+1)*H], dhr[b*H:(b+1)*H], dc[lo*H+b*H:lo*H+(b+1)*H], dx[b*G:(b+1)*G])
					}
				case cellGRU:
					hp := hs[off : off+rb*H]
					for b := range rb {
						gruCellBackward(acts[b*G:(b+1)*G], hwn[off+b*H:off+(b+1)*H], hp[b*H:(b+1)*H],
							gh[b*H:(b+1)*H], dhr[b*H:(b+1)*H], dx[b*G:(b+1)*G], dhw[b*G:(b+1)*G])
					}
				case cellTanh:
					for j, a := range acts {
						dx[j] = (gh[j] + dhr[j]) * (1 - a*a)
					}
				case cellReLU:
					for j, a := range acts {
						if a > 0 {
							dx[j] = gh[j] + dhr[j]
						} else {
							dx[j] = 0
						}
					}
				}
				beta := float32(0)
				if kind == cellGRU {
					beta = 1 // dh already holds the direct path
				}
				kernels.SgemmSerial(false, false, rb, H, G, 1, dhw, G, whh, H, beta, dhr, H)
			}
		})
		grads := make([]*dl.Tensor, len(inputs))
		if x.TracksGrad() {
			gx := dl.Empty(T, B, in) // beta = 0: the GEMMs write every element
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
			g := dl.Empty(G, H)
			kernels.Sgemm(true, false, G, H, TB, 1, dHW, G, hs, H, 0, g.RawData(), H)
			grads[4] = g
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
		putScratch(xw, hs, cs, tc, hwn, hw, dh, dc, dXW)
		if kind == cellGRU {
			putScratch(dHW)
		}
		return grads
	})
	if !out.TracksGrad() {
		putScratch(xw, hs, cs, tc, hwn, hw)
	}
	return out
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

// gruCellBackward takes one row of a GRU step back: from the activations
// a, the hidden side of the n gate un, the previous state hp and the two
// parts of the new state's gradient gh and dh, it writes the gradients of
// the input side's pre-activations d and of the hidden side's du, and
// sets dh to the direct path's share of hp's gradient (the hidden
// product's share is added after).
func gruCellBackward(a, un, hp, gh, dh, d, du []float32) {
	H := len(hp)
	for j := range H {
		r, z, n := a[j], a[H+j], a[2*H+j]
		dht := gh[j] + dh[j]
		dnp := dht * (1 - z) * (1 - n*n)
		dr := dnp * un[j] * r * (1 - r)
		dz := dht * (hp[j] - n) * z * (1 - z)
		d[j], d[H+j], d[2*H+j] = dr, dz, dnp
		du[j], du[H+j], du[2*H+j] = dr, dz, dnp*r
		dh[j] = dht * z
	}
}
