package engine

import "github.com/godl-dev/godl/kernel"

func (e *Engine) Complete(code string, cursor int) kernel.Completion { return kernel.Completion{} }
func (e *Engine) Inspect(code string, cursor, detail int) kernel.Inspection {
	return kernel.Inspection{}
}
