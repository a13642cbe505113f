package nn

import (
	"math"
	"slices"

	"github.com/godl-dev/godl/dl"
)

// Reduction says how a loss combines its per-element terms.
type Reduction int

const (
	// Mean averages the terms (the default, as in PyTorch).
	Mean Reduction = iota
	// Sum adds them.
	Sum
	// NoReduction returns every term, shaped like the batch.
	NoReduction
)

func reduction(op string, r []Reduction) Reduction {
	switch len(r) {
	case 0:
		return Mean
	case 1:
		if r[0] >= Mean && r[0] <= NoReduction {
			return r[0]
		}
	}
	dl.Panicf(op, "give at most one reduction (nn.Mean, nn.Sum or nn.NoReduction), got %v", r)
	return Mean
}

// lossOut builds the result of a loss from its per-term values and the
// gradient of each term with respect to the input (dterm), recording the
// backward that scales dterm by the incoming gradient and the reduction.
// Keeping the per-term derivative from the forward pass makes every loss
// one fused op. dtarget, if not nil, is the derivative for the target.
func lossOut(op string, red Reduction, terms []float32, termShape []int, dterm []float32, inShape []int,
	input, target *dl.Tensor, dtarget []float32) *dl.Tensor {
	n := len(terms)
	var out *dl.Tensor
	switch red {
	case NoReduction:
		out = dl.FromSlice(terms, termShape...)
	default:
		var s float64
		for _, v := range terms {
			s += float64(v)
		}
		if red == Mean && n > 0 {
			s /= float64(n)
		} else if red == Mean {
			s = math.NaN()
		}
		out = dl.Scalar(float32(s))
	}
	per := len(dterm) / max(n, 1) // input elements per term
	return dl.Record(op, out, []*dl.Tensor{input, target}, func(g *dl.Tensor) []*dl.Tensor {
		gd := g.Contiguous().RawData()
		scale := func(k int) float32 {
			switch red {
			case NoReduction:
				return gd[k]
			case Mean:
				return gd[0] / float32(n)
			}
			return gd[0]
		}
		grad := func(d []float32, shape []int) *dl.Tensor {
			t := dl.Zeros(shape...)
			td := t.RawData()
			for k := range n {
				s := scale(k)
				for j := k * per; j < (k+1)*per; j++ {
					td[j] = d[j] * s
				}
			}
			return t
		}
		var gi, gt *dl.Tensor
		if input.TracksGrad() {
			gi = grad(dterm, inShape)
		}
		if dtarget != nil && target.TracksGrad() {
			gt = grad(dtarget, target.Shape())
		}
		return []*dl.Tensor{gi, gt}
	})
}

func checkSame(op string, a, b *dl.Tensor) {
	if !slices.Equal(a.Shape(), b.Shape()) {
		dl.Panicf(op, "input %v and target %v must have the same shape", a.Shape(), b.Shape())
	}
}

// MSELoss is the mean squared error between pred and target.
func MSELoss(pred, target *dl.Tensor, r ...Reduction) *dl.Tensor {
	const op = "MSELoss"
	red := reduction(op, r)
	checkSame(op, pred, target)
	p, t := pred.Contiguous().RawData(), target.Contiguous().RawData()
	terms, dp, dt := three(len(p))
	for i := range p {
		d := p[i] - t[i]
		terms[i], dp[i], dt[i] = d*d, 2*d, -2*d
	}
	return lossOut(op, red, terms, pred.Shape(), dp, pred.Shape(), pred, target, dt)
}

// L1Loss is the mean absolute error.
func L1Loss(pred, target *dl.Tensor, r ...Reduction) *dl.Tensor {
	const op = "L1Loss"
	red := reduction(op, r)
	checkSame(op, pred, target)
	p, t := pred.Contiguous().RawData(), target.Contiguous().RawData()
	terms, dp, dt := three(len(p))
	for i := range p {
		d := p[i] - t[i]
		terms[i] = float32(math.Abs(float64(d)))
		switch {
		case d > 0:
			dp[i], dt[i] = 1, -1
		case d < 0:
			dp[i], dt[i] = -1, 1
		}
	}
	return lossOut(op, red, terms, pred.Shape(), dp, pred.Shape(), pred, target, dt)
}

// classLayout checks logits [N C] (or [C] for one example) against labels
// [N] (or a scalar) of class indices and returns N, C and the labels.
func classLayout(op string, logits, labels *dl.Tensor) (n, c int, lab []int) {
	ls, ys := logits.Shape(), labels.Shape()
	switch {
	case len(ls) == 2 && len(ys) == 1 && ys[0] == ls[0]:
		n, c = ls[0], ls[1]
	case len(ls) == 1 && len(ys) == 0:
		n, c = 1, ls[0]
	default:
		dl.Panicf(op, "input %v and labels %v: want input [N C] with labels [N] of class indices (or [C] with a scalar)", ls, ys)
	}
	yd := labels.Contiguous().RawData()
	lab = make([]int, n)
	for i, v := range yd {
		k := int(v)
		if float32(k) != v || k < 0 || k >= c {
			dl.Panicf(op, "label %v at position %d is not a class index in [0, %d)", v, i, c)
		}
		lab[i] = k
	}
	return n, c, lab
}

// CrossEntropyLoss is log-softmax followed by the negative log-likelihood
// of the labels: logits [N C] (raw scores, not probabilities) and labels
// [N] holding class indices as float32, as torch's cross_entropy. When
// labels has logits' shape it is read as class probabilities instead.
// Computed stably in one fused op.
func CrossEntropyLoss(logits, labels *dl.Tensor, r ...Reduction) *dl.Tensor {
	const op = "CrossEntropyLoss"
	red := reduction(op, r)
	if logits.Dim() == 2 && slices.Equal(logits.Shape(), labels.Shape()) {
		return softCrossEntropy(op, red, logits, labels)
	}
	n, c, lab := classLayout(op, logits, labels)
	x := logits.Contiguous().RawData()
	terms := make([]float32, n)
	d := make([]float32, n*c) // softmax - onehot
	for i := range n {
		row, dr := x[i*c:(i+1)*c], d[i*c:(i+1)*c]
		lse := logSumExp(row, dr)
		terms[i] = float32(lse - float64(row[lab[i]]))
		dr[lab[i]] -= 1
	}
	return lossOut(op, red, terms, labels.Shape(), d, logits.Shape(), logits, labels, nil)
}

// logSumExp returns log Σ exp(row) in float64 and writes softmax(row) into sm.
func logSumExp(row, sm []float32) float64 {
	m := row[0]
	for _, v := range row {
		m = max(m, v)
	}
	var s float64
	for j, v := range row {
		e := math.Exp(float64(v - m))
		sm[j] = float32(e)
		s += e
	}
	inv := 1 / s
	for j := range sm {
		sm[j] = float32(float64(sm[j]) * inv)
	}
	return float64(m) + math.Log(s)
}

func softCrossEntropy(op string, red Reduction, logits, probs *dl.Tensor) *dl.Tensor {
	n, c := logits.Size(0), logits.Size(1)
	x, p := logits.Contiguous().RawData(), probs.Contiguous().RawData()
	terms := make([]float32, n)
	d := make([]float32, n*c)
	dt := make([]float32, n*c)
	for i := range n {
		row, dr, pr := x[i*c:(i+1)*c], d[i*c:(i+1)*c], p[i*c:(i+1)*c]
		lse := logSumExp(row, dr)
		var s, ps float64
		for j, v := range row {
			lp := float64(v) - lse
			s -= float64(pr[j]) * lp
			ps += float64(pr[j])
			dt[i*c+j] = float32(-lp)
		}
		for j := range dr {
			dr[j] = float32(float64(dr[j])*ps - float64(pr[j]))
		}
		terms[i] = float32(s)
	}
	return lossOut(op, red, terms, []int{n}, d, logits.Shape(), logits, probs, dt)
}

// NLLLoss is the negative log-likelihood of the labels given log
// probabilities logp [N C] (the output of LogSoftmax) and labels [N].
func NLLLoss(logp, labels *dl.Tensor, r ...Reduction) *dl.Tensor {
	const op = "NLLLoss"
	red := reduction(op, r)
	n, c, lab := classLayout(op, logp, labels)
	x := logp.Contiguous().RawData()
	terms := make([]float32, n)
	d := make([]float32, n*c)
	for i := range n {
		terms[i] = -x[i*c+lab[i]]
		d[i*c+lab[i]] = -1
	}
	return lossOut(op, red, terms, labels.Shape(), d, logp.Shape(), logp, labels, nil)
}

// BCELoss is the binary cross-entropy between probabilities p in [0, 1]
// and targets t; the logs are clamped at -100 as in PyTorch.
func BCELoss(p, t *dl.Tensor, r ...Reduction) *dl.Tensor {
	const op = "BCELoss"
	red := reduction(op, r)
	checkSame(op, p, t)
	pd, td := p.Contiguous().RawData(), t.Contiguous().RawData()
	terms, dp, dt := three(len(pd))
	for i := range pd {
		x, y := float64(pd[i]), float64(td[i])
		if x < 0 || x > 1 {
			dl.Panicf(op, "input %v at position %d is not a probability in [0, 1]", x, i)
		}
		lp, lq := math.Max(math.Log(x), -100), math.Max(math.Log(1-x), -100)
		terms[i] = float32(-(y*lp + (1-y)*lq))
		// PyTorch clamps the denominator x(1-x) at 1e-12.
		dp[i] = float32((x - y) / math.Max(x*(1-x), 1e-12))
		dt[i] = float32(lq - lp)
	}
	return lossOut(op, red, terms, p.Shape(), dp, p.Shape(), p, t, dt)
}

// BCEWithLogitsLoss is BCELoss applied to sigmoid(z), computed stably from
// the logits z.
func BCEWithLogitsLoss(z, t *dl.Tensor, r ...Reduction) *dl.Tensor {
	const op = "BCEWithLogitsLoss"
	red := reduction(op, r)
	checkSame(op, z, t)
	zd, td := z.Contiguous().RawData(), t.Contiguous().RawData()
	terms, dz, dt := three(len(zd))
	for i := range zd {
		x, y := float64(zd[i]), float64(td[i])
		terms[i] = float32(math.Max(x, 0) - x*y + math.Log1p(math.Exp(-math.Abs(x))))
		dz[i] = float32(1/(1+math.Exp(-x)) - y)
		dt[i] = float32(-x)
	}
	return lossOut(op, red, terms, z.Shape(), dz, z.Shape(), z, t, dt)
}

// three returns three slices of n elements carved from one allocation: a
// loss's terms, input derivative and target derivative.
func three(n int) (a, b, c []float32) {
	buf := make([]float32, 3*n)
	return buf[:n:n], buf[n : 2*n : 2*n], buf[2*n:]
}
