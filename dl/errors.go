package dl

import "fmt"

// Error is the value every dl misuse panics with: a shape mismatch, an index
// out of range, a Backward on a non-scalar. Op names the operation, Msg says
// what was wrong, with the shapes involved.
type Error struct {
	Op  string
	Msg string
}

// Error formats as "Op: message", e.g.
// "MatMul: [10 5] x [3 2]: inner dimensions 5 and 3 differ".
func (e *Error) Error() string {
	if e.Op == "" {
		return e.Msg
	}
	return e.Op + ": " + e.Msg
}

// Panicf panics with a *Error for op with a formatted message. Packages built
// on dl (nn, optim, data) use it so that all misuse reads alike.
func Panicf(op, format string, args ...any) {
	panic(&Error{Op: op, Msg: fmt.Sprintf(format, args...)})
}

// Maybe runs f and returns the *Error it panicked with, or nil. Any other
// panic is not swallowed: it continues up the stack.
func Maybe(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}
