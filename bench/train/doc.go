// Package train holds the synthetic training-step benchmarks: the Go
// benchmarks in train_test.go and bench_torch.py, which times the same
// models in PyTorch. bench/run.py (make bench BENCH=steps) runs both, the
// sides alternating, and reports samples/s and their ratios.
//
//	go test -run '^$' -bench Step -cpu 1,2 ./bench/train
package train
