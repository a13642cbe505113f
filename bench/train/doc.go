// Package train holds side-by-side training benchmarks: the Go benchmarks in
// train_test.go and bench_torch.py, which times the same models in PyTorch.
// compare.py runs both and prints samples/s and their ratio.
//
//	python3 bench/train/compare.py
package train
