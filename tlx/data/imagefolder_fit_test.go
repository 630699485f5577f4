package data_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
)

// photoFolder writes a two-class folder of 20×20 JPEGs: class "bright"
// has a light square on the left, "dark" on the right.
func photoFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, split := range []string{"train", "val"} {
		for ci, class := range []string{"left", "right"} {
			for i := range 8 {
				img := image.NewRGBA(image.Rect(0, 0, 20, 20))
				for y := range 20 {
					for x := range 20 {
						v := uint8(30 + 7*i)
						if (x < 10) == (ci == 0) && y > 4 && y < 15 {
							v = 220
						}
						img.Set(x, y, color.RGBA{v, v / 2, 255 - v, 255})
					}
				}
				var buf bytes.Buffer
				if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, split, class, fmt.Sprintf("%d.jpg", i))
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return dir
}

// Training on a lazily decoded folder gives, bit for bit, what training on
// the same images decoded up front gives (with a frozen first block, so
// the feature cache reads the lazy set too), and augmented training is
// reproducible under its seed.
func TestFitOnImageFolder(t *testing.T) {
	dir := photoFolder(t)
	shape := []int{16, 16, 3}
	train := func(tr, val *data.Dataset, freeze bool) *fit.History {
		t.Helper()
		m := arch.CNN("cnn", 2, false, shape...)
		if freeze {
			if err := m.Freeze("block1"); err != nil {
				t.Fatal(err)
			}
		}
		h, err := fit.Fit(m, tr, fit.Config{Epochs: 2, BatchSize: 4, LR: 1e-2, Seed: 3, Val: val, CacheDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	losses := func(h *fit.History) []float64 {
		var out []float64
		for _, e := range h.Epochs {
			out = append(out, e.TrainLoss, e.ValLoss)
		}
		return out
	}
	f, err := data.OpenImageFolder(dir, data.ImageFolderOptions{Shape: shape})
	if err != nil {
		t.Fatal(err)
	}
	et, err := f.Train.Materialize()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := f.Val.Materialize()
	if err != nil {
		t.Fatal(err)
	}
	for _, freeze := range []bool{false, true} {
		lazy, eager := train(f.Train, f.Val, freeze), train(et, ev, freeze)
		if !slices.Equal(losses(lazy), losses(eager)) {
			t.Errorf("frozen block1 %v: lazy losses %v, eager %v", freeze, losses(lazy), losses(eager))
		}
		if cached := lazy.Epochs[0].Cached; cached != freeze {
			t.Errorf("frozen block1 %v: feature cache used %v", freeze, cached)
		}
	}

	g, err := data.OpenImageFolder(dir, data.ImageFolderOptions{Shape: shape,
		Augment: data.ImageAugment{Crop: true, CropScale: [2]float64{0.5, 1}, Flip: true, Brightness: 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := train(g.Train, g.Val, true), train(g.Train, g.Val, true)
	if !slices.Equal(losses(a), losses(b)) {
		t.Errorf("augmented training twice with one seed: %v vs %v", losses(a), losses(b))
	}
	if slices.Equal(losses(a), losses(train(f.Train, f.Val, true))) {
		t.Error("augmentation did not change the training")
	}
	if a.Epochs[0].Cached || !slices.ContainsFunc(a.Notes, func(n string) bool { return strings.Contains(n, "augmented as they are decoded") }) {
		t.Errorf("augmented folder with a frozen block: cached %v, notes %q", a.Epochs[0].Cached, a.Notes)
	}
}
