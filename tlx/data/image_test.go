package data

import (
	"image"
	"image/color"
	"path/filepath"
	"testing"
)

// An 8-bit example written with SavePNG reads back with LoadImage as the
// same values, bit for bit: grey (Fashion-MNIST's levels k/255) and RGB.
func TestSavePNGLoadImageRoundTrip(t *testing.T) {
	for _, c := range []int{1, 3} {
		const h, w = 5, 7
		pixels := make([]float32, h*w*c)
		for i := range pixels {
			pixels[i] = float32((i*37)%256) / 255 // as the IDX loader scales bytes
		}
		path := filepath.Join(t.TempDir(), "x.png")
		if err := SavePNG(path, pixels, []int{h, w, c}); err != nil {
			t.Fatal(err)
		}
		got, err := LoadImage(path, h, w, c)
		if err != nil {
			t.Fatal(err)
		}
		for i := range pixels {
			if got[i] != pixels[i] {
				t.Fatalf("%d channels: value %d is %v after the round trip, want %v", c, i, got[i], pixels[i])
			}
		}
	}
}

// FromImage converts colour to grey with ITU-R 601 weights (PIL's "L"
// mode: 0.299 R + 0.587 G + 0.114 B) and resizes a constant image to the
// same constant.
func TestFromImageGreyAndResize(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 6))
	for y := range 6 {
		for x := range 4 {
			img.Set(x, y, color.RGBA{200, 100, 50, 255})
		}
	}
	grey, err := FromImage(img, 3, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := (0.299*200 + 0.587*100 + 0.114*50) / 255
	for i, v := range grey {
		if d := float64(v) - want; d > 1e-6 || d < -1e-6 {
			t.Fatalf("grey value %d = %v, want %v", i, v, want)
		}
	}
	if len(grey) != 3*2 {
		t.Errorf("%d values, want 6", len(grey))
	}
	if _, err := FromImage(img, 3, 2, 2); err == nil {
		t.Error("2 channels accepted")
	}
	if _, err := LoadImage(filepath.Join(t.TempDir(), "missing.png"), 2, 2, 1); err == nil {
		t.Error("a missing file loaded")
	}
}
