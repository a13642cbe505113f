package engine

import (
	"context"

	"github.com/godl-dev/godl/kernel"
)

func (e *Engine) magic(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) (kernel.ExecuteResult, bool) {
	return kernel.ExecuteResult{}, false
}
