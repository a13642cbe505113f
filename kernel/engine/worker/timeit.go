package worker

import (
	"fmt"
	"time"

	"github.com/godl-dev/godl/kernel/engine/rt"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// timeitMin is the shortest a run may take when the number of calls is
// chosen: IPython tries 1, 10, 100, ... calls until they take 0.2 s.
const timeitMin = 0.2

// timeitRepeat is IPython's default number of runs.
const timeitRepeat = 7

// timeCellValue times the cell's value, a func(), as IPython's %timeit
// does: Number calls per run (chosen when 0), Repeat runs. The loop stops
// on an interrupt.
func timeCellValue(spec wp.Timeit) *wp.Timing {
	v, _ := rt.TakeResult()
	f, ok := v.(func())
	if !ok {
		panic(fmt.Errorf("%%timeit: the statement must be a func(), got %T", v))
	}
	runOnce := func(n int) float64 {
		t0 := time.Now()
		for range n {
			f()
		}
		d := time.Since(t0).Seconds()
		rt.Check()
		return d
	}
	number := spec.Number
	if number <= 0 {
		number = 1
		for i := 0; i < 9 && runOnce(number) < timeitMin; i++ {
			number *= 10
		}
	}
	repeat := spec.Repeat
	if repeat <= 0 {
		repeat = timeitRepeat
	}
	runs := make([]float64, repeat)
	for i := range runs {
		runs[i] = runOnce(number)
	}
	return &wp.Timing{Number: number, Runs: runs}
}
