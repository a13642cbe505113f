package engine

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/godl-dev/godl/kernel"
)

// BenchmarkCellSoak runs many trivial cells in one worker and reports the
// worker's resident memory per cell and the drift of the warm-cell
// latency. It takes minutes, so it runs only when GODL_SOAK_CELLS is set:
//
//	GODL_SOAK_CELLS=1000 go test ./kernel/engine -run '^$' -bench CellSoak -benchtime 1x
func BenchmarkCellSoak(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("GODL_SOAK_CELLS"))
	if n <= 0 {
		b.Skip("set GODL_SOAK_CELLS (e.g. 1000) to run the soak")
	}
	e, _ := New(Options{})
	defer e.Close()
	exec1 := func(code string) time.Duration {
		t0 := time.Now()
		res := e.Execute(context.Background(), kernel.ExecuteRequest{Code: code}, discard{})
		if res.Error != nil {
			b.Fatalf("cell %q: %s: %s", code, res.Error.EName, res.Error.EValue)
		}
		return time.Since(t0)
	}
	exec1("x0 := 0\nw0 := dl.Randn(8, 8)")
	exec1("x1 := x0 + 1\nw1 := dl.Randn(8, 8)")
	pid := e.proc.cmd.Process.Pid
	mem := func() memUsage {
		u, err := workerMemory(pid)
		if err != nil {
			b.Fatal(err)
		}
		return u
	}
	start := mem()
	var lat []time.Duration
	every := max(n/10, 1)
	for i := 2; i < n+2; i++ {
		lat = append(lat, exec1(fmt.Sprintf("x%d := x%d + 1\nw%d := dl.Randn(8, 8)", i, i-1, i)))
		if (i-1)%every == 0 {
			u := mem()
			fmt.Printf("cells %4d  rss %s  (+%.2f MB/cell)  plugins %s  heap %s  last p50 %v\n", i, fmtMB(u.rss),
				float64(u.rss-start.rss)/1e6/float64(i-1), fmtMB(u.class[memCells].rss), fmtMB(u.class[memHeap].rss),
				p50(lat[max(len(lat)-every, 0):]).Round(time.Millisecond))
		}
	}
	end := mem()
	perCell := float64(int64(end.rss)-int64(start.rss)) / 1e6 / float64(n)
	w := min(100, n)
	first, last := p50(lat[:w]), p50(lat[len(lat)-w:])
	maps, _ := readSmaps(pid)
	if f := os.Getenv("GODL_SOAK_SMAPS"); f != "" {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
		os.WriteFile(f, data, 0o644)
	}
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	fmt.Printf("soak: %d cells: worker rss %s -> %s, %.3f MB/cell; p50 first %d %v, last %d %v (%+.1f%%)\n",
		n, fmtMB(start.rss), fmtMB(end.rss), perCell, w, first.Round(time.Millisecond), w, last.Round(time.Millisecond),
		100*(last.Seconds()/first.Seconds()-1))
	for c := range numMemClasses {
		fmt.Printf("  %-16s rss %s -> %s  dirty %s  mapped %s\n", c, fmtMB(start.class[c].rss), fmtMB(end.class[c].rss),
			fmtMB(end.class[c].privDirty), fmtMB(end.class[c].size))
	}
	fmt.Printf("  plugins by perms: %s\n", byPerms(maps, exe))
	b.ReportMetric(perCell, "MB/cell")
	b.ReportMetric(first.Seconds(), "p50-first-s")
	b.ReportMetric(last.Seconds(), "p50-last-s")
}

func p50(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
