// Package engine runs notebook cells as compiled Go plugins in a worker process.
package engine

import (
	"context"
	"errors"

	"github.com/godl-dev/godl/kernel"
)

// Options configure an Engine.
type Options struct{}

// Engine implements kernel.Engine.
type Engine struct{}

var _ kernel.Engine = (*Engine)(nil)

// New starts an engine.
func New(opts Options) (*Engine, error) { return &Engine{}, nil }

func (e *Engine) Execute(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) kernel.ExecuteResult {
	return kernel.ExecuteResult{Error: &kernel.CellError{EName: "NotImplemented", EValue: "engine not implemented yet", Traceback: []string{"engine not implemented yet"}}}
}
func (e *Engine) Complete(code string, cursor int) kernel.Completion { return kernel.Completion{} }
func (e *Engine) Inspect(code string, cursor, detail int) kernel.Inspection {
	return kernel.Inspection{}
}
func (e *Engine) Interrupt()   {}
func (e *Engine) Close() error { return errors.New("not implemented") }
