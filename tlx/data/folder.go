package data

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Preprocessor maps an 8-bit pixel value of channel c to a model's input
// scale: net.Preprocessing is one (pass a model's m.Preprocessing).
type Preprocessor interface {
	Apply(c int, pixel uint8) float32
}

// ImageFolderOptions says how OpenImageFolder turns image files into a model's
// inputs.
type ImageFolderOptions struct {
	// Shape is one example's shape, the model's input: height, width and
	// channels (1: grey, 3: RGB), or channels, height, width for a
	// channels-first model. Required (m.InputShape).
	Shape []int
	// Preprocess maps 8-bit pixels to the model's inputs (m.Preprocessing);
	// nil means pixels / 255.
	Preprocess Preprocessor
	// BGR puts colour channels in blue, green, red order
	// (m.Preprocessing.BGR).
	BGR bool
	// Augment is applied to the training split as its images are decoded.
	Augment ImageAugment
	// SkipCorrupt leaves out files that do not decode (counted in
	// Folder.Skipped) instead of failing on the first one.
	SkipCorrupt bool
	// SkipVerify checks only each file's header when the folder is opened
	// instead of decoding every image once: faster to open, but a file
	// damaged past its header then fails the batch that decodes it.
	SkipVerify bool
	// Workers is the number of images decoded at once (0: GOMAXPROCS).
	Workers int
	// Progress, when set, receives a text progress bar while the folder is
	// read and verified (os.Stdout in a notebook).
	Progress io.Writer
	// OnProgress, when set, is called as files are read and verified with
	// the split's name and the files done out of total.
	OnProgress func(split string, done, total int)
}

// Folder is an image folder opened by OpenImageFolder: its splits share
// one class list.
type Folder struct {
	Dir     string
	Classes []string
	// Train, Val and Test are the splits (nil where the folder has none);
	// each keeps its images compressed and decodes them batch by batch.
	Train, Val, Test *Dataset
	// Skipped lists the files left out with SkipCorrupt, each with why.
	Skipped []string
	// Bytes is the compressed size of all images held.
	Bytes int64
}

// String summarises the folder: splits, classes, memory held.
func (f *Folder) String() string {
	var parts []string
	for _, d := range []*Dataset{f.Train, f.Val, f.Test} {
		if d != nil {
			parts = append(parts, fmt.Sprintf("%s %d", strings.TrimPrefix(d.Name, filepath.Base(f.Dir)+"/"), d.Len()))
		}
	}
	s := fmt.Sprintf("%s: %s images of %d classes (%s), %.1f MB compressed", f.Dir, strings.Join(parts, ", "), len(f.Classes),
		strings.Join(f.Classes, ", "), float64(f.Bytes)/1e6)
	if len(f.Skipped) > 0 {
		s += fmt.Sprintf(", %d corrupt files skipped", len(f.Skipped))
	}
	return s
}

// splitNames are the sub-folders OpenImageFolder reads, in order.
var splitNames = []string{"train", "val", "test"}

// OpenImageFolder reads a photo folder for a model: dir/train, dir/val and
// dir/test (val and test optional), each with one sub-folder per class of
// JPEG or PNG files. The classes are train's sub-folders, sorted; val and
// test must have the same ones. A folder without train/ is read as the
// training split alone (split it with Dataset.Split). Files are kept
// compressed in memory (a 224×224 JPEG takes ~10–30 KB, its float32 input
// 602 KB) and decoded batch by batch in parallel: resized bilinearly to
// the model's input, mapped through its preprocessing, and, for the
// training split, augmented (a new draw every batch, seeded by the
// training's seed). Every image is decoded once when the folder is opened,
// so a corrupt file fails here, named (or is skipped with SkipCorrupt).
//
//	m := tlx.Must1(tlx.Pretrained("mobilenetv2-imagenet-nsfwjs"))
//	f := tlx.Must1(data.OpenImageFolder("photos", data.ImageFolderOptions{
//		Shape: m.InputShape, Preprocess: m.Preprocessing, BGR: m.Preprocessing.BGR,
//		Augment:  data.ImageAugment{Crop: true, Flip: true, Brightness: 0.2, Contrast: 0.2, Saturation: 0.2},
//		Progress: os.Stdout,
//	}))
//	fmt.Println(f)  // photos: train 800, val 200 images of 2 classes (cats, dogs), 14.2 MB compressed
//	tlx.Must(m.ReplaceHead(len(f.Classes)))
//	l := tlx.Must1(tlx.NewLearner("photos", m, f.Train, f.Val, fit.Config{Seed: 1}))
func OpenImageFolder(dir string, opts ImageFolderOptions) (*Folder, error) {
	set, err := newImageSet(opts)
	if err != nil {
		return nil, fmt.Errorf("OpenImageFolder(%s): %w", dir, err)
	}
	splits, err := findSplits(dir)
	if err != nil {
		return nil, err
	}
	f := &Folder{Dir: dir}
	for i, sp := range splits {
		classes, err := subFolders(sp.dir)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			f.Classes = classes
			if len(classes) == 0 {
				return nil, fmt.Errorf("OpenImageFolder: %s has no class sub-folders", sp.dir)
			}
		} else if err := sameClasses(sp.dir, classes, splits[0].dir, f.Classes); err != nil {
			return nil, err
		}
		d, err := readSplit(sp, f, set, opts)
		if err != nil {
			return nil, err
		}
		switch sp.name {
		case "train":
			f.Train = d
		case "val":
			f.Val = d
		case "test":
			f.Test = d
		}
	}
	return f, nil
}

// newImageSet is the decoding settings of opts (without files yet).
func newImageSet(opts ImageFolderOptions) (*imageSet, error) {
	s := &imageSet{workers: opts.Workers, bgr: opts.BGR, pool: &sync.Pool{New: func() any { return &scratch{} }}}
	if s.workers <= 0 {
		s.workers = defaultWorkers()
	}
	sh := opts.Shape
	switch {
	case len(sh) == 3 && (sh[2] == 1 || sh[2] == 3):
		s.h, s.w, s.c = sh[0], sh[1], sh[2]
	case len(sh) == 3 && (sh[0] == 1 || sh[0] == 3):
		s.c, s.h, s.w, s.chw = sh[0], sh[1], sh[2], true
	default:
		return nil, fmt.Errorf("ImageFolderOptions.Shape %v: want height, width, channels (1 or 3), e.g. the model's InputShape", sh)
	}
	if s.h <= 0 || s.w <= 0 {
		return nil, fmt.Errorf("ImageFolderOptions.Shape %v: want a positive height and width", sh)
	}
	var p Preprocessor = unitPixels{}
	if opts.Preprocess != nil {
		p = opts.Preprocess
	}
	if v, ok := p.(interface{ Validate(channels int) error }); ok {
		if err := v.Validate(s.c); err != nil {
			return nil, fmt.Errorf("ImageFolderOptions.Preprocess: %w", err)
		}
	}
	for c := range s.c {
		for v := range 256 {
			s.lut[c][v] = p.Apply(c, uint8(v))
		}
	}
	s.prep = fmt.Sprintf("%v", s.lut[:s.c])
	aug, err := opts.Augment.withDefaults()
	if err != nil {
		return nil, err
	}
	if opts.Augment.Active() {
		s.augment = aug
	}
	return s, nil
}

// unitPixels is the default preprocessing: pixels / 255.
type unitPixels struct{}

// Apply maps a pixel value of any channel to value/255.
func (unitPixels) Apply(_ int, pixel uint8) float32 { return float32(float64(pixel) / 255) }

type split struct{ name, dir string }

// findSplits returns the split folders of dir: train (required), val and
// test, or dir itself as the training split when it has no train/.
func findSplits(dir string) ([]split, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("OpenImageFolder: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("OpenImageFolder: %s is not a folder", dir)
	}
	var out []split
	for _, name := range splitNames {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			out = append(out, split{name, p})
		}
	}
	switch {
	case len(out) == 0:
		return []split{{"train", dir}}, nil
	case out[0].name != "train":
		return nil, fmt.Errorf("OpenImageFolder: %s has %s/ but no train/ folder", dir, out[0].name)
	}
	return out, nil
}

// subFolders lists dir's sub-folders (not hidden), sorted.
func subFolders(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("OpenImageFolder: %w", err)
	}
	var classes []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			classes = append(classes, e.Name())
		}
	}
	slices.Sort(classes)
	return classes, nil
}

// sameClasses reports a split whose class folders differ from train's.
func sameClasses(dir string, got []string, trainDir string, want []string) error {
	for _, c := range want {
		if !slices.Contains(got, c) {
			return fmt.Errorf("OpenImageFolder: %s lacks class folder %q (%s has %s)", dir, c, trainDir, strings.Join(want, ", "))
		}
	}
	for _, c := range got {
		if !slices.Contains(want, c) {
			return fmt.Errorf("OpenImageFolder: %s has class folder %q that %s lacks (classes: %s)", dir, c, trainDir, strings.Join(want, ", "))
		}
	}
	return nil
}

// isImageFile reports the file names OpenImageFolder and ImageFolder read.
func isImageFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return !strings.HasPrefix(name, ".") && (ext == ".png" || ext == ".jpg" || ext == ".jpeg")
}

// readSplit reads one split's files into a lazy Dataset, checking each
// image in parallel (header only with SkipVerify).
func readSplit(sp split, f *Folder, base *imageSet, opts ImageFolderOptions) (*Dataset, error) {
	var paths []string
	var labels []int32
	for label, class := range f.Classes {
		entries, err := os.ReadDir(filepath.Join(sp.dir, class))
		if err != nil {
			return nil, fmt.Errorf("OpenImageFolder: %w", err)
		}
		n := 0
		for _, e := range entries {
			if !e.IsDir() && isImageFile(e.Name()) {
				paths = append(paths, filepath.Join(sp.dir, class, e.Name()))
				labels = append(labels, int32(label))
				n++
			}
		}
		if n == 0 && sp.name == "train" {
			return nil, fmt.Errorf("OpenImageFolder: %s holds no .jpg, .jpeg or .png files", filepath.Join(sp.dir, class))
		}
	}
	set := *base
	set.paths, set.files, set.sums = paths, make([][]byte, len(paths)), make([][32]byte, len(paths))
	if sp.name != "train" {
		set.augment = ImageAugment{} // only training images are augmented
	}
	errs := make([]error, len(paths))
	bar := newProgress(sp.name, len(paths), opts)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(set.workers, max(len(paths), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]float32, set.h*set.w*set.c)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(paths) {
					return
				}
				errs[i] = set.load(i, buf, !opts.SkipVerify)
				bar.add()
			}
		}()
	}
	wg.Wait()
	bar.done()
	d := &Dataset{Name: filepath.Base(f.Dir) + "/" + sp.name, Shape: slices.Clone(opts.Shape), Classes: f.Classes}
	keep := make([]int, 0, len(paths))
	for i, err := range errs {
		switch {
		case err == nil:
			keep = append(keep, i)
			f.Bytes += int64(len(set.files[i]))
		case opts.SkipCorrupt:
			f.Skipped = append(f.Skipped, err.Error())
		default:
			return nil, fmt.Errorf("OpenImageFolder: %w (SkipCorrupt leaves such files out)", err)
		}
	}
	d.images = set.subset(keep)
	d.Y = make([]int32, len(keep))
	for k, i := range keep {
		d.Y[k] = labels[i]
	}
	if d.Len() == 0 {
		return nil, fmt.Errorf("OpenImageFolder: %s holds no readable images", sp.dir)
	}
	return d, nil
}

// load reads file i's bytes and checks it: its header, and with verify a
// whole decode into buf.
func (s *imageSet) load(i int, buf []float32, verify bool) error {
	b, err := os.ReadFile(s.paths[i])
	if err != nil {
		return fmt.Errorf("image %s: %w", s.paths[i], err)
	}
	if _, err := checkImageBytes(b); err != nil {
		return fmt.Errorf("image %s: %w", s.paths[i], err)
	}
	s.files[i], s.sums[i] = b, sha256.Sum256(b)
	if verify {
		return s.decode(i, buf, false, 0)
	}
	return nil
}

// progress reports a split's files as they are read.
type progress struct {
	name       string
	total      int
	n          atomic.Int64
	mu         sync.Mutex
	last       time.Time
	w          io.Writer
	onProgress func(string, int, int)
}

func newProgress(name string, total int, opts ImageFolderOptions) *progress {
	return &progress{name: name, total: total, w: opts.Progress, onProgress: opts.OnProgress}
}

func (p *progress) add() {
	n := int(p.n.Add(1))
	if p.w == nil && p.onProgress == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n < p.total && time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.report(n)
}

func (p *progress) report(n int) {
	if p.onProgress != nil {
		p.onProgress(p.name, n, p.total)
	}
	if p.w != nil {
		const width = 30
		filled := width * n / max(p.total, 1)
		fmt.Fprintf(p.w, "\r%-5s [%s%s] %d/%d images", p.name, strings.Repeat("#", filled), strings.Repeat(" ", width-filled), n, p.total)
	}
}

func (p *progress) done() {
	if p.w != nil && p.total > 0 {
		p.mu.Lock()
		p.report(int(p.n.Load()))
		fmt.Fprintln(p.w)
		p.mu.Unlock()
	}
}
