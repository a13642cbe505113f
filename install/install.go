// Package install writes godl's Jupyter kernelspec.
package install

import "errors"

// Main runs `godl install`.
func Main(args []string) error { return errors.New("install: not implemented yet") }
