package engine

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/godl-dev/godl/kernel"
)

// BenchmarkCellSoak runs many trivial cells in one worker and reports the
// worker's resident memory per cell and the warm-cell latency: the p50 of
// the first and of the last 100 cells, and, because a shared machine's
// load drifts more than that over the minutes a soak takes, the same
// comparison side by side: after the soak, a fresh engine runs 100 cells
// alternating with 100 more of the soaked one, and the ratio of their
// p50s is the drift. It takes minutes, so it runs only when
// GODL_SOAK_CELLS is set:
//
//	GODL_SOAK_CELLS=1000 go test ./kernel/engine -run '^$' -bench CellSoak -benchtime 1x
//
// With GODL_SOAK_COMPARE=1 a second engine whose plugins link their
// dependencies in (GODL_STATIC_CELLS=1) runs the same cells, alternating
// cell by cell, so both see the same machine load.
func BenchmarkCellSoak(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("GODL_SOAK_CELLS"))
	if n <= 0 {
		b.Skip("set GODL_SOAK_CELLS (e.g. 1000) to run the soak")
	}
	var runs []*soakRun
	if os.Getenv("GODL_SOAK_COMPARE") != "" {
		os.Setenv("GODL_STATIC_CELLS", "1")
		runs = append(runs, newSoakRun(b, "static"))
		os.Unsetenv("GODL_STATIC_CELLS")
	}
	runs = append(runs, newSoakRun(b, "shared"))
	kernelStart := kernelHeap()
	every := max(n/10, 1)
	for i := 0; i < n; i++ {
		for _, r := range runs {
			r.cell(b)
			if (i+1)%every == 0 {
				r.progress(b)
			}
		}
	}
	for _, r := range runs {
		r.report(b)
	}
	// The kernel side: the compiler's symbols and type information of
	// every cell, the builder's archive list.
	kernelEnd := kernelHeap()
	fmt.Printf("kernel process: Go heap %s -> %s (%.1f KB/cell, %d engine(s))\n", fmtMB(kernelStart), fmtMB(kernelEnd),
		float64(int64(kernelEnd)-int64(kernelStart))/1e3/float64(n), len(runs))

	for _, old := range runs {
		if old.name == "static" {
			os.Setenv("GODL_STATIC_CELLS", "1") // a fresh worker of the same kind
		}
		fresh := newSoakRun(b, old.name+"-fresh")
		os.Unsetenv("GODL_STATIC_CELLS")
		w := min(100, n)
		oldLat, freshLat := len(old.lat), len(fresh.lat)
		for range w {
			old.cell(b)
			fresh.cell(b)
		}
		po, pf := p50(old.lat[oldLat:]), p50(fresh.lat[freshLat:])
		fmt.Printf("drift %s, side by side: p50 of cells %d-%d %v, of a fresh worker's cells 1-%d %v: %+.1f%%\n",
			old.name, oldLat+1, oldLat+w, po.Round(time.Millisecond), w, pf.Round(time.Millisecond), 100*(po.Seconds()/pf.Seconds()-1))
		b.ReportMetric(100*(po.Seconds()/pf.Seconds()-1), old.name+"-drift-%")
		fresh.e.Close()
	}
}

type soakRun struct {
	name  string
	e     *Engine
	pid   int
	start memUsage
	lat   []time.Duration
}

func newSoakRun(b *testing.B, name string) *soakRun {
	e, _ := New(Options{})
	b.Cleanup(func() { e.Close() })
	r := &soakRun{name: name, e: e}
	r.exec(b, "x0 := 0\nw0 := dl.Randn(8, 8)")
	r.exec(b, "x1 := x0 + 1\nw1 := dl.Randn(8, 8)")
	e.mu.Lock()
	r.pid = e.proc.cmd.Process.Pid
	e.mu.Unlock()
	r.start = r.mem(b)
	return r
}

func (r *soakRun) exec(b *testing.B, code string) time.Duration {
	t0 := time.Now()
	res := r.e.Execute(context.Background(), kernel.ExecuteRequest{Code: code}, discard{})
	if res.Error != nil {
		b.Fatalf("%s: cell %q: %s: %s", r.name, code, res.Error.EName, res.Error.EValue)
	}
	return time.Since(t0)
}

// cell runs the next trivial cell of the chain.
func (r *soakRun) cell(b *testing.B) {
	i := len(r.lat) + 2
	r.lat = append(r.lat, r.exec(b, fmt.Sprintf("x%d := x%d + 1\nw%d := dl.Randn(8, 8)", i, i-1, i)))
}

func (r *soakRun) mem(b *testing.B) memUsage {
	u, err := workerMemory(r.pid)
	if err != nil {
		b.Fatal(err)
	}
	return u
}

func (r *soakRun) progress(b *testing.B) {
	u, n := r.mem(b), len(r.lat)
	fmt.Printf("%s: cells %4d  rss %s  (%+.3f MB/cell)  plugins %s  heap %s  p50 of the last %d %v\n", r.name, n,
		fmtMB(u.rss), float64(int64(u.rss)-int64(r.start.rss))/1e6/float64(n), fmtMB(u.class[memCells].rss),
		fmtMB(u.class[memHeap].rss), max(n/10, 1), p50(r.lat[n-max(n/10, 1):]).Round(time.Millisecond))
}

func (r *soakRun) report(b *testing.B) {
	end, n := r.mem(b), len(r.lat)
	perCell := float64(int64(end.rss)-int64(r.start.rss)) / 1e6 / float64(n)
	w := min(100, n)
	first, last := p50(r.lat[:w]), p50(r.lat[n-w:])
	fmt.Printf("soak %s: %d cells: worker rss %s -> %s, %.3f MB/cell; p50 first %d %v, last %d %v (%+.1f%%)\n",
		r.name, n, fmtMB(r.start.rss), fmtMB(end.rss), perCell, w, first.Round(time.Millisecond), w,
		last.Round(time.Millisecond), 100*(last.Seconds()/first.Seconds()-1))
	for c := range numMemClasses {
		fmt.Printf("  %-16s rss %s -> %s  dirty %s  mapped %s\n", c, fmtMB(r.start.class[c].rss), fmtMB(end.class[c].rss),
			fmtMB(end.class[c].privDirty), fmtMB(end.class[c].size))
	}
	b.ReportMetric(perCell, r.name+"-MB/cell")
	b.ReportMetric(first.Seconds(), r.name+"-p50-first-s")
	b.ReportMetric(last.Seconds(), r.name+"-p50-last-s")
}

// kernelHeap is this process's live Go heap after a collection.
func kernelHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func p50(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
