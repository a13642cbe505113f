package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/godl-dev/godl/kernel"
)

// BenchmarkCellLatency measures what a notebook user waits for: a warm
// cell (rewrite, type-check, plugin build, load, run), a wrong cell, and,
// for comparison, a gonb-style rebuild-and-run of all cells so far as one
// program (go run). Run with: go test -run '^$' -bench CellLatency -benchtime 1x
func BenchmarkCellLatency(b *testing.B) {
	e, _ := New(Options{})
	defer e.Close()
	exec1 := func(code string) (time.Duration, kernel.ExecuteResult) {
		t0 := time.Now()
		res := e.Execute(context.Background(), kernel.ExecuteRequest{Code: code}, discard{})
		return time.Since(t0), res
	}
	if _, res := exec1("w := dl.Ones(2, 2)\nfmt.Sprint(w)"); res.Error != nil {
		b.Fatalf("warm-up: %+v", res.Error)
	}
	const n = 30
	var cells []string
	var warm []time.Duration
	for i := range n {
		code := fmt.Sprintf("v%d := w.MulScalar(%d)\nfmt.Println(v%d.Sum())", i, i, i)
		cells = append(cells, code)
		d, res := exec1(code)
		if res.Error != nil {
			b.Fatalf("cell %d: %+v", i, res.Error)
		}
		warm = append(warm, d)
	}
	var bad []time.Duration
	for i := range 10 {
		d, res := exec1(fmt.Sprintf("x := v%d + \"s\"", i))
		if res.Error == nil || res.Error.EName != "CompileError" {
			b.Fatalf("wrong cell passed: %+v", res.Error)
		}
		bad = append(bad, d)
	}
	// gonb-style: every execution rebuilds and reruns all cells so far.
	dir := filepath.Join(e.b.dir, "cells", e.sess, "gonb")
	os.MkdirAll(dir, 0o755)
	var gonb []time.Duration
	for _, k := range []int{1, n / 2, n} {
		src := "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/godl-dev/godl/dl\"\n)\n\nfunc main() {\n\tw := dl.Ones(2, 2)\n" +
			strings.Join(cells[:k], "\n") + "\n}\n"
		os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644)
		cmd := exec.Command(e.b.goCmd, "run", "./"+filepath.Join("cells", e.sess, "gonb"))
		cmd.Dir, cmd.Env = e.b.dir, e.b.env
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go run: %v\n%s", err, out)
		}
		gonb = append(gonb, time.Since(t0))
	}
	pct := func(ds []time.Duration, p float64) time.Duration {
		s := append([]time.Duration(nil), ds...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[int(p*float64(len(s)-1)+0.5)]
	}
	b.ReportMetric(pct(warm, 0.5).Seconds(), "warm-p50-s")
	b.ReportMetric(pct(warm, 0.9).Seconds(), "warm-p90-s")
	b.ReportMetric(pct(bad, 0.5).Seconds(), "compile-error-p50-s")
	b.ReportMetric(gonb[len(gonb)-1].Seconds(), "gonb-rerun-30-cells-s")
	fmt.Printf("warm cell: p50 %v p90 %v (n=%d); compile error: p50 %v; gonb-style go run of 1/%d/%d cells: %v\n",
		pct(warm, 0.5).Round(time.Millisecond), pct(warm, 0.9).Round(time.Millisecond), n,
		pct(bad, 0.5).Round(time.Microsecond), n/2, n, gonb)
}
