package data

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ImageFolder loads a folder with one sub-folder per class (the class
// names, sorted) of PNG or JPEG images, resized to h×w with channels 1
// (grey) or 3 (RGB) and values in 0..1, all decoded into memory (4 bytes a
// value: 602 KB per 224×224 RGB image). For real-size photos, train/val/
// test layouts, a model's preprocessing and augmentation, use
// OpenImageFolder, which keeps the files compressed.
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
			pixels, err := LoadImage(path, h, w, channels)
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
