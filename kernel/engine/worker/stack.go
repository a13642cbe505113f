package worker

// A goroutine's stack is copied when it grows or shrinks, and the runtime
// then walks every frame on it. With the worker and the cells linked
// against Go shared libraries (shared mode), that walk crashes the process
// (SIGSEGV in runtime.adjustframe) when a reflect.MakeFunc frame is on the
// stack — display.Track wraps a loop's yield that way, so a training loop
// under Track whose body needed more stack killed the worker. Cells and
// callbacks therefore start on a stack grown once, up front, to
// cellStackBytes, before any such frame exists, and the engine starts the
// worker with GODEBUG=gcshrinkstackoff=1 so that no collection shrinks it
// back (TestMakeFuncFramesSurviveStackGrowth).
const cellStackBytes = 8 << 20

// growStack grows the calling goroutine's stack to at least cellStackBytes:
// it recurses through frames of stackFrameBytes (a local array larger than
// 128 KB would be moved to the heap).
func growStack() { growBy(cellStackBytes / stackFrameBytes) }

const stackFrameBytes = 96 << 10

// stackIndex is a variable so that the compiler cannot see which bytes
// growBy uses, and keeps every frame.
var stackIndex int

//go:noinline
func growBy(n int) byte {
	var pad [stackFrameBytes]byte
	pad[stackIndex] = byte(n)
	if n > 1 {
		pad[stackIndex+1] = growBy(n - 1)
	}
	return pad[stackIndex] + pad[stackIndex+1]
}
