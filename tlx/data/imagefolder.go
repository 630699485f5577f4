package data

import (
	"fmt"
	"image"
	_ "image/jpeg" // decoders for ImageFolder
	_ "image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxImagePixels bounds the images ImageFolder decodes.
const MaxImagePixels = 8192 * 8192

// ImageFolder loads a folder with one sub-folder per class (the class
// names, sorted) of PNG or JPEG images, resized to h×w with channels 1
// (grey) or 3 (RGB) and values in 0..1.
func ImageFolder(dir string, h, w, channels int) (*Dataset, error) {
	if channels != 1 && channels != 3 {
		return nil, fmt.Errorf("ImageFolder(%s): channels %d, want 1 or 3", dir, channels)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("ImageFolder: %w", err)
	}
	d := &Dataset{Name: filepath.Base(dir), Shape: []int{h, w, channels}}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			d.Classes = append(d.Classes, e.Name())
		}
	}
	sort.Strings(d.Classes)
	if len(d.Classes) == 0 {
		return nil, fmt.Errorf("ImageFolder(%s): no class sub-folders", dir)
	}
	for label, class := range d.Classes {
		files, err := os.ReadDir(filepath.Join(dir, class))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			ext := strings.ToLower(filepath.Ext(f.Name()))
			if f.IsDir() || (ext != ".png" && ext != ".jpg" && ext != ".jpeg") {
				continue
			}
			path := filepath.Join(dir, class, f.Name())
			pixels, err := decodeImage(path, h, w, channels)
			if err != nil {
				return nil, err
			}
			d.X = append(d.X, pixels...)
			d.Y = append(d.Y, int32(label))
		}
	}
	if d.Len() == 0 {
		return nil, fmt.Errorf("ImageFolder(%s): no .png or .jpg files in %d class folders", dir, len(d.Classes))
	}
	return d, nil
}

// decodeImage reads one image, checks its size before decoding, and
// returns it resized to h×w×channels.
func decodeImage(path string, h, w, channels int) ([]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
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
