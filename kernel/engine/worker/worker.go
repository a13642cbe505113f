// Package worker is the process that loads and runs cell plugins.
package worker

import "errors"

// Main runs `godl worker`.
func Main(args []string) error { return errors.New("worker: not implemented yet") }
