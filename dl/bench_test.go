package dl

import "testing"

// Benchmarks measure; they assert nothing about speed.

// mlpStep is one training step of a 784-256-10 MLP on a batch of 64, the
// tutorial's first model: forward, loss, backward.
func mlpStep(x, w1, b1, w2, b2, onehot *Tensor) {
	h := ReLU(x.MatMul(w1.T()).Add(b1))
	logits := h.MatMul(w2.T()).Add(b2)
	loss := LogSoftmax(logits, 1).Mul(onehot).Sum(1).Mean().Neg()
	loss.Backward()
}

func BenchmarkMLPStep(b *testing.B) { benchMLP(b, false) }

// BenchmarkMLPStepNoPool is the same step with buffer recycling off, to
// measure what the pool saves.
func BenchmarkMLPStepNoPool(b *testing.B) { benchMLP(b, true) }

func benchMLP(b *testing.B, poolOff bool) {
	setPooling(!poolOff)
	defer setPooling(true)
	Seed(1)
	x := Randn(64, 784)
	w1, b1 := Randn(256, 784).MulScalar(0.03).RequiresGrad(), Zeros(256).RequiresGrad()
	w2, b2 := Randn(10, 256).MulScalar(0.06).RequiresGrad(), Zeros(10).RequiresGrad()
	onehot := Zeros(64, 10)
	for i := range 64 {
		onehot.Set(1, i, i%10)
	}
	b.ReportAllocs()
	for b.Loop() {
		mlpStep(x, w1, b1, w2, b2, onehot)
	}
}

func BenchmarkAddRowBroadcast(b *testing.B) {
	x, y := Randn(256, 512), Randn(512)
	b.SetBytes(256 * 512 * 4)
	for b.Loop() {
		Add(x, y)
	}
}

func BenchmarkMulSame(b *testing.B) {
	x, y := Randn(256, 512), Randn(256, 512)
	b.SetBytes(256 * 512 * 4)
	for b.Loop() {
		Mul(x, y)
	}
}

func BenchmarkSumDim0(b *testing.B) {
	x := Randn(256, 512)
	b.SetBytes(256 * 512 * 4)
	for b.Loop() {
		x.Sum(0)
	}
}

func BenchmarkSigmoid(b *testing.B) {
	x := Randn(256, 512)
	b.SetBytes(256 * 512 * 4)
	for b.Loop() {
		Sigmoid(x)
	}
}

func BenchmarkSoftmax(b *testing.B) {
	x := Randn(256, 512)
	b.SetBytes(256 * 512 * 4)
	for b.Loop() {
		Softmax(x, 1)
	}
}

// BenchmarkSmallOpOverhead is the fixed cost of a recorded op on tiny
// tensors, which dominates recurrent nets stepping through time.
func BenchmarkSmallOpOverhead(b *testing.B) {
	x, y := Randn(4, 32).RequiresGrad(), Randn(32)
	b.ReportAllocs()
	for b.Loop() {
		Add(x, y)
	}
}

// The element-wise and reduction ops at the sizes of a CNN step (batch 64,
// 32 channels of 28×28): one thread per SetNumThreads, vector kernels.

func BenchmarkReLUForwardBackward(b *testing.B) {
	x := Randn(64, 32, 28, 28).RequiresGrad()
	g := Randn(64, 32, 28, 28)
	b.SetBytes(5 * 4 * int64(x.Numel())) // read x, write y; read g and y, write dx
	for b.Loop() {
		ReLU(x).BackwardWith(g)
		x.SetGrad(nil)
	}
}

func BenchmarkLogSoftmaxForwardBackward(b *testing.B) {
	x := Randn(4096, 1000).RequiresGrad()
	g := Randn(4096, 1000)
	for b.Loop() {
		LogSoftmax(x, 1).BackwardWith(g)
		x.SetGrad(nil)
	}
}

func BenchmarkSumAll(b *testing.B) {
	x := Randn(1024, 1024)
	b.SetBytes(4 * int64(x.Numel()))
	for b.Loop() {
		x.Sum()
	}
}
