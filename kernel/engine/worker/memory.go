package worker

import (
	"runtime"

	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

var pluginsLoaded int // cell plugins opened; a plugin cannot be unloaded

func memStats() *wp.MemStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return &wp.MemStats{HeapInuse: m.HeapInuse, HeapIdle: m.HeapIdle, HeapReleased: m.HeapReleased,
		StackInuse: m.StackInuse, GoSys: m.Sys, NumGC: m.NumGC, Goroutines: runtime.NumGoroutine(), Plugins: pluginsLoaded}
}
