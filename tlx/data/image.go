package data

import (
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // decoders for ReadImage and ImageFolder
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// MaxImagePixels bounds the images ReadImage (and so LoadImage and
// ImageFolder) decodes.
const MaxImagePixels = 8192 * 8192

// ReadImage decodes a PNG or JPEG file, checking its size before decoding
// (a file claiming more than MaxImagePixels pixels is refused).
func ReadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxImagePixels {
		return nil, fmt.Errorf("image %s: %d×%d pixels, want at most %d", path, cfg.Width, cfg.Height, MaxImagePixels)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	return img, nil
}

// LoadImage reads a PNG or JPEG file as one example of shape h×w×channels
// (channels 1: grey, 3: RGB) with values in 0..1, as ImageFolder does:
// resized bilinearly when its size differs.
func LoadImage(path string, h, w, channels int) ([]float32, error) {
	img, err := ReadImage(path)
	if err != nil {
		return nil, err
	}
	pixels, err := FromImage(img, h, w, channels)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	return pixels, nil
}

// FromImage is LoadImage for a decoded image: its pixels as h×w×channels
// values in 0..1 (grey is 0.299 R + 0.587 G + 0.114 B), resized bilinearly
// when its size differs.
func FromImage(img image.Image, h, w, channels int) ([]float32, error) {
	if channels != 1 && channels != 3 {
		return nil, fmt.Errorf("channels %d, want 1 (grey) or 3 (RGB)", channels)
	}
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("size %d×%d, want positive", h, w)
	}
	b := img.Bounds()
	one := &Dataset{Shape: []int{b.Dy(), b.Dx(), channels}, Y: []int32{0}, X: make([]float32, 0, b.Dx()*b.Dy()*channels)}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if channels == 1 {
				one.X = append(one.X, float32(0.299*float64(r)+0.587*float64(g)+0.114*float64(bl))/65535)
			} else {
				one.X = append(one.X, float32(r)/65535, float32(g)/65535, float32(bl)/65535)
			}
		}
	}
	if b.Dy() == h && b.Dx() == w {
		return one.X, nil
	}
	return one.Resize(h, w).X, nil
}

// ToImage turns one example of shape height×width×channels (1 or 3
// channels, values in 0..1, clamped) into an 8-bit image: grey or RGB.
func ToImage(pixels []float32, shape []int) (image.Image, error) {
	if len(shape) != 3 || (shape[2] != 1 && shape[2] != 3) {
		return nil, fmt.Errorf("example shape %v, want height, width and 1 or 3 channels", shape)
	}
	h, w, c := shape[0], shape[1], shape[2]
	if len(pixels) != h*w*c {
		return nil, fmt.Errorf("%d values for an example of shape %v (want %d)", len(pixels), shape, h*w*c)
	}
	byte8 := func(v float32) uint8 { return uint8(math.Round(float64(min(max(v, 0), 1)) * 255)) }
	if c == 1 {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i, v := range pixels {
			img.Pix[i] = byte8(v)
		}
		return img, nil
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range h * w {
		img.Set(i%w, i/w, color.RGBA{byte8(pixels[3*i]), byte8(pixels[3*i+1]), byte8(pixels[3*i+2]), 255})
	}
	return img, nil
}

// SavePNG writes one example (see ToImage) as a PNG file: a data set's
// image, ready for LoadImage or for predicting on a file.
func SavePNG(path string, pixels []float32, shape []int) error {
	img, err := ToImage(pixels, shape)
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("saving %s: %w", path, err)
	}
	return f.Close()
}
