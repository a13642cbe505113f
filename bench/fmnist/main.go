// Command fmnist trains the Fashion-MNIST recipes of the benchmark with godl
// on the real data set and reports, as JSON lines on stdout, each epoch's
// time and the process's resident memory, the test accuracy and, on request,
// the peak memory of one forward pass over the whole test set.
// fmnist_torch.py is the same program written with PyTorch; bench/run.py
// runs both side by side.
//
//	go run ./bench/fmnist -model cnn -epochs 1 -whole-eval
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/data"
	"github.com/godl-dev/godl/dl/nn"
	"github.com/godl-dev/godl/dl/optim"
)

// The recipes, as a new user writes them.
func newModel(name string) nn.Module {
	switch name {
	case "mlp":
		return nn.NewSequential(nn.NewFlatten(), nn.NewLinear(784, 256), nn.NewReLU(), nn.NewLinear(256, 10))
	case "cnn":
		return nn.NewSequential(
			nn.NewConv2d(1, 32, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
			nn.NewConv2d(32, 64, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
			nn.NewFlatten(), nn.NewLinear(64*7*7, 128), nn.NewReLU(), nn.NewLinear(128, 10))
	}
	fmt.Fprintf(os.Stderr, "fmnist: unknown model %q (want mlp or cnn)\n", name)
	os.Exit(2)
	return nil
}

func main() {
	model := flag.String("model", "mlp", "recipe: mlp or cnn")
	epochs := flag.Int("epochs", 3, "training epochs")
	batches := flag.Int("batches", 0, "stop each epoch after this many batches (0: the whole training set)")
	batch := flag.Int("batch", 64, "training batch size")
	testEval := flag.Bool("eval", true, "after training, report the accuracy on the test set")
	evalBatch := flag.Int("eval-batch", 1000, "batch size of the test-set evaluation")
	wholeEval := flag.Bool("whole-eval", false, "after training, run the whole test set through the model in one forward under NoGrad and report its peak memory")
	threads := flag.Int("threads", 0, "GOMAXPROCS, which is also the kernels' thread count (0: all cores)")
	memLimit := flag.Uint64("mem-limit", defaultMemLimit(), "address-space cap in bytes, as the notebook worker has (0: none)")
	dir := flag.String("data", "", "directory of the Fashion-MNIST *-ubyte.gz files (empty: the system copy)")
	seed := flag.Int64("seed", 0, "seed for initialisation and shuffling")
	flag.Parse()

	if *threads > 0 {
		runtime.GOMAXPROCS(*threads)
	}
	if err := limitAddressSpace(*memLimit); err != nil {
		fail(err)
	}
	out := json.NewEncoder(os.Stdout)
	emit := func(v map[string]any) {
		if err := out.Encode(v); err != nil {
			fail(err)
		}
	}
	emit(map[string]any{"event": "start", "threads": runtime.GOMAXPROCS(0), "go": runtime.Version(), "mem_limit": *memLimit})

	t0 := time.Now()
	train, test, err := data.FashionMNIST(*dir)
	if err != nil {
		fail(err)
	}
	emit(map[string]any{"event": "data", "seconds": time.Since(t0).Seconds(), "train": train.Len(), "test": test.Len()})

	dl.Seed(*seed)
	m := newModel(*model)
	opt := optim.NewAdam(nn.Parameters(m), optim.LR(1e-3))
	loader := data.NewLoader(train, *batch, data.Shuffle(true))

	base := rss()
	for epoch := 1; epoch <= *epochs; epoch++ {
		resetPeak()
		nn.Train(m)
		var total float64
		n := 0
		start := time.Now()
		for xb, yb := range loader.All() {
			opt.ZeroGrad()
			loss := nn.CrossEntropyLoss(m.Forward(xb), yb)
			loss.Backward()
			opt.Step()
			total += float64(loss.Item())
			n++
			if n == *batches {
				break
			}
		}
		secs := time.Since(start).Seconds()
		emit(map[string]any{"event": "epoch", "epoch": epoch, "seconds": secs, "batches": n,
			"loss": total / float64(n), "base_rss": base, "peak_rss": peak()})
	}

	if *testEval {
		start := time.Now()
		acc := evaluate(m, test, *evalBatch)
		emit(map[string]any{"event": "eval", "seconds": time.Since(start).Seconds(), "accuracy": acc, "batch": *evalBatch})
	}

	if *wholeEval {
		// The cell a user runs after training: the whole test set at once.
		runtime.GC()
		base := rss()
		resetPeak()
		start := time.Now()
		var pred *dl.Tensor
		dl.NoGrad(func() { pred = m.Forward(test.X).Argmax(1) })
		secs := time.Since(start).Seconds()
		emit(map[string]any{"event": "whole_eval", "seconds": secs, "n": test.Len(),
			"accuracy": pred.Eq(test.Y).Sum().Item() / float32(test.Len()), "base_rss": base, "peak_rss": peak()})
	}
}

// evaluate returns the accuracy of m on ds, in batches, under NoGrad.
func evaluate(m nn.Module, ds *data.TensorDataset, batch int) float64 {
	nn.Eval(m)
	defer nn.Train(m)
	correct := 0.0
	dl.NoGrad(func() {
		for xb, yb := range data.NewLoader(ds, batch).All() {
			correct += float64(m.Forward(xb).Argmax(1).Eq(yb).Sum().Item())
		}
	})
	return correct / float64(ds.Len())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fmnist:", err)
	os.Exit(1)
}
