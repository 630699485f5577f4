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
