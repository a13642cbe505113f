package dl

// Empty returns a tensor of the given shape whose elements are arbitrary
// (torch.empty): for code that writes every element, where clearing first
// would be a wasted pass over memory.
func Empty(shape ...int) *Tensor { return newTensorRaw(shape) }
