package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// writeIDX writes a gzipped IDX file of unsigned bytes by hand, so the
// reader is checked against the format, not against itself.
func writeIDX(t *testing.T, path string, shape []int, vals []byte) {
	var raw bytes.Buffer
	raw.Write([]byte{0, 0, 0x08, byte(len(shape))})
	for _, d := range shape {
		binary.Write(&raw, binary.BigEndian, uint32(d))
	}
	raw.Write(vals)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()
	if err := os.WriteFile(path, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadIDXGzip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x-idx3-ubyte.gz")
	writeIDX(t, p, []int{2, 3, 2}, []byte{0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255})
	x, err := ReadIDX(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x.Shape(), []int{2, 3, 2}) {
		t.Fatalf("shape %v", x.Shape())
	}
	want := []float32{0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255}
	if !slices.Equal(x.Data(), want) {
		t.Fatalf("data %v, want %v", x.Data(), want)
	}
	// A truncated file is an error, not a short tensor.
	writeIDX(t, p, []int{2, 3}, []byte{1, 2, 3})
	if _, err := ReadIDX(p); err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("truncated file: err = %v", err)
	}
}

func TestFashionMNISTFromTinyFiles(t *testing.T) {
	dir := t.TempDir()
	img := make([]byte, 3*28*28)
	img[28*28] = 255 // first pixel of the second image
	for _, p := range []string{"train", "t10k"} {
		writeIDX(t, filepath.Join(dir, p+"-images-idx3-ubyte.gz"), []int{3, 28, 28}, img)
		writeIDX(t, filepath.Join(dir, p+"-labels-idx1-ubyte.gz"), []int{3}, []byte{9, 0, 4})
	}
	train, test, err := FashionMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(train.X.Shape(), []int{3, 1, 28, 28}) || test.Len() != 3 {
		t.Fatalf("shapes %v %d", train.X.Shape(), test.Len())
	}
	if train.X.At(1, 0, 0, 0) != 1 || train.Y.Dtype() != dl.Int64 || !slices.Equal(train.Y.Ints(), []int{9, 0, 4}) {
		t.Fatalf("pixel %v labels %v", train.X.At(1, 0, 0, 0), train.Y.Data())
	}
	_, _, err = FashionMNIST(filepath.Join(dir, "nowhere"))
	if err == nil {
		t.Fatal("missing directory gave no error")
	}
}

func TestFashionMNISTSystemCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 30 MB")
	}
	train, test, err := FashionMNIST("")
	if _, statErr := os.Stat(DefaultFashionMNISTDir); statErr != nil {
		if err == nil || !strings.Contains(err.Error(), "dataset-fashion-mnist") {
			t.Fatalf("absent dataset: error %v should name the Debian package", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Fatalf("sizes %d %d", train.Len(), test.Len())
	}
}

func seq(n int) *TensorDataset {
	x := dl.Arange(0, float32(2*n), 1).Reshape(n, 2)
	y := dl.Arange(0, float32(n), 1)
	return NewTensorDataset(x, y)
}

func TestLoaderBatches(t *testing.T) {
	ds := seq(10)
	var sizes []int
	var ys []float32
	for xb, yb := range NewLoader(ds, 4).All() {
		sizes = append(sizes, xb.Size(0))
		ys = append(ys, yb.Data()...)
		for i := range xb.Size(0) {
			if xb.At(i, 0) != 2*yb.At(i) {
				t.Fatalf("row %d of batch: x %v does not belong to y %v", i, xb.At(i, 0), yb.At(i))
			}
		}
	}
	if !slices.Equal(sizes, []int{4, 4, 2}) || !slices.Equal(ys, dl.Arange(0, 10, 1).Data()) {
		t.Fatalf("sizes %v labels %v", sizes, ys)
	}
	l := NewLoader(ds, 4, DropLast(true))
	n := 0
	for range l.All() {
		n++
	}
	if n != 2 || l.Len() != 2 {
		t.Fatalf("drop last: %d batches, Len %d", n, l.Len())
	}
}

func TestLoaderShuffleSeed(t *testing.T) {
	ds := seq(20)
	pass := func(l *Loader) []float32 {
		var ys []float32
		for _, yb := range l.All() {
			ys = append(ys, yb.Data()...)
		}
		return ys
	}
	a, b := NewLoader(ds, 3, Shuffle(true), Seed(7)), NewLoader(ds, 3, Shuffle(true), Seed(7))
	a1, b1 := pass(a), pass(b)
	if !slices.Equal(a1, b1) {
		t.Fatal("same seed, different order")
	}
	if slices.Equal(a1, pass(a)) {
		t.Fatal("second pass has the same order as the first")
	}
	sorted := slices.Clone(a1)
	slices.Sort(sorted)
	if !slices.Equal(sorted, dl.Arange(0, 20, 1).Data()) || slices.Equal(a1, sorted) {
		t.Fatalf("shuffled pass is not a permutation or not shuffled: %v", a1)
	}
}

func TestGenerated(t *testing.T) {
	dl.Seed(1)
	s := Spirals(50, 3)
	if !slices.Equal(s.X.Shape(), []int{150, 2}) || s.Y.At(149) != 2 {
		t.Fatalf("spirals %v %v", s.X.Shape(), s.Y.At(149))
	}
	w := SineWaves(4, 10)
	if !slices.Equal(w.X.Shape(), []int{4, 10, 1}) || !slices.Equal(w.Y.Shape(), []int{4, 1}) {
		t.Fatalf("sine waves %v %v", w.X.Shape(), w.Y.Shape())
	}
}

// squares is a Dataset without Batch, so the Loader stacks Items.
type squares struct{ n int }

func (s squares) Len() int { return s.n }
func (s squares) Item(i int) (x, y *dl.Tensor) {
	return dl.FromSlice([]float32{float32(i), float32(i)}), dl.Scalar(float32(i * i))
}

func TestLoaderStacksItems(t *testing.T) {
	var ys []float32
	for xb, yb := range NewLoader(squares{5}, 2).All() {
		if xb.Dim() != 2 || xb.Size(1) != 2 || yb.Dim() != 1 {
			t.Fatalf("batch shapes %v %v", xb.Shape(), yb.Shape())
		}
		ys = append(ys, yb.Data()...)
	}
	if !slices.Equal(ys, []float32{0, 1, 4, 9, 16}) {
		t.Fatalf("labels %v", ys)
	}
	ds := seq(10)
	x, y := ds.Item(3)
	if !slices.Equal(x.Data(), []float32{6, 7}) || y.Item() != 3 || y.Dim() != 0 {
		t.Fatalf("Item(3) = %v %v", x.Data(), y.Shape())
	}
	a, b := ds.Split(0.8)
	if a.Len() != 8 || b.Len() != 2 {
		t.Fatalf("Split sizes %d %d", a.Len(), b.Len())
	}
	all := append(a.Y.Data(), b.Y.Data()...)
	slices.Sort(all)
	if !slices.Equal(all, dl.Arange(0, 10, 1).Data()) {
		t.Fatalf("Split parts do not partition the examples: %v %v", a.Y.Data(), b.Y.Data())
	}
	for i := range a.Len() {
		if a.X.At(i, 0) != 2*a.Y.At(i) {
			t.Fatal("Split separated an input from its target")
		}
	}
	s := Spirals(50, 3)
	_, val := s.Split(0.8)
	classes := map[float32]bool{}
	for _, c := range val.Y.Data() {
		classes[c] = true
	}
	if len(classes) != 3 {
		t.Fatalf("validation part of Spirals holds classes %v, want all three", classes)
	}
}

func TestLoaderOptions(t *testing.T) {
	ds := NewTensorDataset(dl.Arange(0, 10, 1).Reshape(10, 1), dl.Arange(0, 10, 1))
	l := NewLoader(ds, 3, Shuffle(true), DropLast(true), Seed(1))
	if !l.shuffle || !l.dropLast || l.rng == nil || l.Len() != 3 {
		t.Errorf("options not set: shuffle %v dropLast %v rng %v len %d", l.shuffle, l.dropLast, l.rng != nil, l.Len())
	}
	if l := NewLoader(ds, 3, Shuffle(true), Shuffle(false)); l.shuffle || l.Len() != 4 {
		t.Errorf("the later option wins: shuffle %v, len %d", l.shuffle, l.Len())
	}
	var zero LoaderOption
	if err := dl.Maybe(func() { NewLoader(ds, 3, zero) }); err == nil || err.Error() != "Loader: nil option" {
		t.Errorf("zero option: %v", err)
	}
}
