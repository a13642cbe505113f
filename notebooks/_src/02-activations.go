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
// # 1.2 激活函数 · Activation functions
//
// 激活函数引入非线性,使神经网络能够学习复杂的模式。

// %%
x := dl.Linspace(-5, 5, 100)
sigmoid := dl.Sigmoid(x)
tanh := dl.Tanh(x)
relu := dl.ReLU(x)
leakyReLU := dl.LeakyReLU(x, 0.1)
gelu := dl.GELU(x)
display.Lines("Activation functions", x, map[string]*dl.Tensor{
	"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leakyReLU, "gelu": gelu,
}, display.XLabel("x"))

// %% [markdown]
// | 函数 | 公式 | 优点 | 缺点 |
// |---|---|---|---|
// | Sigmoid | σ(x) = 1/(1+e⁻ˣ) | 输出[0,1] | 梯度消失、非零中心 |
// | Tanh | tanh(x) | 零中心 | 梯度消失 |
// | ReLU | max(0, x) | 计算快、无梯度消失 | 神经元死亡 |
// | LeakyReLU | max(αx, x) | 解决死亡问题 | 需调参 |
// | GELU | x·Φ(x) | 平滑、大模型常用 | 计算较慢 |
//
// Their derivatives, from autograd: the sigmoid's vanishes at both ends, ReLU's is 0 or 1.

// %%
grads := map[string]*dl.Tensor{}
activations := map[string]func(*dl.Tensor) *dl.Tensor{
	"sigmoid":    dl.Sigmoid,
	"tanh":       dl.Tanh,
	"relu":       dl.ReLU,
	"leaky_relu": func(t *dl.Tensor) *dl.Tensor { return dl.LeakyReLU(t, 0.1) },
	"gelu":       dl.GELU,
}
for name, f := range activations {
	xs := dl.Linspace(-5, 5, 100).RequiresGrad()
	f(xs).Sum().Backward()
	grads[name] = xs.Grad()
}
display.Lines("Derivatives", x, grads, display.XLabel("x"))

// %% [markdown]
// A tensor as the cell's value is shown as a table:

// %%
dl.Stack(1, x, sigmoid, tanh, relu, leakyReLU, gelu).Narrow(0, 45, 10)

// %% [markdown]
// Try them: move the slope α of LeakyReLU, or pick another activation, and the plot
// is drawn again (`widgets.Interact` runs the function with the controls' values
// whenever one changes, as ipywidgets' `interact` does).

// %%
slope := widgets.NewFloatSlider("slope α", 0, 0.5, 0.01, 0.1)
activation := widgets.NewDropdown("activation", []string{"leaky_relu", "relu", "gelu", "tanh", "sigmoid"}, "leaky_relu")
widgets.Interact(func(alpha float64, name string) {
	var y *dl.Tensor
	switch name {
	case "leaky_relu":
		y = dl.LeakyReLU(x, float32(alpha))
	case "relu":
		y = dl.ReLU(x)
	case "gelu":
		y = dl.GELU(x)
	case "tanh":
		y = dl.Tanh(x)
	case "sigmoid":
		y = dl.Sigmoid(x)
	}
	display.Lines(fmt.Sprintf("%s (α = %.2f)", name, alpha), x, map[string]*dl.Tensor{name: y}, display.XLabel("x"))
}, slope, activation)
