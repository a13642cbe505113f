package display

import (
	"fmt"
	"reflect"
)

// Track wraps any iterator — an iter.Seq or iter.Seq2, such as a
// loader's All() — in the progress bar of Progress, counting the elements
// as the loop takes them:
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
// Track works for every element type by wrapping the loop's yield
// function with reflection, which costs a few hundred nanoseconds per
// element (about 6× a Progress step): nothing next to a batch of
// training, but Progress suits a tight counting loop better.
func Track[S ~func(Y), Y any](seq S, n int, label string) S {
	yt := reflect.TypeFor[Y]()
	if yt.Kind() != reflect.Func || yt.NumIn() < 1 || yt.NumIn() > 2 || yt.NumOut() != 1 || yt.Out(0).Kind() != reflect.Bool {
		panic(fmt.Errorf("display: Track wants an iter.Seq or iter.Seq2, got %T", seq))
	}
	return func(yield Y) {
		p := newProgressBar(n, n > 0, label)
		defer func() {
			p.ended.Store(true)
			p.l.finish()
		}()
		inner := reflect.ValueOf(yield)
		counted := reflect.MakeFunc(yt, func(args []reflect.Value) []reflect.Value {
			more := inner.Call(args)
			if more[0].Bool() { // as Progress: a step the loop broke out of is not done
				p.done.Add(1)
				p.l.update()
			}
			return more
		})
		seq(counted.Interface().(Y))
	}
}
