package nn

import (
	"testing"

	"github.com/godl-dev/godl/dl"
)

func TestEmbeddingTakesInt64Ids(t *testing.T) {
	e := NewEmbedding(5, 2)
	a := e.Forward(dl.From([][]int{{4, 0}, {1, 4}}))
	b := e.Forward(dl.FromSlice([]float32{4, 0, 1, 4}, 2, 2))
	if !dl.AllClose(a, b, 0, 0) || !slicesEqual(a.Shape(), []int{2, 2, 2}) {
		t.Fatalf("Int64 ids %v, float ids %v", a, b)
	}
	if err := dl.Maybe(func() { e.Forward(dl.From([]int{5})) }); err == nil {
		t.Error("an id past the table must be refused")
	}
}
