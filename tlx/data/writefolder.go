package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// FolderOptions say how WriteImageFolder writes its images.
type FolderOptions struct {
	// Height and Width are each image's size in pixels (0: the data set's
	// own); examples are resized bilinearly (see Resize).
	Height, Width int
	// Quality is the JPEG quality, 1..100 (0: 90).
	Quality int
}

// folderStamp is what WriteImageFolder keeps in dir/folder.json: a later
// call with the same data and options leaves the folder as it is.
type folderStamp struct {
	Format  string            `json:"format"`
	Splits  map[string]string `json:"splits"` // split → data fingerprint
	Classes []string          `json:"classes"`
	Options FolderOptions     `json:"options"`
}

const folderFormat = "tlx-image-folder-v1"

// WriteImageFolder writes labelled data sets as a folder of JPEG files, the
// layout ImageFolder reads and a photo collection usually has:
// dir/<split>/<class>/<class>-<n>.jpg for each split ("train", "val",
// "test"), one sub-folder per class (the class name, with path separators
// replaced by "-"). Each example is resized to o's size and written with
// the data set's channels (call ToRGB first for colour files). Reading the
// folder back (OpenImageFolder, ImageFolder) gives the classes in the
// folders' sorted order, which may differ from the data sets' order.
//
//	d := tlx.Must1(data.FashionMNIST("train"))
//	train, val := d.Take(500, 1).ToRGB().Split(0.2, 1)
//	err := data.WriteImageFolder("photos", map[string]*data.Dataset{"train": train, "val": val},
//		data.FolderOptions{Height: 224, Width: 224})
//
// Writing is reproducible (the same data and options give the same bytes)
// and skipped when dir/folder.json says the folder already holds the same
// data written with the same options, so a notebook can call it on every
// run. A dir that exists without that stamp is never overwritten.
func WriteImageFolder(dir string, splits map[string]*Dataset, o FolderOptions) error {
	fail := func(err error) error { return fmt.Errorf("data.WriteImageFolder(%s): %w", dir, err) }
	if len(splits) == 0 {
		return fail(errors.New("no data sets to write"))
	}
	if o.Quality == 0 {
		o.Quality = 90
	}
	if o.Quality < 1 || o.Quality > 100 || o.Height < 0 || o.Width < 0 || (o.Height == 0) != (o.Width == 0) {
		return fail(fmt.Errorf("options %+v: want a quality of 1..100 and both sizes positive or both 0", o))
	}
	names := make([]string, 0, len(splits))
	for name := range splits {
		names = append(names, name)
	}
	slices.Sort(names)
	stamp := folderStamp{Format: folderFormat, Splits: map[string]string{}, Options: o}
	for _, name := range names {
		d := splits[name]
		if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
			return fail(fmt.Errorf("split name %q: want a plain folder name such as train or val", name))
		}
		if d == nil || len(d.Shape) != 3 || (d.Shape[2] != 1 && d.Shape[2] != 3) {
			return fail(fmt.Errorf("split %s: want images of height × width × 1 or 3 channels", name))
		}
		if err := d.Check(); err != nil {
			return fail(fmt.Errorf("split %s: %w", name, err))
		}
		if stamp.Classes == nil {
			stamp.Classes = d.Classes
		} else if !slices.Equal(stamp.Classes, d.Classes) {
			return fail(fmt.Errorf("split %s has classes %v, %s has %v: want the same classes in every split", name, d.Classes, names[0], stamp.Classes))
		}
		stamp.Splits[name] = d.Fingerprint()
	}
	folders, err := classFolders(stamp.Classes)
	if err != nil {
		return fail(err)
	}
	stampPath := filepath.Join(dir, "folder.json")
	old, err := readFolderStamp(stampPath)
	switch {
	case err == nil && sameStamp(old, &stamp):
		return nil // already written
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fail(err)
	case errors.Is(err, fs.ErrNotExist):
		if entries, rerr := os.ReadDir(dir); rerr == nil && len(entries) > 0 {
			return fail(errors.New("the folder exists and was not written by WriteImageFolder (no folder.json): choose another folder"))
		}
	}
	// Write next to dir, then swap it in: a folder is complete or absent.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-"+filepath.Base(dir))
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	for _, name := range names {
		if err := writeSplit(filepath.Join(tmp, name), splits[name], folders, o); err != nil {
			return fail(fmt.Errorf("split %s: %w", name, err))
		}
	}
	js, err := json.MarshalIndent(stamp, "", "  ")
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "folder.json"), js, 0o644); err != nil {
		return fail(err)
	}
	if err := os.RemoveAll(dir); err != nil { // only a stamped folder (or an empty one) gets here
		return fail(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fail(err)
	}
	return nil
}

// classFolders maps class names to folder names, refusing names that
// collide once path separators are replaced.
func classFolders(classes []string) ([]string, error) {
	folders := make([]string, len(classes))
	seen := map[string]string{}
	for i, c := range classes {
		f := strings.NewReplacer("/", "-", `\`, "-").Replace(c)
		if f == "" || strings.HasPrefix(f, ".") {
			return nil, fmt.Errorf("class %d is named %q: want a name that can be a folder", i, c)
		}
		if other, ok := seen[f]; ok {
			return nil, fmt.Errorf("classes %q and %q would share the folder %q", other, c, f)
		}
		seen[f], folders[i] = c, f
	}
	return folders, nil
}

// writeSplit writes d's examples into dir/<class>/<class>-<n>.jpg, n
// counting each class's examples in data order.
func writeSplit(dir string, d *Dataset, folders []string, o FolderOptions) error {
	for _, f := range folders {
		if err := os.MkdirAll(filepath.Join(dir, f), 0o755); err != nil {
			return err
		}
	}
	h, w := o.Height, o.Width
	if h == 0 {
		h, w = d.Shape[0], d.Shape[1]
	}
	counts := make([]int, len(folders))
	for i := range d.Len() {
		one := d.Subset([]int{i})
		if one.Shape[0] != h || one.Shape[1] != w {
			one = one.Resize(h, w)
		}
		img, err := ToImage(one.X, one.Shape)
		if err != nil {
			return fmt.Errorf("example %d: %w", i, err)
		}
		y := d.Y[i]
		path := filepath.Join(dir, folders[y], fmt.Sprintf("%s-%04d.jpg", folders[y], counts[y]))
		counts[y]++
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := jpeg.Encode(f, img, &jpeg.Options{Quality: o.Quality}); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

func readFolderStamp(path string) (*folderStamp, error) {
	js, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s folderStamp
	if err := json.Unmarshal(js, &s); err != nil || s.Format != folderFormat {
		return nil, fmt.Errorf("%s: not a folder.json of WriteImageFolder (format %q, error %v)", path, s.Format, err)
	}
	return &s, nil
}

func sameStamp(a, b *folderStamp) bool {
	if a.Options != b.Options || !slices.Equal(a.Classes, b.Classes) || len(a.Splits) != len(b.Splits) {
		return false
	}
	for k, v := range b.Splits {
		if a.Splits[k] != v {
			return false
		}
	}
	return true
}
