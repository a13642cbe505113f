package rewrite

import (
	"go/types"
	"sync"
)

// Locked makes imp safe for concurrent use (go/importer's importers are
// not): completion type-checks while cells do.
func Locked(imp types.ImporterFrom) types.ImporterFrom {
	return &lockedImporter{imp: imp}
}

type lockedImporter struct {
	mu  sync.Mutex
	imp types.ImporterFrom
}

func (im *lockedImporter) Import(path string) (*types.Package, error) {
	return im.ImportFrom(path, "", 0)
}

func (im *lockedImporter) ImportFrom(path, dir string, mode types.ImportMode) (*types.Package, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.imp.ImportFrom(path, dir, mode)
}
