// Package option is godl's one way of writing typed functional options
// (nn.Padding(1), optim.LR(0.1), data.Shuffle(true), display.Bins(20)).
//
// An Option is a named setter of a constructor's configuration C. A
// constructor starts from its defaults and either applies every option it
// is given (Set: all of the package's options apply) or only those it
// takes (Apply), refusing the first other one by name, so that an option
// given to the wrong constructor is an error rather than silently
// ignored. Options apply in the order given; a later one wins.
//
// The package knows nothing of tensors: each package turns a refusal into
// its own error (nn, optim: a *dl.Error naming the constructor).
package option

import (
	"fmt"
	"slices"
)

// Option sets one named part of a configuration C. Make one with New; the
// zero Option is refused by Set and Apply.
type Option[C any] struct {
	name string
	set  func(*C)
}

// New returns the option called name (its exported spelling, "Padding"),
// which sets what it configures with set.
func New[C any](name string, set func(*C)) Option[C] {
	return Option[C]{name: name, set: set}
}

// Name returns o's name, "" for the zero Option.
//
// A function, not a method: Option has no methods so that its
// instantiations (nn.Option, display.PlotOption, ...) have no method table.
// A cell plugin linked against the worker's shared libraries re-emits the
// type descriptor of every generic instantiation it uses, and the Go linker
// cannot point such a descriptor's method table into a shared library
// ("cannot target DYNIMPORT sym in section-relative reloc").
func Name[C any](o Option[C]) string { return o.name }

// Refused is the error for an option a constructor does not take.
type Refused struct {
	Op     string   // the constructor ("Linear")
	Option string   // the option given ("Padding"); "" for a zero Option
	Takes  []string // the options Op takes
}

// Error reads "option Padding does not apply to Linear (it takes [NoBias])".
func (e *Refused) Error() string {
	if e.Option == "" {
		return "nil option"
	}
	return fmt.Sprintf("option %s does not apply to %s (it takes %v)", e.Option, e.Op, e.Takes)
}

// Apply runs opts over c in order, then checks each was one op takes. It
// returns a *Refused naming the first that was not (all options run first,
// so an option that checks its own arguments while it runs reports that
// before a refusal does).
func Apply[C any](op string, c *C, takes []string, opts []Option[C]) error {
	for _, o := range opts {
		if o.set == nil {
			return &Refused{Op: op, Takes: slices.Clone(takes)}
		}
		o.set(c)
	}
	for _, o := range opts {
		if !slices.Contains(takes, o.name) {
			// A copy, so that takes and opts do not escape: constructors
			// keep them on the stack.
			return &Refused{Op: op, Option: o.name, Takes: slices.Clone(takes)}
		}
	}
	return nil
}

// Set runs opts over c in order, for constructors that take every option
// of their kind. A zero Option is refused.
func Set[C any](op string, c *C, opts []Option[C]) error {
	for _, o := range opts {
		if o.set == nil {
			return &Refused{Op: op}
		}
		o.set(c)
	}
	return nil
}
