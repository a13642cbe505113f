package storage

import (
	"runtime"
	"testing"
	"time"
)

func TestClassLen(t *testing.T) {
	for _, c := range []struct{ n, want int }{
		{1, 1}, {1024, 1024}, {1025, 1280}, {1280, 1280}, {1281, 1536}, {2048, 2048}, {2049, 2560}, {7000, 7168},
	} {
		if got := ClassLen(c.n); got != c.want {
			t.Errorf("ClassLen(%d) = %d, want %d", c.n, got, c.want)
		}
		if got := ClassLen(c.want); got != c.want {
			t.Errorf("ClassLen(%d) = %d: a class length must map to itself", c.want, got)
		}
	}
}

func TestPutThenGetReuses(t *testing.T) {
	SetPooling(true)
	b := Get(5000, nil)
	if len(b) != 5000 || cap(b) != ClassLen(5000) {
		t.Fatalf("len %d cap %d", len(b), cap(b))
	}
	Put(b)
	c := Get(4900, nil) // same class
	if &c[0] != &b[0] {
		t.Fatal("a buffer given back was not reused for its class")
	}
	z := GetZeroed(4900, nil)
	for i, v := range z {
		if v != 0 {
			t.Fatalf("GetZeroed: element %d is %v", i, v)
		}
	}
	Put(c)
	Put(z)
}

// A Put of something Get did not hand out, or a second Put of the same
// buffer, must not put it in the pool: the pool would hand it out while
// its owner still uses it.
func TestPutIgnoresForeignAndRepeated(t *testing.T) {
	SetPooling(true)
	foreign := make([]float32, 2048)
	Put(foreign)
	b := Get(2048, nil)
	if &b[0] == &foreign[0] {
		t.Fatal("a plain allocation given to Put was handed out")
	}
	Put(b)
	Put(b)
	x, y := Get(2048, nil), Get(2048, nil)
	if &x[0] == &y[0] {
		t.Fatal("a buffer put twice was handed out twice")
	}
	whole := Get(4096, nil)
	Put(whole[1024:]) // a slice of a buffer: not a buffer
	if s := Get(3072, nil); cap(s) == 3072 && &s[0] == &whole[1024] {
		t.Fatal("the tail of a live buffer was handed out")
	}
}

// waitRecycled collects garbage until the finalizers brought more than
// before buffers back, or a second passed.
func waitRecycled(before uint64) bool {
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
		if ReadStats().Recycled > before {
			return true
		}
	}
	return false
}

func TestUnreachableBuffersComeBack(t *testing.T) {
	SetPooling(true)
	before := ReadStats().Recycled
	for range 10 {
		b := Get(3000, nil)
		b[0] = 1
	}
	if !waitRecycled(before) {
		t.Fatal("no dropped buffer came back to the pool")
	}
}

// TestHeldBuffersAreNeverRecycled keeps a sub-slice of one buffer (as a
// RawData slice or a view would) and checks, across collections and many
// allocations of its class, that nobody else is handed its memory.
func TestHeldBuffersAreNeverRecycled(t *testing.T) {
	SetPooling(true)
	held := Get(3000, nil)[100:200]
	for i := range held {
		held[i] = 7
	}
	before := ReadStats().Recycled
	for round := range 5 {
		var bs [][]float32
		for range 20 {
			b := Get(3000, nil)
			for i := range b {
				b[i] = -1
			}
			if round%2 == 0 {
				bs = append(bs, b)
			}
		}
		for _, b := range bs {
			Put(b)
		}
		waitRecycled(before)
	}
	for i, v := range held {
		if v != 7 {
			t.Fatalf("held element %d changed to %v: its buffer was recycled while in use", i, v)
		}
	}
	runtime.KeepAlive(held)
}

func TestPoolingOff(t *testing.T) {
	SetPooling(false)
	defer SetPooling(true)
	b := Get(5000, nil)
	Put(b)
	if c := Get(5000, nil); &c[0] == &b[0] {
		t.Fatal("pooling off, yet a buffer was reused")
	}
	if s := ReadStats(); s.IdleBytes != 0 {
		t.Fatalf("pooling off, yet %d bytes idle", s.IdleBytes)
	}
}
