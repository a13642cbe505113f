package dl

// opTable maps each golden case of testdata/gen_golden.py to the same
// computation written with dl. noGrad marks outputs with no gradient.
type opEntry struct {
	fn     func(x []*Tensor) *Tensor
	noGrad bool
}

func op(f func(x []*Tensor) *Tensor) opEntry { return opEntry{fn: f} }

// whereMask is arange(12) % 3 == 0 as a [3 4] mask.
func whereMask() *Tensor {
	m := Zeros(3, 4)
	for i := range 12 {
		if i%3 == 0 {
			m.RawData()[i] = 1
		}
	}
	return m
}

func crossEntropyOneHot() *Tensor {
	labels := []int{0, 3, 1, 1, 2}
	oh := Zeros(5, 4)
	for i, l := range labels {
		oh.Set(1, i, l)
	}
	return oh
}

var opTable = map[string]opEntry{
	"add":               op(func(x []*Tensor) *Tensor { return Add(x[0], x[1]) }),
	"add_row":           op(func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }),
	"add_col":           op(func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }),
	"add_3d":            op(func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }),
	"add_scalar_tensor": op(func(x []*Tensor) *Tensor { return x[0].Add(x[1]) }),
	"add_transposed":    op(func(x []*Tensor) *Tensor { return x[0].T().Add(x[1]) }),
	"sub_bcast":         op(func(x []*Tensor) *Tensor { return Sub(x[0], x[1]) }),
	"mul":               op(func(x []*Tensor) *Tensor { return Mul(x[0], x[1]) }),
	"mul_bcast":         op(func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }),
	"mul_bcast_mid":     op(func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }),
	"div":               op(func(x []*Tensor) *Tensor { return Div(x[0], x[1]) }),
	"div_bcast":         op(func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }),
	"add_scalar":        op(func(x []*Tensor) *Tensor { return x[0].AddScalar(1.5) }),
	"mul_scalar":        op(func(x []*Tensor) *Tensor { return x[0].MulScalar(-2.5) }),
	"div_scalar":        op(func(x []*Tensor) *Tensor { return x[0].DivScalar(3) }),
	"neg":               op(func(x []*Tensor) *Tensor { return x[0].Neg() }),
	"pow2":              op(func(x []*Tensor) *Tensor { return x[0].Pow(2) }),
	"pow3":              op(func(x []*Tensor) *Tensor { return x[0].Pow(3) }),
	"pow_half":          op(func(x []*Tensor) *Tensor { return x[0].Pow(0.5) }),
	"exp":               op(func(x []*Tensor) *Tensor { return Exp(x[0]) }),
	"log":               op(func(x []*Tensor) *Tensor { return Log(x[0]) }),
	"sqrt":              op(func(x []*Tensor) *Tensor { return Sqrt(x[0]) }),
	"abs":               op(func(x []*Tensor) *Tensor { return Abs(x[0]) }),
	"sin":               op(func(x []*Tensor) *Tensor { return Sin(x[0]) }),
	"cos":               op(func(x []*Tensor) *Tensor { return Cos(x[0]) }),
	"clamp":             op(func(x []*Tensor) *Tensor { return x[0].Clamp(-0.5, 0.7) }),
	"maximum":           op(func(x []*Tensor) *Tensor { return Maximum(x[0], x[1]) }),
	"minimum":           op(func(x []*Tensor) *Tensor { return Minimum(x[0], x[1]) }),

	"sigmoid":             op(func(x []*Tensor) *Tensor { return Sigmoid(x[0]) }),
	"tanh":                op(func(x []*Tensor) *Tensor { return Tanh(x[0]) }),
	"relu":                op(func(x []*Tensor) *Tensor { return ReLU(x[0]) }),
	"leaky_relu":          op(func(x []*Tensor) *Tensor { return LeakyReLU(x[0], 0.1) }),
	"gelu":                op(func(x []*Tensor) *Tensor { return GELU(x[0]) }),
	"silu":                op(func(x []*Tensor) *Tensor { return SiLU(x[0]) }),
	"elu":                 op(func(x []*Tensor) *Tensor { return ELU(x[0], 1) }),
	"softplus":            op(func(x []*Tensor) *Tensor { return Softplus(x[0]) }),
	"softmax_last":        op(func(x []*Tensor) *Tensor { return Softmax(x[0], -1) }),
	"softmax_dim0_3d":     op(func(x []*Tensor) *Tensor { return Softmax(x[0], 0) }),
	"softmax_large":       op(func(x []*Tensor) *Tensor { return Softmax(x[0], 1) }),
	"log_softmax_last":    op(func(x []*Tensor) *Tensor { return LogSoftmax(x[0], -1) }),
	"log_softmax_dim1_3d": op(func(x []*Tensor) *Tensor { return LogSoftmax(x[0], 1) }),
	"log_softmax_large":   op(func(x []*Tensor) *Tensor { return LogSoftmax(x[0], 1) }),

	"sum_all":       op(func(x []*Tensor) *Tensor { return x[0].Sum() }),
	"sum_dim0":      op(func(x []*Tensor) *Tensor { return x[0].Sum(0) }),
	"sum_dim1":      op(func(x []*Tensor) *Tensor { return Sum(x[0], 1) }),
	"sum_dims02":    op(func(x []*Tensor) *Tensor { return x[0].Sum(0, 2) }),
	"sum_dims023":   op(func(x []*Tensor) *Tensor { return x[0].Sum(0, -2, 3) }),
	"sum_keep":      op(func(x []*Tensor) *Tensor { return x[0].SumKeep(1) }),
	"sum_big":       op(func(x []*Tensor) *Tensor { return x[0].Sum(0) }),
	"mean_all":      op(func(x []*Tensor) *Tensor { return x[0].Mean() }),
	"mean_dim1":     op(func(x []*Tensor) *Tensor { return Mean(x[0], 1) }),
	"mean_keep":     op(func(x []*Tensor) *Tensor { return x[0].MeanKeep(0, 2) }),
	"var_dim1":      op(func(x []*Tensor) *Tensor { return x[0].Var(1) }),
	"max_dim1":      op(func(x []*Tensor) *Tensor { return x[0].Max(1) }),
	"max_dim0_keep": op(func(x []*Tensor) *Tensor { return x[0].MaxKeep(0) }),
	"max_all":       op(func(x []*Tensor) *Tensor { return Max(x[0]) }),
	"min_dim1":      op(func(x []*Tensor) *Tensor { return x[0].Min(1) }),
	"argmax_dim1":   {fn: func(x []*Tensor) *Tensor { return x[0].Argmax(1) }, noGrad: true},
	"argmax_all":    {fn: func(x []*Tensor) *Tensor { return Argmax(x[0]) }, noGrad: true},

	"reshape": op(func(x []*Tensor) *Tensor {
		return x[0].Reshape(2, 6).Mul(Arange(0, 12, 1).Reshape(2, 6))
	}),
	"reshape_infer":      op(func(x []*Tensor) *Tensor { return x[0].Reshape(-1, 4) }),
	"transpose_reshape":  op(func(x []*Tensor) *Tensor { return x[0].T().Reshape(12) }),
	"permute":            op(func(x []*Tensor) *Tensor { return x[0].Permute(2, 0, 1) }),
	"transpose":          op(func(x []*Tensor) *Tensor { return x[0].Transpose(0, 2) }),
	"select":             op(func(x []*Tensor) *Tensor { return x[0].Select(1, 2) }),
	"select_neg":         op(func(x []*Tensor) *Tensor { return x[0].Select(0, -1) }),
	"narrow":             op(func(x []*Tensor) *Tensor { return x[0].Narrow(1, 1, 3) }),
	"squeeze":            op(func(x []*Tensor) *Tensor { return x[0].Squeeze() }),
	"squeeze_dim":        op(func(x []*Tensor) *Tensor { return x[0].Squeeze(1) }),
	"unsqueeze":          op(func(x []*Tensor) *Tensor { return x[0].Unsqueeze(1) }),
	"flatten":            op(func(x []*Tensor) *Tensor { return x[0].Flatten(1) }),
	"expand":             op(func(x []*Tensor) *Tensor { return x[0].Expand(2, 3, 4) }),
	"cat0":               op(func(x []*Tensor) *Tensor { return Cat(0, x[0], x[1]) }),
	"cat1":               op(func(x []*Tensor) *Tensor { return Cat(1, x...) }),
	"stack":              op(func(x []*Tensor) *Tensor { return Stack(1, x...) }),
	"index_select":       op(func(x []*Tensor) *Tensor { return x[0].IndexSelect(0, []int{4, 0, 4, 2}) }),
	"index_select_dim1":  op(func(x []*Tensor) *Tensor { return x[0].IndexSelect(1, []int{1, 1, 3}) }),
	"contiguous_of_view": op(func(x []*Tensor) *Tensor { return x[0].T().Narrow(0, 1, 3).Contiguous().MulScalar(2) }),

	"matmul_2d":          op(func(x []*Tensor) *Tensor { return MatMul(x[0], x[1]) }),
	"matmul_tA":          op(func(x []*Tensor) *Tensor { return x[0].T().MatMul(x[1]) }),
	"matmul_tB":          op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1].T()) }),
	"matmul_tAB":         op(func(x []*Tensor) *Tensor { return x[0].T().MatMul(x[1].T()) }),
	"matmul_big":         op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }),
	"matmul_batched":     op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }),
	"matmul_batch_bcast": op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }),
	"matmul_3d_2d":       op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }),
	"matmul_2d_3d":       op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }),
	"matmul_vec_mat":     op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }),
	"matmul_mat_vec":     op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }),
	"matmul_dot":         op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }),
	"matmul_empty_k":     op(func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }),
	"matmul_narrow":      op(func(x []*Tensor) *Tensor { return x[0].Narrow(0, 1, 4).Narrow(1, 2, 5).MatMul(x[1]) }),

	"outer_bcast":           op(func(x []*Tensor) *Tensor { return x[0].Mul(x[1]) }),
	"scalar_0d":             op(func(x []*Tensor) *Tensor { return x[0].Mul(x[1]).Add(x[0]) }),
	"exp_of_transposed":     op(func(x []*Tensor) *Tensor { return Exp(x[0].T()) }),
	"sigmoid_of_permuted":   op(func(x []*Tensor) *Tensor { return Sigmoid(x[0].Permute(1, 2, 0)) }),
	"sum_of_permuted":       op(func(x []*Tensor) *Tensor { return x[0].Permute(2, 0, 1).Sum(1, 2) }),
	"softmax_of_transposed": op(func(x []*Tensor) *Tensor { return Softmax(x[0].T(), 1) }),
	"max_of_transposed":     op(func(x []*Tensor) *Tensor { return x[0].T().Max(1) }),
	"mul_expanded":          op(func(x []*Tensor) *Tensor { return x[0].Expand(3, 4).Mul(x[1]) }),
	"cat_views":             op(func(x []*Tensor) *Tensor { return Cat(1, x[0].T(), x[1].Narrow(1, 1, 2)) }),
	"stack0":                op(func(x []*Tensor) *Tensor { return Stack(0, x...) }),
	"squeeze_noop":          op(func(x []*Tensor) *Tensor { return x[0].Squeeze(0) }),
	"unsqueeze_neg":         op(func(x []*Tensor) *Tensor { return x[0].Unsqueeze(-1) }),
	"flatten_mid":           op(func(x []*Tensor) *Tensor { return x[0].Flatten(1, 2) }),
	"min_all":               op(func(x []*Tensor) *Tensor { return x[0].Min() }),
	"var_all":               op(func(x []*Tensor) *Tensor { return x[0].Var() }),
	"div_scalar_tensor":     op(func(x []*Tensor) *Tensor { return x[0].Div(x[1]) }),
	"select_matmul":         op(func(x []*Tensor) *Tensor { return x[0].Select(0, 1).MatMul(x[1]) }),
	"chain_200": op(func(x []*Tensor) *Tensor {
		a := x[0]
		for i := range 200 {
			a = Tanh(a.MulScalar(1.01).AddScalar(0.01 * float32(i)))
		}
		return a
	}),
	"reused_weight": op(func(x []*Tensor) *Tensor {
		w, h := x[0], x[1]
		for range 5 {
			h = Tanh(h.MatMul(w))
		}
		return h
	}),
	"empty_sum": op(func(x []*Tensor) *Tensor { return x[0].Sum(0) }),

	"where":    op(func(x []*Tensor) *Tensor { return Where(whereMask(), x[0], x[1]) }),
	"std_dim0": op(func(x []*Tensor) *Tensor { return x[0].Std(0) }),

	"arange":       {fn: func([]*Tensor) *Tensor { return Arange(0, 10, 1) }, noGrad: true},
	"arange_frac":  {fn: func([]*Tensor) *Tensor { return Arange(-1, 1, 0.3) }, noGrad: true},
	"linspace":     {fn: func([]*Tensor) *Tensor { return Linspace(-5, 5, 100) }, noGrad: true},
	"linspace_odd": {fn: func([]*Tensor) *Tensor { return Linspace(0.1, 2.7, 7) }, noGrad: true},

	"linear_relu": op(func(x []*Tensor) *Tensor { return ReLU(x[0].MatMul(x[1].T()).Add(x[2])) }),
	"shared_input": op(func(x []*Tensor) *Tensor {
		return x[0].Mul(x[0]).Add(Sigmoid(x[0]).Mul(x[0]))
	}),
	"cross_entropy": op(func(x []*Tensor) *Tensor {
		return LogSoftmax(x[0], 1).Mul(crossEntropyOneHot()).Sum(1).Mean().Neg()
	}),
}
