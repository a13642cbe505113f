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
// projection runs per step.
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

	// xw [T·B, G] = x Wᵢₕᵀ + bᵢₕ (+ bₕₕ, except for GRU whose n gate needs
	// the hidden part apart).
	xw := getScratch(TB * G)
	if bih == nil {
		clear(xw)
	} else {
		for r := range TB {
			row := xw[r*G : (r+1)*G]
			copy(row, bih)
			if kind != cellGRU {
				for j, v := range bhh {
					row[j] += v
				}
			}
		}
	}
	kernels.Sgemm(false, true, TB, G, in, 1, xd, in, wih, in, 1, xw, G)

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
	rowsPer := recurrentRowChunk(B, G, H)
	for t := range T {
		dl.CheckInterrupt()
		hp, hn := hs[t*BH:(t+1)*BH], hs[(t+1)*BH:(t+2)*BH]
		// Rows of the batch are independent within a step: chunks of them
		// run in parallel, each its own hidden product and cell.
		kernels.ForChunks(B, rowsPer, func(_, lo, hi int) {
			rb := hi - lo
			gates := xw[(t*B+lo)*G : (t*B+hi)*G]
			hpr, hnr := hp[lo*H:hi*H], hn[lo*H:hi*H]
			var hwr []float32
			if kind == cellGRU {
				hwr = hw[lo*G : hi*G]
				for b := range rb {
					if bhh != nil {
						copy(hwr[b*G:(b+1)*G], bhh)
					} else {
						clear(hwr[b*G : (b+1)*G])
					}
				}
				kernels.SgemmSerial(false, true, rb, G, H, 1, hpr, H, whh, H, 1, hwr, G)
			} else {
				kernels.SgemmSerial(false, true, rb, G, H, 1, hpr, H, whh, H, 1, gates, G)
			}
			if kind == cellLSTM {
				off := t*BH + lo*H
				lstmCell(gates, cs[off:off+rb*H], cs[off+BH:off+BH+rb*H], tc[off:off+rb*H], hnr, rb, H)
				return
			}
			for b := range rb {
				g := gates[b*G : (b+1)*G]
				switch kind {
				case cellTanh:
					kernels.Tanhs(g[:H])
					copy(hnr[b*H:(b+1)*H], g[:H])
				case cellReLU:
					for j := range H {
						v := max(g[j], 0)
						g[j], hnr[b*H+j] = v, v
					}
				case cellGRU:
					u := hwr[b*G : (b+1)*G]
					un := hwn[t*BH+(lo+b)*H : t*BH+(lo+b+1)*H]
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
						hnr[b*H+j] = (1-z)*n + z*hpr[b*H+j]
					}
				}
			}
		})
	}
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
		for t := T - 1; t >= 0; t-- {
			acts := xw[t*B*G : (t+1)*B*G]
			dx, dhw := dXW[t*B*G:(t+1)*B*G], dHW[t*B*G:(t+1)*B*G]
			hp := hs[t*BH : (t+1)*BH]
			kernels.ForChunks(B, rowsPer, func(_, lo, hi int) {
				for b := lo; b < hi; b++ {
					a, d, du := acts[b*G:(b+1)*G], dx[b*G:(b+1)*G], dhw[b*G:(b+1)*G]
					for j := range H {
						k := b*H + j
						dht := gd[t*BH+k] + dh[k]
						switch kind {
						case cellTanh:
							d[j] = dht * (1 - a[j]*a[j])
						case cellReLU:
							if a[j] > 0 {
								d[j] = dht
							} else {
								d[j] = 0
							}
						case cellLSTM:
							i, f, gg, o := a[j], a[H+j], a[2*H+j], a[3*H+j]
							tcv := tc[t*BH+k]
							dct := dc[k] + dht*o*(1-tcv*tcv)
							d[j] = dct * gg * i * (1 - i)
							d[H+j] = dct * cs[t*BH+k] * f * (1 - f)
							d[2*H+j] = dct * i * (1 - gg*gg)
							d[3*H+j] = dht * tcv * o * (1 - o)
							dc[k] = dct * f
						case cellGRU:
							r, z, n := a[j], a[H+j], a[2*H+j]
							dnp := dht * (1 - z) * (1 - n*n)
							dr := dnp * hwn[t*BH+k] * r * (1 - r)
							dz := dht * (hp[k] - n) * z * (1 - z)
							d[j], d[H+j], d[2*H+j] = dr, dz, dnp
							du[j], du[H+j], du[2*H+j] = dr, dz, dnp*r
							dh[k] = dht * z // the direct path; the GEMM below adds to it
						}
					}
				}
				beta := float32(0)
				if kind == cellGRU {
					beta = 1
				}
				kernels.SgemmSerial(false, false, hi-lo, H, G, 1, dhw[lo*G:hi*G], G, whh, H, beta, dh[lo*H:hi*H], H)
			})
		}
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

// recurrentRowChunk is how many batch rows one piece of a recurrent step
// covers: the whole batch when a step is too small to share out (a hand-off
// costs a few microseconds), else 16 rows. It depends on the shape alone,
// so the bits do not depend on the thread count.
func recurrentRowChunk(B, G, H int) int {
	if B*G*H < 1<<18 || B < 32 {
		return B
	}
	return 16
}

// lstmCell finishes one LSTM step for B rows of pre-activation gates
// [i f g o] (each H wide): it replaces them by their activations, sets the
// new cell state cn from cp, tc to tanh(cn) and h to o·tc. The activations
// run over whole gate rows with the vector kernels.
func lstmCell(gates, cp, cn, tc, h []float32, B, H int) {
	G := 4 * H
	for b := range B {
		g := gates[b*G : (b+1)*G]
		kernels.Sigmoids(g[:2*H])
		kernels.Tanhs(g[2*H : 3*H])
		kernels.Sigmoids(g[3*H:])
		i, f, gg := g[:H], g[H:2*H], g[2*H:3*H]
		cpr, cnr, tcr := cp[b*H:(b+1)*H], cn[b*H:(b+1)*H], tc[b*H:(b+1)*H]
		for j := range H {
			c := f[j]*cpr[j] + i[j]*gg[j]
			cnr[j], tcr[j] = c, c
		}
	}
	kernels.Tanhs(tc[:B*H])
	for b := range B {
		o := gates[b*G+3*H : (b+1)*G]
		hr, tcr := h[b*H:(b+1)*H], tc[b*H:(b+1)*H]
		for j := range H {
			hr[j] = o[j] * tcr[j]
		}
	}
}
