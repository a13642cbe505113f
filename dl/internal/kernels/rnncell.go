package kernels

import "github.com/godl-dev/godl/dl/internal/mathf"

// The pointwise part of an LSTM step, forward and backward, and of a GRU
// step's backward, for one row of the batch: H hidden units, gates laid
// out [i f g o] (LSTM) or [r z n] (GRU), each H wide. The
// recurrent layer calls them once per row and step, between the hidden
// products; fused, each reads and writes its row once, where separate
// passes per activation and product would bring it through the caches
// several times.

// LSTMCell finishes one row of an LSTM step. g holds the 4H gate
// pre-activations and is overwritten by their activations (sigmoid for i,
// f, o; tanh for g); cp is the previous cell state. It sets the new cell
// state cn = f·cp + i·g, tc = tanh(cn) and h = o·tc. Every slice but g is
// H long. The reference loop (the assembly kernels agree with it to within
// the activations' error bound):
//
//	for j := range H {
//		i, f := Sigmoid(g[j]), Sigmoid(g[H+j])
//		gg, o := Tanh(g[2H+j]), Sigmoid(g[3H+j])
//		g[j], g[H+j], g[2H+j], g[3H+j] = i, f, gg, o
//		cn[j] = f*cp[j] + i*gg
//		tc[j] = Tanh(cn[j])
//		h[j] = o * tc[j]
//	}
func LSTMCell(g, cp, cn, tc, h []float32) {
	H := len(cp)
	checkRNN("LSTMCell", 4*H, H, g, cn, tc, h)
	if H == 0 {
		return
	}
	if useActAVX512 {
		lstmCellAVX512(g, cp, cn, tc, h)
		return
	}
	if useActAVX2 {
		lstmCellAVX2(g, cp, cn, tc, h)
		return
	}
	lstmCellGo(g, cp, cn, tc, h)
}

func lstmCellGo(g, cp, cn, tc, h []float32) {
	H := len(cp)
	gi, gf, gg, gout := g[:H], g[H:2*H], g[2*H:3*H], g[3*H:4*H]
	cn, tc, h = cn[:H], tc[:H], h[:H]
	for j := range H {
		i, f := mathf.Sigmoid(gi[j]), mathf.Sigmoid(gf[j])
		c, o := mathf.Tanh(gg[j]), mathf.Sigmoid(gout[j])
		gi[j], gf[j], gg[j], gout[j] = i, f, c, o
		s := f*cp[j] + i*c
		t := mathf.Tanh(s)
		cn[j], tc[j], h[j] = s, t, o*t
	}
}

// LSTMCellBackward takes one row of an LSTM step back. a holds the 4H gate
// activations LSTMCell left, cp the previous cell state, tc tanh of the
// new one; gh and dh are two parts of the loss's gradient with respect to
// the new hidden state (from the output, and from the next step), dc its
// gradient with respect to the new cell state. It writes d, the 4H
// gradients of the gate pre-activations, and replaces dc by the gradient
// with respect to cp. d may be a itself: each unit's gates are read before
// its gradients are written. The reference loop (the assembly kernels fuse
// the multiply-adds, so their last bits may differ):
//
//	for j := range H {
//		i, f, g, o := a[j], a[H+j], a[2H+j], a[3H+j]
//		dht := gh[j] + dh[j]
//		dct := dc[j] + dht*o*(1-tc[j]*tc[j])
//		d[j] = dct * g * i * (1 - i)
//		d[H+j] = dct * cp[j] * f * (1 - f)
//		d[2H+j] = dct * i * (1 - g*g)
//		d[3H+j] = dht * tc[j] * o * (1 - o)
//		dc[j] = dct * f
//	}
func LSTMCellBackward(a, cp, tc, gh, dh, dc, d []float32) {
	H := len(cp)
	checkRNN("LSTMCellBackward", 4*H, H, a, tc, gh, dh, dc)
	if len(d) < 4*H {
		panic("kernels: LSTMCellBackward: d is shorter than 4H")
	}
	if H == 0 {
		return
	}
	if useActAVX512 {
		lstmCellBackwardAVX512(a, cp, tc, gh, dh, dc, d)
		return
	}
	if useActAVX2 {
		lstmCellBackwardAVX2(a, cp, tc, gh, dh, dc, d)
		return
	}
	lstmCellBackwardGo(a, cp, tc, gh, dh, dc, d)
}

func lstmCellBackwardGo(a, cp, tc, gh, dh, dc, d []float32) {
	H := len(cp)
	ai, af, ag, ao := a[:H], a[H:2*H], a[2*H:3*H], a[3*H:4*H]
	di, df, dg, do := d[:H], d[H:2*H], d[2*H:3*H], d[3*H:4*H]
	tc, gh, dh, dc = tc[:H], gh[:H], dh[:H], dc[:H]
	for j := range H {
		i, f, g, o := ai[j], af[j], ag[j], ao[j]
		t := tc[j]
		dht := gh[j] + dh[j]
		dct := dc[j] + dht*o*(1-t*t)
		di[j] = dct * g * i * (1 - i)
		df[j] = dct * cp[j] * f * (1 - f)
		dg[j] = dct * i * (1 - g*g)
		do[j] = dht * t * o * (1 - o)
		dc[j] = dct * f
	}
}

// GRUCellBackward takes one row of a GRU step back. a holds the 3H gate
// activations [r z n], un the hidden side of the n gate's pre-activation
// (Wₕₙh + bₕₙ), hp the previous hidden state; gh and dh are two parts of
// the loss's gradient with respect to the new hidden state. It writes d,
// the 3H gradients of the input side's pre-activations, and du, those of
// the hidden side's, and replaces dh by the direct path's share of hp's
// gradient (the hidden product's share is added after). d may be a
// itself. The reference loop (the assembly kernels fuse 1 - n², so their
// last bits may differ):
//
//	for j := range H {
//		r, z, n := a[j], a[H+j], a[2H+j]
//		dht := gh[j] + dh[j]
//		dn := dht * (1 - z) * (1 - n*n)
//		dr := dn * un[j] * r * (1 - r)
//		dz := dht * (hp[j] - n) * z * (1 - z)
//		d[j], d[H+j], d[2H+j] = dr, dz, dn
//		du[j], du[H+j], du[2H+j] = dr, dz, dn*r
//		dh[j] = dht * z
//	}
func GRUCellBackward(a, un, hp, gh, dh, d, du []float32) {
	H := len(hp)
	checkRNN("GRUCellBackward", 3*H, H, a, un, gh, dh)
	if len(d) < 3*H || len(du) < 3*H {
		panic("kernels: GRUCellBackward: d or du is shorter than 3H")
	}
	if H == 0 {
		return
	}
	if useActAVX512 {
		gruCellBackwardAVX512(a, un, hp, gh, dh, d, du)
		return
	}
	if useActAVX2 {
		gruCellBackwardAVX2(a, un, hp, gh, dh, d, du)
		return
	}
	gruCellBackwardGo(a, un, hp, gh, dh, d, du)
}

func gruCellBackwardGo(a, un, hp, gh, dh, d, du []float32) {
	H := len(hp)
	// Gate by gate, each slice H long: the loop then needs no bounds checks.
	ar, az, an := a[:H], a[H:2*H], a[2*H:3*H]
	dr, dz, dn := d[:H], d[H:2*H], d[2*H:3*H]
	ur, uz, un2 := du[:H], du[H:2*H], du[2*H:3*H]
	un, gh, dh = un[:H], gh[:H], dh[:H]
	for j := range H {
		r, z, n := ar[j], az[j], an[j]
		dht := gh[j] + dh[j]
		dnp := dht * (1 - z) * (1 - n*n)
		drj := dnp * un[j] * r * (1 - r)
		dzj := dht * (hp[j] - n) * z * (1 - z)
		dr[j], dz[j], dn[j] = drj, dzj, dnp
		ur[j], uz[j], un2[j] = drj, dzj, dnp*r
		dh[j] = dht * z
	}
}

// checkRNN checks that g (the gates) is gates long at least and the
// others H.
func checkRNN(op string, gates, H int, g []float32, rows ...[]float32) {
	if len(g) < gates {
		panic("kernels: " + op + ": the gates are too short")
	}
	for _, r := range rows {
		if len(r) < H {
			panic("kernels: " + op + ": a row is shorter than H")
		}
	}
}
