package display

import (
	"fmt"
	"reflect"

	"github.com/godl-dev/godl/dl"
)

// Track wraps an iterator — an iter.Seq or iter.Seq2, such as a loader's
// All() — in the progress bar of Progress, counting the elements as the
// loop takes them:
//
//	for xb, yb := range display.Track(loader.All(), loader.Len(), "batch") { ... }
//	for line := range display.Track(slices.Values(lines), len(lines), "line") { ... }
//
// n is the number of elements the sequence will yield; with n ≤ 0 the
// length is taken as unknown and the bar shows the count and the rate
// only. The bar behaves as Progress's: it appears after 100 ms or when
// the loop ends, is throttled, and shows where the loop stopped when it
// breaks or panics.
//
// Elements are counted for the sequences notebooks range over (see
// countingYield: ints, floats, strings, bools, tensors, any, and pairs of
// those keyed by int or string); other element types run under a bar of
// unknown length that does not advance (it shows the time taken, and a
// count of 0). (Counting any type would need
// reflect.MakeFunc, whose frames crash the notebook worker's shared-library
// build when the garbage collector scans them.)
func Track[S ~func(Y), Y any](seq S, n int, label string) S {
	yt := reflect.TypeFor[Y]()
	if yt.Kind() != reflect.Func || yt.NumIn() < 1 || yt.NumIn() > 2 || yt.NumOut() != 1 || yt.Out(0).Kind() != reflect.Bool {
		panic(fmt.Errorf("display: Track wants an iter.Seq or iter.Seq2, got %T", seq))
	}
	return func(yield Y) {
		var p *progressBar
		counted, ok := countingYield(yield, func(more bool) bool {
			if more { // as Progress: a step the loop broke out of is not done
				p.done.Add(1)
				p.l.update()
			}
			return more
		})
		// An element type not counted: the bar of an unknown length.
		p = newProgressBar(n, ok && n > 0, label)
		defer func() {
			p.ended.Store(true)
			p.l.finish()
		}()
		seq(counted)
	}
}

// countingYield returns yield wrapped so that step sees each of its
// results, and true, for the yield functions of the sequences notebooks
// range over; for any other it returns yield itself and false.
func countingYield[Y any](yield Y, step func(bool) bool) (Y, bool) {
	var w any
	switch y := any(yield).(type) {
	case func(int) bool:
		w = count1(y, step)
	case func(int64) bool:
		w = count1(y, step)
	case func(float32) bool:
		w = count1(y, step)
	case func(float64) bool:
		w = count1(y, step)
	case func(string) bool:
		w = count1(y, step)
	case func(bool) bool:
		w = count1(y, step)
	case func(any) bool:
		w = count1(y, step)
	case func(*dl.Tensor) bool:
		w = count1(y, step)
	case func(int, int) bool:
		w = count2(y, step)
	case func(int, int64) bool:
		w = count2(y, step)
	case func(int, float32) bool:
		w = count2(y, step)
	case func(int, float64) bool:
		w = count2(y, step)
	case func(int, string) bool:
		w = count2(y, step)
	case func(int, bool) bool:
		w = count2(y, step)
	case func(int, any) bool:
		w = count2(y, step)
	case func(int, *dl.Tensor) bool:
		w = count2(y, step)
	case func(string, int) bool:
		w = count2(y, step)
	case func(string, float64) bool:
		w = count2(y, step)
	case func(string, string) bool:
		w = count2(y, step)
	case func(string, any) bool:
		w = count2(y, step)
	case func(string, *dl.Tensor) bool:
		w = count2(y, step)
	case func(*dl.Tensor, *dl.Tensor) bool:
		w = count2(y, step)
	default:
		return yield, false
	}
	return w.(Y), true
}

func count1[A any](yield func(A) bool, step func(bool) bool) func(A) bool {
	return func(a A) bool { return step(yield(a)) }
}

func count2[A, B any](yield func(A, B) bool, step func(bool) bool) func(A, B) bool {
	return func(a A, b B) bool { return step(yield(a, b)) }
}
