package data

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestShippedDatasets(t *testing.T) {
	fm, err := FashionMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	if fm.Len() != 10000 || !slices.Equal(fm.Shape, []int{28, 28, 1}) || fm.Check() != nil {
		t.Errorf("fashion-mnist test: %v", fm)
	}
	for c, n := range fm.Counts() {
		if n != 1000 {
			t.Errorf("fashion-mnist test class %d has %d examples, want 1000", c, n)
		}
	}
	mn, err := MNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	if mn.Len() != 10000 || mn.Check() != nil {
		t.Errorf("mnist test: %v", mn)
	}
	if mx := slices.Max(mn.X); mx != 1 {
		t.Errorf("mnist max value %v, want 1", mx)
	}
	dg, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	if dg.Len() != 1797 || !slices.Equal(dg.Shape, []int{8, 8, 1}) || slices.Max(dg.X) != 1 {
		t.Errorf("digits: %v max %v", dg, slices.Max(dg.X))
	}
	if _, err := FashionMNIST("validation"); err == nil || !strings.Contains(err.Error(), `split "validation"`) {
		t.Errorf("bad split error = %v", err)
	}
}

func TestSplitTakeFewShotAreStratifiedAndSeeded(t *testing.T) {
	d, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	tr, va := d.Split(0.2, 7)
	if tr.Len()+va.Len() != d.Len() {
		t.Fatalf("split lost examples: %d + %d != %d", tr.Len(), va.Len(), d.Len())
	}
	for c, n := range va.Counts() {
		total := d.Counts()[c]
		if want := float64(total) * 0.2; float64(n) < want-1 || float64(n) > want+1 {
			t.Errorf("class %d: %d of %d in validation, want about %.0f", c, n, total, want)
		}
	}
	tr2, _ := d.Split(0.2, 7)
	tr3, _ := d.Split(0.2, 8)
	if tr.Fingerprint() != tr2.Fingerprint() || tr.Fingerprint() == tr3.Fingerprint() {
		t.Error("split is not a function of the seed")
	}
	fs := d.FewShot(5, 1)
	if fs.Len() != 50 || slices.Min(fs.Counts()) != 5 {
		t.Errorf("5-shot: %d examples, counts %v", fs.Len(), fs.Counts())
	}
	if tk := d.Take(300, 1); tk.Len() < 295 || tk.Len() > 305 {
		t.Errorf("Take(300) gave %d", tk.Len())
	}
	k, err := d.KeepClasses(3, 7)
	if err != nil || len(k.Classes) != 2 || k.Classes[0] != "3" || slices.Max(k.Y) != 1 {
		t.Errorf("KeepClasses(3,7): %v %v", k, err)
	}
	if _, err := d.KeepClasses(12); err == nil {
		t.Error("KeepClasses(12) succeeded on 10 classes")
	}
}

func TestResizeAndRGB(t *testing.T) {
	d := &Dataset{Shape: []int{2, 2, 1}, X: []float32{0, 1, 2, 3}, Y: []int32{0}, Classes: []string{"a"}}
	r := d.Resize(4, 4)
	// Bilinear, half-pixel centres: corners keep their values, the middle interpolates.
	want := []float32{0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3}
	if !slices.Equal(r.X, want) {
		t.Errorf("resize 2x2->4x4 = %v, want %v", r.X, want)
	}
	if c := d.ToRGB(); !slices.Equal(c.Shape, []int{2, 2, 3}) || c.X[3] != 1 || c.X[5] != 1 {
		t.Errorf("ToRGB = %v %v", c.Shape, c.X)
	}
	n := d.Normalize([]float64{1.5}, []float64{0.5})
	if n.X[0] != -3 || n.X[3] != 3 {
		t.Errorf("Normalize = %v", n.X)
	}
}

func TestReadIDXRejectsBadFiles(t *testing.T) {
	for name, data := range map[string][]byte{
		"bad magic":  {1, 2, 3, 4},
		"huge dims":  {0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2},
		"truncated":  {0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3},
		"zero dims":  {0, 0, 8, 1, 0, 0, 0, 0},
		"float type": {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0},
	} {
		if _, _, err := readIDX(bytes.NewReader(data), name); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if got, dims, err := readIDX(bytes.NewReader([]byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 7, 9}), "ok"); err != nil || !slices.Equal(got, []byte{7, 9}) || !slices.Equal(dims, []int{2, 1}) {
		t.Errorf("valid IDX: %v %v %v", got, dims, err)
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add([]byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 7, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		values, dims, err := readIDX(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if n != len(values) {
			t.Fatalf("%d values for %v", len(values), dims)
		}
	})
}

func TestImageFolder(t *testing.T) {
	dir := t.TempDir()
	for _, class := range []string{"cats", "dogs"} {
		os.MkdirAll(filepath.Join(dir, class), 0o755)
		for i := range 3 {
			img := image.NewRGBA(image.Rect(0, 0, 6, 4))
			for p := range img.Pix {
				img.Pix[p] = uint8(40 * i)
			}
			img.Set(0, 0, color.RGBA{255, 0, 0, 255})
			var buf bytes.Buffer
			png.Encode(&buf, img)
			os.WriteFile(filepath.Join(dir, class, string(rune('a'+i))+".png"), buf.Bytes(), 0o644)
		}
	}
	os.WriteFile(filepath.Join(dir, "dogs", "notes.txt"), []byte("ignored"), 0o644)
	d, err := ImageFolder(dir, 8, 8, 3)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 6 || !slices.Equal(d.Classes, []string{"cats", "dogs"}) || !slices.Equal(d.Shape, []int{8, 8, 3}) || d.Y[5] != 1 {
		t.Errorf("image folder: %v labels %v", d, d.Y)
	}
	os.WriteFile(filepath.Join(dir, "cats", "broken.png"), []byte("not a png"), 0o644)
	if _, err := ImageFolder(dir, 8, 8, 3); err == nil || !strings.Contains(err.Error(), "broken.png") {
		t.Errorf("broken image error = %v, want one naming the file", err)
	}
}

func TestReadCSV(t *testing.T) {
	d, err := ReadCSV(strings.NewReader("a,b,label\n1,2,0\n3,4,1\n"), "t.csv", -1, 1)
	if err != nil || d.Len() != 2 || !slices.Equal(d.X, []float32{1, 2, 3, 4}) || len(d.Classes) != 2 {
		t.Fatalf("csv: %v %v", d, err)
	}
	if _, err := ReadCSV(strings.NewReader("1,2,0\n3,x,1\n"), "t.csv", -1, 1); err == nil || !strings.Contains(err.Error(), `row 2 column 2: "x"`) {
		t.Errorf("bad cell error = %v", err)
	}
	if _, err := ReadCSV(strings.NewReader("1,2,0.5\n"), "t.csv", -1, 1); err == nil || !strings.Contains(err.Error(), "not a class index") {
		t.Errorf("fractional label error = %v", err)
	}
}

// Rotations turns each image a quarter at a time, counter-clockwise, and
// labels it by the number of turns.
func TestRotations(t *testing.T) {
	d := &Dataset{Name: "2x2", Shape: []int{2, 2, 1}, X: []float32{1, 2, 3, 4}, Y: []int32{7}, Classes: []string{"x"}}
	r, err := d.Rotations()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float32{{1, 2, 3, 4}, {2, 4, 1, 3}, {4, 3, 2, 1}, {3, 1, 4, 2}}
	for turn, w := range want {
		if got := r.Example(turn); !slices.Equal(got, w) || r.Y[turn] != int32(turn) {
			t.Errorf("turn %d: %v label %d, want %v label %d", turn, got, r.Y[turn], w, turn)
		}
	}
	if _, err := (&Dataset{Name: "wide", Shape: []int{2, 3, 1}}).Rotations(); err == nil {
		t.Error("a non-square image was accepted")
	}
}

func TestPad(t *testing.T) {
	d := &Dataset{Name: "1x2", Shape: []int{1, 2, 1}, X: []float32{1, 2}, Y: []int32{0}, Classes: []string{"x"}}
	p := d.Pad(1, 0, 0, 1, -1)
	want := []float32{-1, -1, -1, 1, 2, -1}
	if !slices.Equal(p.Shape, []int{2, 3, 1}) || !slices.Equal(p.X, want) {
		t.Errorf("Pad: shape %v values %v, want [2 3 1] %v", p.Shape, p.X, want)
	}
}
