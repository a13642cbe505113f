package worker

import "runtime"

// MemStats is the worker's own view of its memory, for %memory; the
// engine adds the resident pages by mapping from /proc.
type MemStats struct {
	HeapInuse    uint64 // bytes in heap spans holding objects
	HeapIdle     uint64 // heap bytes held but free
	HeapReleased uint64 // of HeapIdle, given back to the OS
	StackInuse   uint64
	GoSys        uint64 // everything the Go runtime obtained from the OS
	NumGC        uint32
	Goroutines   int
	Plugins      int // cell plugins loaded (a plugin cannot be unloaded)
}

var pluginsLoaded int

func memStats() *MemStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return &MemStats{HeapInuse: m.HeapInuse, HeapIdle: m.HeapIdle, HeapReleased: m.HeapReleased,
		StackInuse: m.StackInuse, GoSys: m.Sys, NumGC: m.NumGC, Goroutines: runtime.NumGoroutine(), Plugins: pluginsLoaded}
}
