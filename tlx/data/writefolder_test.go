package data

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// smoothImages is n RGB examples of h×w: smooth gradients (what JPEG
// keeps well), a different one per example, labels cycling over classes.
func smoothImages(n, h, w int, classes []string) *Dataset {
	d := &Dataset{Name: "smooth", Shape: []int{h, w, 3}, Classes: classes}
	for i := range n {
		for y := range h {
			for x := range w {
				for c := range 3 {
					v := 0.5 + 0.4*math.Sin(float64(x+2*y+5*c+7*i)/float64(h))
					d.X = append(d.X, float32(v))
				}
			}
		}
		d.Y = append(d.Y, int32(i%len(classes)))
	}
	return d
}

// The folder holds split/class/file.jpg, one file per example, each of the
// size asked for and close to the example resized (JPEG is lossy: at
// quality 90 a smooth image keeps a PSNR well over 30 dB, an RMS error
// under 0.03 of the range); a second call with the same data leaves the
// files alone, and new data rewrites them.
func TestWriteImageFolder(t *testing.T) {
	classes := []string{"T-shirt/top", "Bag"}
	train, val := smoothImages(6, 8, 8, classes), smoothImages(3, 8, 8, classes)
	dir := filepath.Join(t.TempDir(), "photos")
	o := FolderOptions{Height: 16, Width: 12}
	if err := WriteImageFolder(dir, map[string]*Dataset{"train": train, "val": val}, o); err != nil {
		t.Fatal(err)
	}
	for split, d := range map[string]*Dataset{"train": train, "val": val} {
		want := d.Resize(16, 12)
		counts := make([]int, len(classes))
		for i := range d.Len() {
			y := d.Y[i]
			folder := strings.ReplaceAll(classes[y], "/", "-")
			path := filepath.Join(dir, split, folder, fmt.Sprintf("%s-%04d.jpg", folder, counts[y]))
			counts[y]++
			got, err := LoadImage(path, 16, 12, 3)
			if err != nil {
				t.Fatal(err)
			}
			if img, err := ReadImage(path); err != nil || img.Bounds().Dx() != 12 || img.Bounds().Dy() != 16 {
				t.Fatalf("%s: want a 12×16 image (error %v)", path, err)
			}
			sum := 0.0
			for j, v := range got {
				e := float64(v - want.Example(i)[j])
				sum += e * e
			}
			if rms := math.Sqrt(sum / float64(len(got))); rms > 0.03 {
				t.Fatalf("%s: RMS error %.4f against the resized example, want < 0.03", path, rms)
			}
		}
		entries, err := os.ReadDir(filepath.Join(dir, split, "T-shirt-top"))
		if err != nil || len(entries) != counts[0] {
			t.Fatalf("%s/T-shirt-top holds %d files, want %d (error %v)", split, len(entries), counts[0], err)
		}
	}
	// OpenImageFolder reads it back: the splits, the class folders in
	// sorted order, every file.
	f, err := OpenImageFolder(dir, ImageFolderOptions{Shape: []int{16, 12, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Classes, []string{"Bag", "T-shirt-top"}) || f.Train.Len() != train.Len() || f.Val.Len() != val.Len() || f.Test != nil {
		t.Fatalf("OpenImageFolder read %v", f)
	}
	file := filepath.Join(dir, "train", "Bag", "Bag-0000.jpg")
	before, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if err := WriteImageFolder(dir, map[string]*Dataset{"train": train, "val": val}, o); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(file); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Fatalf("the same data was written again (error %v)", err)
	}
	if err := WriteImageFolder(dir, map[string]*Dataset{"train": val}, o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "val")); err == nil {
		t.Fatal("new data left the old val split in place")
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "train", "Bag")); len(entries) != 1 {
		t.Fatalf("train/Bag holds %d files after rewriting with 3 examples (1 bag), want 1", len(entries))
	}
}

// Writing the same data twice gives the same bytes.
func TestWriteImageFolderReproducible(t *testing.T) {
	d := smoothImages(2, 8, 8, []string{"a"})
	var files [2][]byte
	for i := range files {
		dir := filepath.Join(t.TempDir(), "f")
		if err := WriteImageFolder(dir, map[string]*Dataset{"train": d}, FolderOptions{Height: 20, Width: 20}); err != nil {
			t.Fatal(err)
		}
		var err error
		if files[i], err = os.ReadFile(filepath.Join(dir, "train", "a", "a-0001.jpg")); err != nil {
			t.Fatal(err)
		}
	}
	if string(files[0]) != string(files[1]) {
		t.Fatal("two writes of the same data differ")
	}
}

// A folder that WriteImageFolder did not write is never replaced, and bad
// arguments are refused with what was expected.
func TestWriteImageFolderRefuses(t *testing.T) {
	d := smoothImages(2, 4, 4, []string{"a", "b"})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteImageFolder(dir, map[string]*Dataset{"train": d}, FolderOptions{}); err == nil || !strings.Contains(err.Error(), "not written by WriteImageFolder") {
		t.Fatalf("a foreign folder: error %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mine.txt")); err != nil {
		t.Fatal("the foreign folder's file is gone")
	}
	other := smoothImages(2, 4, 4, []string{"a", "c"})
	for name, c := range map[string]struct {
		splits map[string]*Dataset
		o      FolderOptions
	}{
		"different classes": {map[string]*Dataset{"train": d, "val": other}, FolderOptions{}},
		"a path as split":   {map[string]*Dataset{"../x": d}, FolderOptions{}},
		"one size only":     {map[string]*Dataset{"train": d}, FolderOptions{Height: 3}},
		"quality":           {map[string]*Dataset{"train": d}, FolderOptions{Quality: 101}},
		"nothing":           {nil, FolderOptions{}},
	} {
		if err := WriteImageFolder(filepath.Join(t.TempDir(), "new"), c.splits, c.o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
