package nn

import (
	"fmt"
	"testing"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/kernels"
	"github.com/godl-dev/godl/dl/optim"
)

// fashionCNN is the Fashion-MNIST recipe: conv(1→32,3,p1)-ReLU-pool2-
// conv(32→64,3,p1)-ReLU-pool2-fc(3136→128)-ReLU-fc(128→10).
func fashionCNN() *Sequential {
	return NewSequential(
		NewConv2d(1, 32, 3, Padding(1)), NewReLU(), NewMaxPool2d(2),
		NewConv2d(32, 64, 3, Padding(1)), NewReLU(), NewMaxPool2d(2),
		NewFlatten(), NewLinear(3136, 128), NewReLU(), NewLinear(128, 10))
}

// BenchmarkCNNStep times one Adam training step of the recipe on a
// synthetic batch, per batch size and thread count.
func BenchmarkCNNStep(b *testing.B) {
	for _, batch := range []int{64, 256} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("b%d/t%d", batch, threads), func(b *testing.B) {
				defer kernels.SetThreads(0)
				kernels.SetThreads(threads)
				dl.Seed(0)
				model := fashionCNN()
				opt := optim.NewAdam(Parameters(model), optim.LR(1e-3))
				x := dl.Randn(batch, 1, 28, 28)
				y := dl.Zeros(batch)
				for i, d := 0, y.RawData(); i < batch; i++ {
					d[i] = float32(i % 10)
				}
				run := func() {
					opt.ZeroGrad()
					CrossEntropyLoss(model.Forward(x), y).Backward()
					opt.Step()
				}
				for range 3 {
					run()
				}
				b.ResetTimer()
				for b.Loop() {
					run()
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
