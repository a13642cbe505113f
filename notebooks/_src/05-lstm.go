// ---
// jupyter:
//   jupytext:
//     text_representation:
//       extension: .go
//       format_name: percent
//   kernelspec:
//     display_name: Go (dl)
//     language: go
//     name: godl
// ---

// %% [markdown]
// # 3 循环神经网络 (RNN) · LSTM
//
// LSTM通过门控机制解决RNN的长期依赖问题。Here an LSTM learns to continue sine waves.
//
// - 遗忘门: f_t = σ(W_f · [h_{t-1}, x_t] + b_f)
// - 输入门: i_t = σ(W_i · [h_{t-1}, x_t] + b_i)
// - 细胞状态: C_t = f_t * C_{t-1} + i_t * C̃_t
// - 输出门: o_t = σ(W_o · [h_{t-1}, x_t] + b_o)
// - 隐藏状态: h_t = o_t * tanh(C_t)

// %%
// LSTMModel reads a sequence and predicts from the last hidden state.
type LSTMModel struct {
	LSTM       *nn.LSTM
	FC         *nn.Linear
	NumLayers  int
	HiddenSize int
}

func NewLSTMModel(inputSize, hiddenSize, numLayers, outputSize int) *LSTMModel {
	return &LSTMModel{
		LSTM:       nn.NewLSTM(inputSize, hiddenSize, numLayers, nn.BatchFirst(), nn.LayerDropout(0.2)),
		FC:         nn.NewLinear(hiddenSize, outputSize),
		NumLayers:  numLayers,
		HiddenSize: hiddenSize,
	}
}

func (m *LSTMModel) Forward(x *dl.Tensor) *dl.Tensor {
	h0 := dl.Zeros(m.NumLayers, x.Shape()[0], m.HiddenSize)
	c0 := dl.Zeros(m.NumLayers, x.Shape()[0], m.HiddenSize)
	out, _ := m.LSTM.ForwardState(x, &nn.State{H: h0, C: c0})
	seqLen := out.Shape()[1]
	return m.FC.Forward(out.Select(1, seqLen-1)) // out[:, -1, :]
}

// %%
dl.Seed(3)
waves := data.SineWaves(512, 30)
trainSet, valSet := waves.Split(0.8)
lstmModel := NewLSTMModel(1, 32, 2, 1)
display.Summary(lstmModel, 8, 30, 1)

// %%
opt := optim.NewAdam(nn.Parameters(lstmModel), optim.LR(0.01))
curve := display.NewCurve("LSTM on sine waves", display.XLabel("epoch"), display.LogY())
for epoch := range display.Progress(15, "epoch") {
	nn.Train(lstmModel)
	for xb, yb := range data.NewLoader(trainSet, 32, data.Shuffle(true)).All() {
		loss := nn.MSELoss(lstmModel.Forward(xb), yb)
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
	}
	nn.Eval(lstmModel)
	dl.NoGrad(func() {
		curve.Add("train", epoch, nn.MSELoss(lstmModel.Forward(trainSet.X), trainSet.Y).Item())
		curve.Add("validation", epoch, nn.MSELoss(lstmModel.Forward(valSet.X), valSet.Y).Item())
	})
}

// %%
var pred *dl.Tensor
dl.NoGrad(func() { pred = lstmModel.Forward(valSet.X.Narrow(0, 0, 5)) })
dl.Cat(1, valSet.Y.Narrow(0, 0, 5), pred)

// %% [markdown]
// | 特性 | RNN | LSTM | GRU |
// |---|---|---|---|
// | 参数量 | 少 | 多 | 中 |
// | 训练速度 | 快 | 慢 | 中 |
// | 长期依赖 | 差 | 好 | 好 |

// %%
for _, r := range []struct {
	name string
	m    any
}{{"RNN", nn.NewRNN(32, 64, 1)}, {"LSTM", nn.NewLSTM(32, 64, 1)}, {"GRU", nn.NewGRU(32, 64, 1)}} {
	fmt.Printf("%-4s %6d parameters\n", r.name, nn.NumParams(r.m))
}
