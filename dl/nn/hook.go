package nn

import "github.com/godl-dev/godl/dl"

// forwardHook is the hook installed by WithForwardHook; nil almost always,
// so the check in each Forward costs a load and a branch.
var forwardHook func(m Module, in, out *dl.Tensor)

// WithForwardHook runs fn with hook called after the Forward of every
// built-in layer (and Sequential) with the layer, its input and its output.
// display.Summary uses it to learn output shapes. Hooks do not nest: the
// inner one replaces the outer while its fn runs. Not safe for concurrent
// forward passes in other goroutines.
func WithForwardHook(hook func(m Module, in, out *dl.Tensor), fn func()) {
	prev := forwardHook
	forwardHook = hook
	defer func() { forwardHook = prev }()
	fn()
}

// hooked reports out to the hook, if any, and returns it.
func hooked(m Module, in, out *dl.Tensor) *dl.Tensor {
	if forwardHook != nil {
		forwardHook(m, in, out)
	}
	return out
}
