package kernel

import "errors"

// Run serves the Jupyter protocol described by connectionFile until shutdown.
func Run(connectionFile string, eng Engine) error { return errors.New("kernel: not implemented yet") }
