package nn

import (
	"math"
	"slices"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/internal/option"
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

// LossOption configures a loss: a Reduction (nn.Mean, nn.Sum,
// nn.NoReduction) or one of PyTorch's loss arguments Weight, IgnoreIndex
// and LabelSmoothing. Each loss says which it takes and refuses the rest,
// naming them.
type LossOption interface {
	lossOption() option.Option[lossConfig]
}

// lossConfig is what a loss's options set.
type lossConfig struct {
	red        Reduction
	reductions int
	weight     *dl.Tensor
	ignore     int
	smoothing  float64
}

// reductionOptions are the reductions as options, made once: a loss is
// called every step.
var reductionOptions = [...]option.Option[lossConfig]{
	Mean: reductionOption(Mean), Sum: reductionOption(Sum), NoReduction: reductionOption(NoReduction),
}

func reductionOption(r Reduction) option.Option[lossConfig] {
	return option.New("reduction", func(c *lossConfig) { c.red = r; c.reductions++ })
}

func (r Reduction) lossOption() option.Option[lossConfig] {
	if r >= Mean && r <= NoReduction {
		return reductionOptions[r]
	}
	return reductionOption(r)
}

// lossArg is a loss argument other than the reduction.
type lossArg struct{ option.Option[lossConfig] }

func (a lossArg) lossOption() option.Option[lossConfig] { return a.Option }

// Weight gives each class a weight in CrossEntropyLoss and NLLLoss (a 1-D
// tensor of C values; the mean then divides by the summed weights of the
// targets, as PyTorch), or each element one in BCELoss and
// BCEWithLogitsLoss (broadcast to the input).
func Weight(w *dl.Tensor) LossOption {
	return lossArg{option.New("Weight", func(c *lossConfig) { c.weight = w })}
}

// IgnoreIndex sets the class index whose targets count for nothing (no
// loss, no gradient, not in the mean's denominator) in CrossEntropyLoss
// and NLLLoss. PyTorch's default, -100, applies without the option.
func IgnoreIndex(i int) LossOption {
	return lossArg{option.New("IgnoreIndex", func(c *lossConfig) { c.ignore = i })}
}

// LabelSmoothing mixes the targets of CrossEntropyLoss with the uniform
// distribution: a share s of each target's mass is spread evenly over the
// C classes, as PyTorch's label_smoothing (s in [0, 1]).
func LabelSmoothing(s float64) LossOption {
	return lossArg{option.New("LabelSmoothing", func(c *lossConfig) { c.smoothing = s })}
}

// lossConfigure applies opts for op, which takes the named options besides
// a reduction.
func lossConfigure(op string, opts []LossOption, allowed ...string) lossConfig {
	c := lossConfig{red: Mean, ignore: -100}
	var buf [4]option.Option[lossConfig]
	all := buf[:0]
	for _, o := range opts {
		if o == nil {
			dl.Panicf(op, "nil option")
		}
		all = append(all, o.lossOption())
	}
	var names [4]string
	takes := append(append(names[:0], "reduction"), allowed...)
	err := option.Apply(op, &c, takes, all)
	if c.reductions > 1 {
		dl.Panicf(op, "give at most one reduction (nn.Mean, nn.Sum or nn.NoReduction)")
	}
	if c.red < Mean || c.red > NoReduction {
		dl.Panicf(op, "unknown reduction %d (use nn.Mean, nn.Sum or nn.NoReduction)", c.red)
	}
	if r, ok := err.(*option.Refused); ok {
		dl.Panicf(op, "option %s does not apply to %s (it takes a reduction and %v)", r.Option, op, allowed)
	}
	if c.smoothing < 0 || c.smoothing > 1 {
		dl.Panicf(op, "label smoothing must be between 0 and 1, got %v", c.smoothing)
	}
	return c
}

// lossOut builds the result of a loss from its per-term values and the
// gradient of each term with respect to the input (dterm), recording the
// backward that scales dterm by the incoming gradient and the reduction.
// Keeping the per-term derivative from the forward pass makes every loss
// one fused op. dtarget, if not nil, is the derivative for the target.
// The mean divides by denom (the number of terms, or the summed class
// weights of CrossEntropyLoss and NLLLoss).
func lossOut(op string, red Reduction, terms []float32, termShape []int, dterm []float32, inShape []int,
	input, target *dl.Tensor, dtarget []float32, denom float64) *dl.Tensor {
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
		if red == Mean {
			s /= denom // 0/0 is NaN, as PyTorch's mean of nothing
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
				return float32(float64(gd[0]) / denom)
			}
			return gd[0]
		}
		// A mean over no counted term divides by zero; the terms that do
		// not count (ignored targets) still get no gradient, as in PyTorch,
		// rather than 0·Inf.
		nothingCounts := red == Mean && denom == 0
		grad := func(d []float32, shape []int) *dl.Tensor {
			t := dl.Zeros(shape...)
			td := t.RawData()
			for k := range n {
				s := scale(k)
				for j := k * per; j < (k+1)*per; j++ {
					if nothingCounts && d[j] == 0 {
						continue
					}
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

// floats returns t's elements as float32 in row-major order without a copy
// when t is a contiguous Float32 tensor; targets of other dtypes are read
// as numbers.
func floats(t *dl.Tensor) []float32 {
	if t.Dtype() == dl.Float32 {
		return t.Contiguous().RawData()
	}
	return t.Data()
}

// MSELoss is the mean squared error between pred and target.
func MSELoss(pred, target *dl.Tensor, opts ...LossOption) *dl.Tensor {
	const op = "MSELoss"
	red := lossConfigure(op, opts).red
	checkSame(op, pred, target)
	p, t := floats(pred), floats(target)
	terms, dp, dt := three(len(p))
	for i := range p {
		d := p[i] - t[i]
		terms[i], dp[i], dt[i] = d*d, 2*d, -2*d
	}
	return lossOut(op, red, terms, pred.Shape(), dp, pred.Shape(), pred, target, dt, float64(len(p)))
}

// L1Loss is the mean absolute error.
func L1Loss(pred, target *dl.Tensor, opts ...LossOption) *dl.Tensor {
	const op = "L1Loss"
	red := lossConfigure(op, opts).red
	checkSame(op, pred, target)
	p, t := floats(pred), floats(target)
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
	return lossOut(op, red, terms, pred.Shape(), dp, pred.Shape(), pred, target, dt, float64(len(p)))
}

// classRows lays out class scores and their class-index labels as PyTorch's
// classification losses take them: input [N C] with labels [N], [N C d1 ...]
// with labels [N d1 ...] (one label per position), or [C] with a 0-d label.
// It returns the scores as rows [M C] (in the graph), the M labels, and the
// labels' shape. Labels are Int64, or Float32 holding whole numbers (older
// notebooks); a label equal to ignore is kept as is for the caller.
func classRows(op string, input, labels *dl.Tensor, ignore int) (rows *dl.Tensor, lab []int, shape []int) {
	is, ys := input.Shape(), labels.Shape()
	switch {
	case len(is) == 1 && len(ys) == 0:
		rows = input.Reshape(1, is[0])
	case len(is) == 2 && len(ys) == 1 && ys[0] == is[0]:
		rows = input
	case len(is) > 2 && len(ys) == len(is)-1 && ys[0] == is[0] && slices.Equal(ys[1:], is[2:]):
		rows = classLast(input)
	default:
		dl.Panicf(op, "input %v and labels %v: want input [N C] with labels [N] of class indices, [N C d1 ...] with labels [N d1 ...], or [C] with a 0-d label", is, ys)
	}
	c := is[0]
	if len(is) > 1 {
		c = is[1]
	}
	switch labels.Dtype() {
	case dl.Int64:
		lab = labels.Ints()
	case dl.Float32:
		for i, v := range labels.Data() {
			k := int(v)
			if float32(k) != v {
				dl.Panicf(op, "label %v at position %d is not a whole number (class indices are Int64, or whole float32 numbers)", v, i)
			}
			lab = append(lab, k)
		}
	default:
		dl.Panicf(op, "labels of dtype %s: class indices must be Int64", labels.Dtype().Name())
	}
	for i, k := range lab {
		if k != ignore && (k < 0 || k >= c) {
			dl.Panicf(op, "target %d at position %d is out of bounds for %d classes", k, i, c)
		}
	}
	return rows, lab, ys
}

// classLast turns [N C d1 ...] into rows [N·d1·... C] (class dimension
// last), in the graph.
func classLast(t *dl.Tensor) *dl.Tensor {
	s := t.Shape()
	perm := []int{0}
	for d := 2; d < len(s); d++ {
		perm = append(perm, d)
	}
	return t.Permute(append(perm, 1)...).Reshape(-1, s[1])
}

// classWeights returns the per-class weights (nil for none), checked
// against c classes.
func classWeights(op string, w *dl.Tensor, c int) []float32 {
	if w == nil {
		return nil
	}
	if w.Dim() != 1 || w.Size(0) != c {
		dl.Panicf(op, "weight of shape %v: want one weight for each of the %d classes", w.Shape(), c)
	}
	return floats(w)
}

// CrossEntropyLoss is log-softmax followed by the negative log-likelihood
// of the labels, as torch's cross_entropy: logits [N C] (raw scores, not
// probabilities) with labels [N] of class indices (Int64, or whole float32
// numbers), or [N C d1 ...] with labels [N d1 ...]. When labels is Float32
// with logits' shape it holds class probabilities instead. Options: a
// reduction, Weight (per class), IgnoreIndex (default -100, as PyTorch),
// LabelSmoothing; their combinations, and the mean's division by the
// targets' summed weights, follow PyTorch. Computed stably in one fused op.
func CrossEntropyLoss(logits, labels *dl.Tensor, opts ...LossOption) *dl.Tensor {
	const op = "CrossEntropyLoss"
	cfg := lossConfigure(op, opts, "Weight", "IgnoreIndex", "LabelSmoothing")
	if labels.Dtype() == dl.Float32 && logits.Dim() >= 1 && slices.Equal(logits.Shape(), labels.Shape()) {
		return softCrossEntropy(op, cfg, logits, labels)
	}
	rows, lab, shape := classRows(op, logits, labels, cfg.ignore)
	m, c := rows.Size(0), rows.Size(1)
	w := classWeights(op, cfg.weight, c)
	wsum := float64(c) // Σ_c w_c, for the smoothing term
	if w != nil {
		wsum = 0
		for _, v := range w {
			wsum += float64(v)
		}
	}
	eps := cfg.smoothing
	x := rows.Contiguous().RawData()
	terms := make([]float32, m)
	d := make([]float32, m*c)
	var denom float64
	for i, y := range lab {
		if y == cfg.ignore {
			continue // no loss, no gradient, not counted
		}
		row, dr := x[i*c:(i+1)*c], d[i*c:(i+1)*c]
		lse := logSumExp(row, dr) // dr holds softmax(row)
		wy := 1.0
		if w != nil {
			wy = float64(w[y])
		}
		denom += wy
		// (1-ε)·w_y·(lse - z_y) + ε/C·Σ_c w_c·(lse - z_c), and its
		// derivative (1-ε)·w_y·(p - onehot) + ε/C·(W·p - w).
		var smooth float64
		for j, v := range row {
			wc := 1.0
			if w != nil {
				wc = float64(w[j])
			}
			smooth += wc * (lse - float64(v))
			p := float64(dr[j])
			g := (1-eps)*wy*p + eps/float64(c)*(wsum*p-wc)
			if j == y {
				g -= (1 - eps) * wy
			}
			dr[j] = float32(g)
		}
		terms[i] = float32((1-eps)*wy*(lse-float64(row[y])) + eps/float64(c)*smooth)
	}
	return lossOut(op, cfg.red, terms, shape, d, rows.Shape(), rows, labels, nil, denom)
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

// softCrossEntropy is CrossEntropyLoss against class probabilities probs of
// logits' shape ([N C], [N C d1 ...] or [C]), smoothed and weighted as
// PyTorch; its mean divides by the number of rows.
func softCrossEntropy(op string, cfg lossConfig, logits, probs *dl.Tensor) *dl.Tensor {
	if cfg.ignore >= 0 {
		dl.Panicf(op, "IgnoreIndex is not supported with class-probability targets")
	}
	shape := logits.Shape()
	toRows := func(t *dl.Tensor) *dl.Tensor {
		switch len(shape) {
		case 1:
			return t.Reshape(1, shape[0])
		case 2:
			return t
		}
		return classLast(t)
	}
	termShape := []int{}
	if len(shape) > 1 {
		termShape = append([]int{shape[0]}, shape[2:]...)
	}
	rows, prow := toRows(logits), toRows(probs)
	n, c := rows.Size(0), rows.Size(1)
	w := classWeights(op, cfg.weight, c)
	eps := float32(cfg.smoothing)
	x, p := rows.Contiguous().RawData(), prow.Contiguous().RawData()
	terms := make([]float32, n)
	d := make([]float32, n*c)
	dt := make([]float32, n*c)
	tw := make([]float64, c) // w_c · t'_c, the smoothed weighted target of a row
	for i := range n {
		row, dr, pr := x[i*c:(i+1)*c], d[i*c:(i+1)*c], p[i*c:(i+1)*c]
		lse := logSumExp(row, dr)
		var s, ps float64
		for j, v := range row {
			wc := 1.0
			if w != nil {
				wc = float64(w[j])
			}
			tw[j] = wc * float64(pr[j]*(1-eps)+eps/float32(c))
			lp := float64(v) - lse
			s -= tw[j] * lp
			ps += tw[j]
			dt[i*c+j] = float32(-wc * lp * float64(1-eps))
		}
		for j := range dr {
			dr[j] = float32(float64(dr[j])*ps - tw[j])
		}
		terms[i] = float32(s)
	}
	return lossOut(op, cfg.red, terms, termShape, d, rows.Shape(), rows, prow, dt, float64(n))
}

// NLLLoss is the negative log-likelihood of the labels given log
// probabilities logp [N C] (the output of LogSoftmax) and labels [N] (or
// [N C d1 ...] with [N d1 ...]). Options: a reduction, Weight,
// IgnoreIndex, as PyTorch's nll_loss.
func NLLLoss(logp, labels *dl.Tensor, opts ...LossOption) *dl.Tensor {
	const op = "NLLLoss"
	cfg := lossConfigure(op, opts, "Weight", "IgnoreIndex")
	rows, lab, shape := classRows(op, logp, labels, cfg.ignore)
	m, c := rows.Size(0), rows.Size(1)
	w := classWeights(op, cfg.weight, c)
	x := rows.Contiguous().RawData()
	terms := make([]float32, m)
	d := make([]float32, m*c)
	var denom float64
	for i, y := range lab {
		if y == cfg.ignore {
			continue
		}
		wy := float32(1)
		if w != nil {
			wy = w[y]
		}
		denom += float64(wy)
		terms[i] = -wy * x[i*c+y]
		d[i*c+y] = -wy
	}
	return lossOut(op, cfg.red, terms, shape, d, rows.Shape(), rows, labels, nil, denom)
}

// elementWeights returns Weight broadcast to shape, or nil.
func elementWeights(op string, w *dl.Tensor, shape []int) []float32 {
	if w == nil {
		return nil
	}
	if err := dl.Maybe(func() { w = w.Expand(shape...) }); err != nil {
		dl.Panicf(op, "weight of shape %v does not broadcast to the input %v", w.Shape(), shape)
	}
	return w.Detach().Data()
}

// BCELoss is the binary cross-entropy between probabilities p in [0, 1]
// and targets t; the logs are clamped at -100 as in PyTorch. Options: a
// reduction, Weight (per element, broadcast).
func BCELoss(p, t *dl.Tensor, opts ...LossOption) *dl.Tensor {
	const op = "BCELoss"
	cfg := lossConfigure(op, opts, "Weight")
	checkSame(op, p, t)
	w := elementWeights(op, cfg.weight, p.Shape())
	pd, td := floats(p), floats(t)
	terms, dp, dt := three(len(pd))
	for i := range pd {
		x, y := float64(pd[i]), float64(td[i])
		if x < 0 || x > 1 {
			dl.Panicf(op, "input %v at position %d is not a probability in [0, 1]", x, i)
		}
		lp, lq := math.Max(math.Log(x), -100), math.Max(math.Log(1-x), -100)
		wi := 1.0
		if w != nil {
			wi = float64(w[i])
		}
		terms[i] = float32(-wi * (y*lp + (1-y)*lq))
		// PyTorch clamps the denominator x(1-x) at 1e-12.
		dp[i] = float32(wi * (x - y) / math.Max(x*(1-x), 1e-12))
		dt[i] = float32(wi * (lq - lp))
	}
	return lossOut(op, cfg.red, terms, p.Shape(), dp, p.Shape(), p, t, dt, float64(len(pd)))
}

// BCEWithLogitsLoss is BCELoss applied to sigmoid(z), computed stably from
// the logits z. Options: a reduction, Weight (per element, broadcast).
func BCEWithLogitsLoss(z, t *dl.Tensor, opts ...LossOption) *dl.Tensor {
	const op = "BCEWithLogitsLoss"
	cfg := lossConfigure(op, opts, "Weight")
	checkSame(op, z, t)
	w := elementWeights(op, cfg.weight, z.Shape())
	zd, td := floats(z), floats(t)
	terms, dz, dt := three(len(zd))
	for i := range zd {
		x, y := float64(zd[i]), float64(td[i])
		wi := 1.0
		if w != nil {
			wi = float64(w[i])
		}
		terms[i] = float32(wi * (math.Max(x, 0) - x*y + math.Log1p(math.Exp(-math.Abs(x)))))
		dz[i] = float32(wi * (1/(1+math.Exp(-x)) - y))
		dt[i] = float32(-wi * x)
	}
	return lossOut(op, cfg.red, terms, z.Shape(), dz, z.Shape(), z, t, dt, float64(len(zd)))
}

// three returns three slices of n elements carved from one allocation: a
// loss's terms, input derivative and target derivative.
func three(n int) (a, b, c []float32) {
	buf := make([]float32, 3*n)
	return buf[:n:n], buf[n : 2*n : 2*n], buf[2*n:]
}
