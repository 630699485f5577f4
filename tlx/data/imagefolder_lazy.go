package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// imageSet holds a lazily decoded data set's examples as compressed image
// files (JPEG or PNG bytes) and how each becomes a model input: decoded,
// cropped (augmentation), resized to h×w, flipped and colour-jittered
// (augmentation), rounded to 8 bits and mapped through the preprocessing.
type imageSet struct {
	paths   []string // each example's file, for errors and Dataset.Path
	files   [][]byte // each example's compressed bytes (shared by subsets)
	sums    [][32]byte
	h, w, c int
	chw     bool            // channels-first output (C, H, W)
	lut     [3][256]float32 // preprocessed value of output channel c at 8-bit level v
	bgr     bool            // output channel c reads source channel 2-c
	prep    string          // the preprocessing, for the fingerprint
	augment ImageAugment    // the training augmentation (zero: none)
	workers int             // decoders working at once
	pool    *sync.Pool      // per-decoder scratch buffers
}

// scratch is one decoder's reusable memory.
type scratch struct{ src, dst []float32 }

func (s *imageSet) subset(idx []int) *imageSet {
	out := *s
	out.paths, out.files, out.sums = make([]string, len(idx)), make([][]byte, len(idx)), make([][32]byte, len(idx))
	for i, j := range idx {
		out.paths[i], out.files[i], out.sums[i] = s.paths[j], s.files[j], s.sums[j]
	}
	return &out
}

// fingerprint covers every file's bytes (their SHA-256, in order) and
// each decoding setting.
func (s *imageSet) fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "images-v1|%d|%d|%d|%v|%v|%s|%+v|", s.h, s.w, s.c, s.chw, s.bgr, s.prep, s.augment)
	for _, sum := range s.sums {
		h.Write(sum[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// decode writes example i into dst (h*w*c values), augmented with the
// draw from seed when augment is set.
func (s *imageSet) decode(i int, dst []float32, augment bool, seed uint64) error {
	img, _, err := image.Decode(bytes.NewReader(s.files[i]))
	if err != nil {
		return fmt.Errorf("image %s: %w", s.paths[i], err)
	}
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	b := img.Bounds()
	ih, iw := b.Dy(), b.Dx()
	d := draw{crop: box{0, 0, iw, ih}, brightness: 1, contrast: 1, saturation: 1}
	if augment {
		d = s.augment.drawFor(rand.New(rand.NewPCG(seed, 0x1a6e)), ih, iw)
	}
	n := s.h * s.w * s.c
	if cap(sc.dst) < n {
		sc.dst = make([]float32, n)
	}
	px := sc.dst[:n]
	sc.src = resample(px, img, s.c, d.crop, s.h, s.w, d.flip, sc.src)
	d.jitter(px, s.c)
	for p := range s.h * s.w {
		for ch := range s.c {
			src := ch
			if s.bgr && s.c == 3 {
				src = 2 - ch
			}
			v := s.lut[ch][quantize(px[p*s.c+src])]
			if s.chw {
				dst[ch*s.h*s.w+p] = v
			} else {
				dst[p*s.c+ch] = v
			}
		}
	}
	return nil
}

// fill decodes the examples idx into dst, in parallel; seeds (one per
// example) select the augmentation, nil decodes the images as they are.
func (s *imageSet) fill(dst []float32, idx []int, seeds []uint64) error {
	size := s.h * s.w * s.c
	workers := min(max(s.workers, 1), len(idx))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, len(idx))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(idx) {
					return
				}
				var seed uint64
				if seeds != nil {
					seed = seeds[k]
				}
				errs[k] = s.decode(idx[k], dst[k*size:(k+1)*size], seeds != nil, seed)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Lazy reports whether the examples are kept as compressed images and
// decoded when a batch needs them (OpenImageFolder) instead of held in X.
func (d *Dataset) Lazy() bool { return d.images != nil }

// Augmented reports whether training batches of d are augmented as they
// are decoded (OpenImageFolder's training split with an ImageAugment).
func (d *Dataset) Augmented() bool { return d.images != nil && d.images.augment.Active() }

// WithoutAugment returns d with its decode-time augmentation off (the
// same examples): e.g. to score a model on its training images as they are.
func (d *Dataset) WithoutAugment() *Dataset {
	if !d.Augmented() {
		return d
	}
	out := *d
	set := *d.images
	set.augment = ImageAugment{}
	out.images = &set
	return &out
}

// Path is the file example i was read from ("" for a data set held in
// memory).
func (d *Dataset) Path(i int) string {
	if d.images == nil {
		return ""
	}
	return d.images.paths[i]
}

// Batch writes the examples idx, one after the other, into dst
// (len(idx)*Size() values). A lazy data set decodes them in parallel
// (GOMAXPROCS decoders); when rng is not nil and d is Augmented, each
// image gets its own augmentation, drawn from rng (one value per image,
// in order, so the same rng state gives the same batch however the
// decoders are scheduled). A data set held in memory copies its values
// and never draws from rng.
func (d *Dataset) Batch(dst []float32, idx []int, rng *rand.Rand) error {
	size := d.Size()
	if len(dst) < len(idx)*size {
		return fmt.Errorf("dataset %q: %d values of room for %d examples of %d", d.Name, len(dst), len(idx), size)
	}
	if d.images == nil {
		for i, j := range idx {
			copy(dst[i*size:(i+1)*size], d.X[j*size:(j+1)*size])
		}
		return nil
	}
	var seeds []uint64
	if rng != nil && d.Augmented() {
		seeds = make([]uint64, len(idx))
		for i := range seeds {
			seeds[i] = rng.Uint64()
		}
	}
	if err := d.images.fill(dst, idx, seeds); err != nil {
		return fmt.Errorf("dataset %q: %w", d.Name, err)
	}
	return nil
}

// Materialize returns d with every example decoded into X (d itself when
// it is held in memory already): Size()*4 bytes per example, so only for
// sets that fit (a 224×224×3 image takes 602 KB).
func (d *Dataset) Materialize() (*Dataset, error) {
	if d.images == nil {
		return d, nil
	}
	out := &Dataset{Name: d.Name, Shape: slices.Clone(d.Shape), Y: slices.Clone(d.Y), Classes: d.Classes,
		X: make([]float32, d.Len()*d.Size())}
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	if err := d.Batch(out.X, idx, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// eager is Materialize for the transformations that read X (they panic on
// misuse already).
func (d *Dataset) eager() *Dataset {
	out, err := d.Materialize()
	if err != nil {
		panic(err)
	}
	return out
}

// lazyExample decodes example i of a lazy set (no augmentation).
func (d *Dataset) lazyExample(i int) []float32 {
	out := make([]float32, d.Size())
	if err := d.images.fill(out, []int{i}, nil); err != nil {
		panic(fmt.Errorf("dataset %q: %w", d.Name, err))
	}
	return out
}

// defaultWorkers is the number of decoders a lazy set runs at once.
func defaultWorkers() int { return runtime.GOMAXPROCS(0) }
