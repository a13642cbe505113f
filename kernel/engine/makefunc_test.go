package engine

import "testing"

// TestMakeFuncFramesSurviveStackGrowth: a loop under display.Track (whose
// yield is a reflect.MakeFunc) and a cell's own MakeFunc whose body needs
// a deeper stack: in shared mode a stack copy with such a frame on it
// killed the worker (see worker/stack.go).
func TestMakeFuncFramesSurviveStackGrowth(t *testing.T) {
	e := sharedEngine(t)
	ok(t, e, `func deep(n int) int {
	var pad [512]byte
	pad[n%512] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%512])
}`)
	r := ok(t, e, `mf := reflect.MakeFunc(reflect.TypeFor[func(int) int](), func(a []reflect.Value) []reflect.Value {
	return []reflect.Value{reflect.ValueOf(deep(int(a[0].Int())))}
}).Interface().(func(int) int)
fmt.Println(mf(2000))`)
	if got := r.out.stdout.String(); got == "" {
		t.Errorf("the MakeFunc cell printed nothing")
	}
	for range 3 {
		ok(t, e, `tracked := 0
for v := range display.Track(slices.Values([]int{1, 2, 3, 4, 5, 6, 7, 8}), 8, "x") {
	tracked += deep(250 * v)
}
runtime.GC()
fmt.Println(tracked)`)
	}
}
