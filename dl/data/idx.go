package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/godl-dev/godl/dl"
)

// ReadIDX reads a file in the IDX format of MNIST and Fashion-MNIST
// (gzip-compressed or not: the gzip magic decides) into a float32 tensor
// holding the raw values, with the file's dimensions as its shape.
func ReadIDX(path string) (*dl.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := DecodeIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// DecodeIDX reads IDX data (gzipped or not) from r.
func DecodeIDX(r io.Reader) (*dl.Tensor, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, fmt.Errorf("IDX header: %w", noEOF(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("not an IDX file: magic %x", head)
	}
	size, ok := map[byte]int{0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}[head[2]]
	if !ok {
		return nil, fmt.Errorf("IDX element type 0x%02x is unknown", head[2])
	}
	ndim := int(head[3])
	shape := make([]int, ndim)
	n := 1
	for i := range shape {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("IDX dimensions: %w", noEOF(err))
		}
		shape[i] = int(d)
		n *= int(d)
	}
	if n > 1<<31 {
		return nil, fmt.Errorf("IDX shape %v is too large", shape)
	}
	raw := make([]byte, n*size)
	if _, err := io.ReadFull(br, raw); err != nil {
		return nil, fmt.Errorf("IDX data for shape %v: %w", shape, noEOF(err))
	}
	t := dl.Zeros(shape...)
	out := t.RawData()
	for i := range out {
		b := raw[i*size : (i+1)*size]
		switch head[2] {
		case 0x08:
			out[i] = float32(b[0])
		case 0x09:
			out[i] = float32(int8(b[0]))
		case 0x0B:
			out[i] = float32(int16(binary.BigEndian.Uint16(b)))
		case 0x0C:
			out[i] = float32(int32(binary.BigEndian.Uint32(b)))
		case 0x0D:
			out[i] = math.Float32frombits(binary.BigEndian.Uint32(b))
		case 0x0E:
			out[i] = float32(math.Float64frombits(binary.BigEndian.Uint64(b)))
		}
	}
	return t, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// DefaultFashionMNISTDir is where Debian's dataset-fashion-mnist package
// installs the files.
const DefaultFashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTClasses names the ten labels in order.
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// FashionMNIST loads the training (60000) and test (10000) sets from dir
// ("" means DefaultFashionMNISTDir). Images are [N 1 28 28] scaled to
// [0, 1] like torchvision's ToTensor; labels are [N] Int64 class indices,
// as torchvision's.
func FashionMNIST(dir string) (train, test *TensorDataset, err error) {
	if dir == "" {
		dir = DefaultFashionMNISTDir
	}
	if _, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz")); err != nil {
		if dir == DefaultFashionMNISTDir {
			return nil, nil, fmt.Errorf("Fashion-MNIST not found in %s: install the Debian package dataset-fashion-mnist (apt install dataset-fashion-mnist) or pass the directory holding the *-ubyte.gz files", dir)
		}
		return nil, nil, fmt.Errorf("Fashion-MNIST not found: %w", err)
	}
	load := func(prefix string) (*TensorDataset, error) {
		x, err := ReadIDX(filepath.Join(dir, prefix+"-images-idx3-ubyte.gz"))
		if err != nil {
			return nil, err
		}
		y, err := ReadIDX(filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz"))
		if err != nil {
			return nil, err
		}
		s := x.Shape()
		if len(s) != 3 || y.Dim() != 1 || s[0] != y.Size(0) {
			return nil, fmt.Errorf("Fashion-MNIST %s: images %v and labels %v do not match", prefix, s, y.Shape())
		}
		px := x.RawData()
		for i := range px {
			px[i] /= 255
		}
		return &TensorDataset{X: x.Reshape(s[0], 1, s[1], s[2]), Y: y.To(dl.Int64)}, nil
	}
	if train, err = load("train"); err != nil {
		return nil, nil, err
	}
	if test, err = load("t10k"); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}
