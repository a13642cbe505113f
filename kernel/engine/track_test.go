package engine

import "testing"

// TestTrackLoopSurvivesGC: a loop under display.Track whose body grows the
// stack and runs the collector. In shared mode a reflect.MakeFunc frame on
// the stack (Track used one to wrap yield) crashed the worker when the
// collector scanned or copied that stack.
func TestTrackLoopSurvivesGC(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, `func deepSum(n int) int {
	var pad [512]byte
	pad[n%512] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return deepSum(n-1) + int(pad[n%512])
}`)
	for _, code := range []string{
		`for v := range display.Track(slices.Values([]int{1, 2, 3, 4}), 4, "x") {
	_ = deepSum(500 * v)
	runtime.GC()
}`,
		`for xb, yb := range display.Track(data.NewLoader(data.NewTensorDataset(dl.Randn(8, 2), dl.Randn(8)), 2).All(), 4, "batch") {
	_ = deepSum(2000) + xb.Size(0) + yb.Size(0)
	runtime.GC()
}`,
	} {
		ok(t, e, code)
	}
}
