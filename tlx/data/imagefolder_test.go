package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTestImage writes a w×h colour image with seeded random content
// (smooth gradients plus noise, so that crops and flips change it) as PNG
// or JPEG, by the file's extension.
func writeTestImage(t *testing.T, path string, w, h int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	a, b := rng.IntN(200), rng.IntN(200)
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(a + 55*x/w), uint8(b + 55*y/h), uint8(rng.IntN(256)), 255})
		}
	}
	var buf bytes.Buffer
	var err error
	if strings.HasSuffix(path, ".png") {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testFolder makes dir/{train,val,test}/{cats,dogs}/ with n images per
// class in train (2 in val and test), alternating JPEG and PNG, of size
// w×h (odd images 3 pixels wider: the folder's sizes differ).
func testFolder(t *testing.T, n, w, h int) string {
	t.Helper()
	dir := t.TempDir()
	seed := uint64(1)
	for _, split := range []string{"train", "val", "test"} {
		for _, class := range []string{"dogs", "cats"} {
			count := n
			if split != "train" {
				count = 2
			}
			for i := range count {
				ext := ".jpg"
				if i%2 == 1 {
					ext = ".png"
				}
				writeTestImage(t, filepath.Join(dir, split, class, fmt.Sprintf("%s%d%s", class, i, ext)), w+3*(i%2), h, seed)
				seed++
			}
		}
	}
	return dir
}

func allIndices(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func batchOf(t *testing.T, d *Dataset, rng *rand.Rand) []float32 {
	t.Helper()
	out := make([]float32, d.Len()*d.Size())
	if err := d.Batch(out, allIndices(d.Len()), rng); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenImageFolderSplits(t *testing.T) {
	dir := testFolder(t, 3, 20, 16)
	os.WriteFile(filepath.Join(dir, "train", "cats", "notes.txt"), []byte("not an image"), 0o644)
	f, err := OpenImageFolder(dir, ImageFolderOptions{Shape: []int{12, 10, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Classes, []string{"cats", "dogs"}) {
		t.Errorf("classes %v, want sorted [cats dogs]", f.Classes)
	}
	for _, c := range []struct {
		d    *Dataset
		n    int
		name string
	}{{f.Train, 6, "train"}, {f.Val, 4, "val"}, {f.Test, 4, "test"}} {
		if c.d == nil || c.d.Len() != c.n || !c.d.Lazy() || !slices.Equal(c.d.Shape, []int{12, 10, 3}) || !slices.Equal(c.d.Classes, f.Classes) {
			t.Fatalf("%s split: %v", c.name, c.d)
		}
		if err := c.d.Check(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		for i := range c.d.Len() {
			class := filepath.Base(filepath.Dir(c.d.Path(i)))
			if f.Classes[c.d.Y[i]] != class || !strings.Contains(c.d.Path(i), string(filepath.Separator)+c.name+string(filepath.Separator)) {
				t.Errorf("%s example %d: label %d for %s", c.name, i, c.d.Y[i], c.d.Path(i))
			}
		}
	}
	if len(f.Train.X) != 0 || f.Bytes == 0 {
		t.Errorf("a lazy split holds %d float values and %d compressed bytes", len(f.Train.X), f.Bytes)
	}
	// Split and Subset keep the images compressed and the labels with them.
	tr, va := f.Train.Split(0.5, 1)
	if !tr.Lazy() || !va.Lazy() || !slices.Equal(tr.Counts(), []int{1, 1}) || !slices.Equal(va.Counts(), []int{2, 2}) {
		t.Errorf("split of a lazy set: %v / %v, counts %v / %v", tr, va, tr.Counts(), va.Counts())
	}
	for i := range va.Len() {
		if f.Classes[va.Y[i]] != filepath.Base(filepath.Dir(va.Path(i))) {
			t.Errorf("after Split, example %d has label %d for %s", i, va.Y[i], va.Path(i))
		}
	}
	// A folder of class folders without train/ is the training split.
	g, err := OpenImageFolder(filepath.Join(dir, "val"), ImageFolderOptions{Shape: []int{12, 10, 3}})
	if err != nil || g.Train.Len() != 4 || g.Val != nil {
		t.Errorf("a folder without train/: %v, %v", g, err)
	}
}

func TestOpenImageFolderClassMismatch(t *testing.T) {
	dir := testFolder(t, 2, 8, 8)
	if err := os.RemoveAll(filepath.Join(dir, "val", "dogs")); err != nil {
		t.Fatal(err)
	}
	_, err := OpenImageFolder(dir, ImageFolderOptions{Shape: []int{8, 8, 3}})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "val")) || !strings.Contains(err.Error(), `"dogs"`) {
		t.Errorf("val without dogs: error %v, want one naming %s and the class", err, filepath.Join(dir, "val"))
	}
	os.MkdirAll(filepath.Join(dir, "val", "dogs"), 0o755)
	os.MkdirAll(filepath.Join(dir, "test", "birds"), 0o755)
	_, err = OpenImageFolder(dir, ImageFolderOptions{Shape: []int{8, 8, 3}})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "test")) || !strings.Contains(err.Error(), `"birds"`) {
		t.Errorf("test with an extra class: error %v", err)
	}
	os.RemoveAll(filepath.Join(dir, "test", "birds"))
	os.MkdirAll(filepath.Join(dir, "train", "birds"), 0o755)
	_, err = OpenImageFolder(dir, ImageFolderOptions{Shape: []int{8, 8, 3}})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "train", "birds")) {
		t.Errorf("an empty training class: error %v, want one naming its folder", err)
	}
	if _, err := OpenImageFolder(dir, ImageFolderOptions{Shape: []int{8, 8}}); err == nil || !strings.Contains(err.Error(), "Shape") {
		t.Errorf("a shape without channels: error %v", err)
	}
}

// The lazy path computes what the eager one (LoadImage, as ImageFolder
// and Predict read a file) gives, rounded to 8 bits as Predict hands
// pixels to the preprocessing; Materialize and Example agree with Batch.
func TestLazyDecodeEqualsEager(t *testing.T) {
	for _, c := range []struct {
		w, h, c int
	}{{23, 17, 3}, {23, 17, 1}, {71, 53, 3}, {7, 5, 3}} { // down by ~2 and ~5 (sparse rows and columns), up
		testLazyEqualsEager(t, testFolder(t, 3, c.w, c.h), c.c)
	}
}

func testLazyEqualsEager(t *testing.T, dir string, c int) {
	{
		f, err := OpenImageFolder(dir, ImageFolderOptions{Shape: []int{11, 13, c}})
		if err != nil {
			t.Fatal(err)
		}
		d := f.Train
		lazy := batchOf(t, d, nil)
		for i := range d.Len() {
			eager, err := LoadImage(d.Path(i), 11, 13, c)
			if err != nil {
				t.Fatal(err)
			}
			got := lazy[i*d.Size() : (i+1)*d.Size()]
			for k, v := range eager {
				if want := float32(math.Round(float64(v)*255)) / 255; got[k] != want {
					t.Fatalf("channels %d, %s value %d: lazy %v, eager %v (8-bit %v)", c, d.Path(i), k, got[k], v, want)
				}
				if math.Abs(float64(got[k]-v)) > 0.5/255+1e-6 {
					t.Fatalf("channels %d: lazy %v vs eager %v", c, got[k], v)
				}
			}
			if !slices.Equal(d.Example(i), got) {
				t.Errorf("Example(%d) differs from its batch", i)
			}
		}
		m, err := d.Materialize()
		if err != nil || m.Lazy() || !slices.Equal(m.X, lazy) || !slices.Equal(m.Y, d.Y) {
			t.Errorf("Materialize: %v %v", m, err)
		}
		one := make([]float32, 2*d.Size())
		if err := d.Batch(one, []int{4, 1}, nil); err != nil || !slices.Equal(one[:d.Size()], d.Example(4)) || !slices.Equal(one[d.Size():], d.Example(1)) {
			t.Errorf("Batch of examples 4, 1: %v", err)
		}
	}
}

// symmetric is Keras's [-1, 1] preprocessing, as net.SymmetricUnit.
type symmetric struct{}

func (symmetric) Apply(_ int, p uint8) float32 { return float32((float64(p)/255 - 0.5) / 0.5) }

// perChannel maps channel c's pixels to c*1000 + p: which channel a value
// came from and its 8-bit level can be read back.
type perChannel struct{}

func (perChannel) Apply(c int, p uint8) float32 { return float32(1000*c) + float32(p) }

func TestPreprocessingApplied(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "x.png")
	writeTestImage(t, path, 6, 4, 3) // PNG at the input's size: decoded exactly
	img, err := ReadImage(path)
	if err != nil {
		t.Fatal(err)
	}
	rgba := img.(*image.RGBA)
	pix := func(x, y, c int) uint8 { return rgba.Pix[y*rgba.Stride+4*x+c] }
	check := func(opts ImageFolderOptions, want func(x, y, c int) float32, layout func(x, y, c int) int) {
		t.Helper()
		f, err := OpenImageFolder(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		got := f.Train.Example(0)
		for y := range 4 {
			for x := range 6 {
				for c := range 3 {
					if g, w := got[layout(x, y, c)], want(x, y, c); g != w {
						t.Fatalf("%+v: pixel (%d,%d) channel %d = %v, want %v", opts, x, y, c, g, w)
					}
				}
			}
		}
	}
	hwc := func(x, y, c int) int { return (y*6+x)*3 + c }
	check(ImageFolderOptions{Shape: []int{4, 6, 3}, Preprocess: symmetric{}},
		func(x, y, c int) float32 { return symmetric{}.Apply(c, pix(x, y, c)) }, hwc)
	check(ImageFolderOptions{Shape: []int{4, 6, 3}, Preprocess: perChannel{}, BGR: true},
		func(x, y, c int) float32 { return perChannel{}.Apply(c, pix(x, y, 2-c)) }, hwc)
	check(ImageFolderOptions{Shape: []int{3, 4, 6}, Preprocess: perChannel{}},
		func(x, y, c int) float32 { return perChannel{}.Apply(c, pix(x, y, c)) }, func(x, y, c int) int { return c*24 + y*6 + x })
}

func TestAugmentDeterministicAndChanging(t *testing.T) {
	dir := testFolder(t, 4, 32, 24)
	aug := ImageAugment{Crop: true, CropScale: [2]float64{0.3, 1}, Flip: true, Brightness: 0.3, Contrast: 0.3, Saturation: 0.3}
	open := func(workers int) *Folder {
		f, err := OpenImageFolder(dir, ImageFolderOptions{Shape: []int{16, 16, 3}, Augment: aug, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f, f1 := open(4), open(1)
	if !f.Train.Augmented() || f.Val.Augmented() || f.Test.Augmented() {
		t.Fatalf("augmented: train %v val %v test %v, want train only", f.Train.Augmented(), f.Val.Augmented(), f.Test.Augmented())
	}
	rng := func(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }
	plain := batchOf(t, f.Train, nil)
	a, b := batchOf(t, f.Train, rng(5)), batchOf(t, f1.Train, rng(5))
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different augmented batches with 4 and 1 decoders")
	}
	r := rng(5)
	first, second := batchOf(t, f.Train, r), batchOf(t, f.Train, r)
	if !slices.Equal(first, a) || slices.Equal(first, second) {
		t.Error("successive batches from one stream: want the first equal to a fresh stream's, the second different")
	}
	size := f.Train.Size()
	for i := range f.Train.Len() {
		if slices.Equal(a[i*size:(i+1)*size], plain[i*size:(i+1)*size]) {
			t.Errorf("augmentation left image %d unchanged", i)
		}
	}
	if !slices.Equal(batchOf(t, f.Train.WithoutAugment(), rng(5)), plain) || !slices.Equal(batchOf(t, f.Val, rng(5)), batchOf(t, f.Val, nil)) {
		t.Error("WithoutAugment or the validation split changed images")
	}
	if f.Train.Fingerprint() == f.Train.WithoutAugment().Fingerprint() {
		t.Error("the fingerprint ignores the augmentation")
	}
	// Flip alone: each image is the original or its mirror, and both occur.
	g, err := OpenImageFolder(dir, ImageFolderOptions{Shape: []int{16, 16, 3}, Augment: ImageAugment{Flip: true}})
	if err != nil {
		t.Fatal(err)
	}
	flipped := batchOf(t, g.Train, rng(9))
	var same, mirrored int
	for i := range g.Train.Len() {
		img, orig := flipped[i*size:(i+1)*size], plain[i*size:(i+1)*size]
		isMirror := true
		for y := range 16 {
			for x := range 16 {
				for c := range 3 {
					if img[(y*16+x)*3+c] != orig[(y*16+15-x)*3+c] {
						isMirror = false
					}
				}
			}
		}
		switch {
		case slices.Equal(img, orig):
			same++
		case isMirror:
			mirrored++
		default:
			t.Errorf("flip-only image %d is neither the original nor its mirror", i)
		}
	}
	if same == 0 || mirrored == 0 {
		t.Errorf("flip: %d unchanged, %d mirrored of %d; want both", same, mirrored, g.Train.Len())
	}
}

func TestRandomCropStaysInside(t *testing.T) {
	a, err := ImageAugment{Crop: true}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var areas float64
	for range 2000 {
		b := a.randomCrop(rng, 30, 50)
		if b.x < 0 || b.y < 0 || b.w <= 0 || b.h <= 0 || b.x+b.w > 50 || b.y+b.h > 30 {
			t.Fatalf("crop %+v outside a 50×30 image", b)
		}
		areas += float64(b.w*b.h) / 1500
	}
	// Area shares are drawn uniformly in [0.08, 1] (those that fit): the
	// mean lies well inside, away from both ends.
	if mean := areas / 2000; mean < 0.3 || mean > 0.7 {
		t.Errorf("mean crop area share %.2f, want about 0.5", mean)
	}
	if _, err := (ImageAugment{Brightness: 2}).withDefaults(); err == nil {
		t.Error("brightness 2 accepted")
	}
}

func TestCorruptImageNamed(t *testing.T) {
	dir := testFolder(t, 2, 8, 8)
	bad := filepath.Join(dir, "train", "dogs", "broken.jpg")
	os.WriteFile(bad, []byte("not a jpeg"), 0o644)
	opts := ImageFolderOptions{Shape: []int{8, 8, 3}}
	if _, err := OpenImageFolder(dir, opts); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt file: error %v, want one naming %s", err, bad)
	}
	opts.SkipCorrupt = true
	f, err := OpenImageFolder(dir, opts)
	if err != nil || len(f.Skipped) != 1 || !strings.Contains(f.Skipped[0], bad) || f.Train.Len() != 4 {
		t.Fatalf("SkipCorrupt: %v, %v", f, err)
	}
	if !strings.Contains(f.String(), "1 corrupt files skipped") {
		t.Errorf("summary %q does not count the skipped file", f.String())
	}
	// A JPEG cut after its header passes the header check; the full decode
	// when opening finds it, and with SkipVerify the batch that decodes it.
	os.Remove(bad)
	cut := filepath.Join(dir, "train", "cats", "cut.jpg")
	writeTestImage(t, cut, 64, 64, 99)
	good, err := os.ReadFile(cut)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cut, good[:len(good)*3/4], 0o644)
	opts.SkipCorrupt = false
	if _, err := OpenImageFolder(dir, opts); err == nil || !strings.Contains(err.Error(), cut) {
		t.Errorf("truncated JPEG: error %v, want one naming %s", err, cut)
	}
	opts.SkipVerify = true
	f, err = OpenImageFolder(dir, opts)
	if err != nil {
		t.Fatalf("SkipVerify opened with error %v", err)
	}
	if err := f.Train.Batch(make([]float32, f.Train.Len()*f.Train.Size()), allIndices(f.Train.Len()), nil); err == nil || !strings.Contains(err.Error(), cut) {
		t.Errorf("SkipVerify batch: error %v, want one naming %s", err, cut)
	}
}

func TestOpenImageFolderProgress(t *testing.T) {
	dir := testFolder(t, 3, 8, 8)
	var out bytes.Buffer
	var calls [][3]any
	_, err := OpenImageFolder(dir, ImageFolderOptions{Shape: []int{8, 8, 3}, Progress: &out,
		OnProgress: func(split string, done, total int) { calls = append(calls, [3]any{split, done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "6/6 images") || !strings.Contains(out.String(), "val") {
		t.Errorf("progress output %q", out.String())
	}
	if len(calls) == 0 || calls[len(calls)-1] != [3]any{"test", 4, 4} {
		t.Errorf("progress calls %v, want the last to be test 4/4", calls)
	}
}
