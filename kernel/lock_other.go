//go:build !unix

package kernel

// lockFile is a no-op where flock is missing: kernels started at the same
// moment may then share a session number.
func lockFile(path string) (unlock func(), err error) { return func() {}, nil }
