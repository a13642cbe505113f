package dl

import "fmt"

// String renders t like PyTorch's print.
func (t *Tensor) String() string { return fmt.Sprint(t.Data()) }
