package kernels

import (
	"fmt"
	"sync/atomic"
	"testing"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	defer SetThreads(0)
	for _, threads := range []int{1, 2, 4, 16} {
		SetThreads(threads)
		for _, c := range []struct{ n, grain int }{{0, 4}, {1, 4}, {7, 4}, {8, 4}, {1000, 7}, {1 << 16, 1000}} {
			hits := make([]atomic.Int32, c.n)
			For(c.n, c.grain, func(lo, hi int) {
				if lo >= hi || lo < 0 || hi > c.n {
					t.Errorf("threads=%d n=%d: bad range [%d, %d)", threads, c.n, lo, hi)
				}
				for i := lo; i < hi; i++ {
					hits[i].Add(1)
				}
			})
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("threads=%d n=%d grain=%d: index %d run %d times", threads, c.n, c.grain, i, h)
				}
			}
		}
	}
}

func TestForChunksFixedWhateverTheThreads(t *testing.T) {
	defer SetThreads(0)
	const n, grain = 1003, 10
	var want []string
	for _, threads := range []int{1, 2, 3, 8} {
		SetThreads(threads)
		got := make([]string, NumChunks(n, grain))
		ForChunks(n, grain, func(c, lo, hi int) { got[c] = fmt.Sprint(lo, hi) })
		if want == nil {
			want = got
			if len(want) != 101 || want[100] != "1000 1003" {
				t.Fatalf("chunks %d, last %q", len(want), want[len(want)-1])
			}
			continue
		}
		for c := range want {
			if got[c] != want[c] {
				t.Fatalf("threads=%d chunk %d: %q, with one thread %q", threads, c, got[c], want[c])
			}
		}
	}
}

func TestForPanicReachesTheCaller(t *testing.T) {
	defer SetThreads(0)
	SetThreads(4)
	for range 50 {
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Fatalf("recovered %v, want boom", r)
				}
			}()
			For(4096, 16, func(lo, hi int) {
				if lo <= 2048 && 2048 < hi {
					panic("boom")
				}
			})
			t.Fatal("For returned without the panic")
		}()
	}
}
