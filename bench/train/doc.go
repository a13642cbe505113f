// Package train holds side-by-side training benchmarks: the Go benchmarks in
// train_test.go and bench_torch.py, which times the same models in PyTorch.
// compare.py runs both and prints samples/s and their ratio.
//
//	python3 bench/train/compare.py
//
// Debian's python3-torch does its matrix products through libblas.so.3:
// with only the reference BLAS installed it is several times slower than it
// should be, so install libopenblas0-pthread before comparing. compare.py
// runs PyTorch once per thread count with the BLAS limited to it and the
// better of the two is the reference.
package train
