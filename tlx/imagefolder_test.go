package tlx

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// A folder opened for a model gives each image as Predict's preprocessing
// does (size, preprocessing, BGR order), so training and prediction agree.
func TestOpenImageFolderMatchesPredict(t *testing.T) {
	dir := t.TempDir()
	for i, class := range []string{"a", "b"} {
		img := image.NewRGBA(image.Rect(0, 0, 13, 9))
		for y := range 9 {
			for x := range 13 {
				img.Set(x, y, color.RGBA{uint8(20*x + 50*i), uint8(25 * y), uint8(200 - 10*x), 255})
			}
		}
		p := filepath.Join(dir, "train", class, "x.png")
		os.MkdirAll(filepath.Dir(p), 0o755)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	m := arch.CNN("cnn", 2, false, 8, 8, 3)
	m.Preprocessing = net.ImageNet
	m.Preprocessing.BGR = true
	f, err := OpenImageFolder(dir, m, data.ImageFolderOptions{Progress: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Train.Len() {
		img, err := data.ReadImage(f.Train.Path(i))
		if err != nil {
			t.Fatal(err)
		}
		want, err := PreprocessImage(m, img)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Train.Example(i); !slices.Equal(got, want) {
			t.Errorf("%s: folder input differs from PreprocessImage's", f.Train.Path(i))
		}
	}
}

// A Learner trains on a lazily decoded folder, leaves its images out of
// the run folder (the folder is the copy) and reopens without them.
func TestLearnerOnImageFolder(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	t.Setenv("TLX_RUNS", t.TempDir())
	dir := t.TempDir()
	for _, split := range []string{"train", "val"} {
		for i, class := range []string{"a", "b"} {
			for k := range 4 {
				img := image.NewRGBA(image.Rect(0, 0, 10, 10))
				for p := range img.Pix {
					img.Pix[p] = uint8(60*i + 10*k + p%7)
				}
				p := filepath.Join(dir, split, class, string(rune('0'+k))+".png")
				os.MkdirAll(filepath.Dir(p), 0o755)
				f, err := os.Create(p)
				if err != nil {
					t.Fatal(err)
				}
				png.Encode(f, img)
				f.Close()
			}
		}
	}
	m := arch.CNN("cnn", 2, false, 8, 8, 3)
	f, err := OpenImageFolder(dir, m, data.ImageFolderOptions{Progress: io.Discard, Augment: data.ImageAugment{Flip: true}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLearner("folder", m, f.Train, f.Val, fit.Config{BatchSize: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(fit.Plan{{Name: "all", Epochs: 1, LR: 1e-2}}); err != nil {
		t.Fatal(err)
	}
	if len(l.History.Epochs) != 1 {
		t.Fatalf("%d epochs", len(l.History.Epochs))
	}
	again, err := OpenLearner("folder")
	if err != nil {
		t.Fatal(err)
	}
	if again.Train != nil || len(again.History.Epochs) != 1 {
		t.Errorf("reopened: train %v, %d epochs; want no stored images and the epoch", again.Train, len(again.History.Epochs))
	}
}
