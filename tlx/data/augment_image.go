package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ImageAugment is the augmentation an image folder's training split gets
// each time an image is decoded (a new draw every batch, from the
// training's seed): torchvision's RandomResizedCrop, RandomHorizontalFlip
// and ColorJitter (brightness, contrast, saturation; no hue). The zero
// value augments nothing. Validation and test splits are never augmented.
//
//	data.ImageAugment{Crop: true, Flip: true, Brightness: 0.2, Contrast: 0.2, Saturation: 0.2}
type ImageAugment struct {
	// Crop takes a random box of the image (a share of its area in
	// CropScale and an aspect ratio in CropRatio) and resizes it to the
	// model's input, instead of the whole image.
	Crop bool
	// CropScale bounds the box's share of the image area; zero means
	// torchvision's {0.08, 1}.
	CropScale [2]float64
	// CropRatio bounds the box's width / height; zero means {3/4, 4/3}.
	CropRatio [2]float64
	// Flip mirrors half of the images left-right.
	Flip bool
	// Brightness, Contrast and Saturation jitter each image by a factor
	// drawn uniformly from [1-v, 1+v] (v in 0..1): brightness scales the
	// pixels, contrast blends them with the image's mean grey, saturation
	// with each pixel's grey. Applied in that order, clamped to 0..1.
	Brightness, Contrast, Saturation float64
}

// Active reports whether a changes any image.
func (a ImageAugment) Active() bool {
	return a.Crop || a.Flip || a.Brightness > 0 || a.Contrast > 0 || a.Saturation > 0
}

// withDefaults fills CropScale and CropRatio and checks the ranges.
func (a ImageAugment) withDefaults() (ImageAugment, error) {
	if a.CropScale == [2]float64{} {
		a.CropScale = [2]float64{0.08, 1}
	}
	if a.CropRatio == [2]float64{} {
		a.CropRatio = [2]float64{3.0 / 4, 4.0 / 3}
	}
	if !(a.CropScale[0] > 0 && a.CropScale[0] <= a.CropScale[1] && a.CropScale[1] <= 1) {
		return a, fmt.Errorf("ImageAugment.CropScale %v: want 0 < low <= high <= 1", a.CropScale)
	}
	if !(a.CropRatio[0] > 0 && a.CropRatio[0] <= a.CropRatio[1]) {
		return a, fmt.Errorf("ImageAugment.CropRatio %v: want 0 < low <= high", a.CropRatio)
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"Brightness", a.Brightness}, {"Contrast", a.Contrast}, {"Saturation", a.Saturation}} {
		if !(v.v >= 0 && v.v <= 1) {
			return a, fmt.Errorf("ImageAugment.%s %g: want 0..1", v.name, v.v)
		}
	}
	return a, nil
}

// draw is one image's augmentation.
type draw struct {
	crop                             box
	flip                             bool
	brightness, contrast, saturation float32
}

// drawFor draws the augmentation of an ih×iw image from rng (always the
// same number of draws per image, so that one image's draw does not shift
// the next one's).
func (a ImageAugment) drawFor(rng *rand.Rand, ih, iw int) draw {
	d := draw{crop: box{0, 0, iw, ih}, brightness: 1, contrast: 1, saturation: 1}
	if a.Crop {
		d.crop = a.randomCrop(rng, ih, iw)
	}
	d.flip = a.Flip && rng.IntN(2) == 1
	factor := func(v float64) float32 {
		u := rng.Float64()
		if v == 0 {
			return 1
		}
		return float32(1 - v + 2*v*u)
	}
	d.brightness, d.contrast, d.saturation = factor(a.Brightness), factor(a.Contrast), factor(a.Saturation)
	return d
}

// randomCrop is torchvision's RandomResizedCrop.get_params: ten tries at a
// box of a random area share and log-uniform aspect ratio that fits, else
// the largest central box whose ratio is within range.
func (a ImageAugment) randomCrop(rng *rand.Rand, ih, iw int) box {
	area := float64(ih * iw)
	logLo, logHi := math.Log(a.CropRatio[0]), math.Log(a.CropRatio[1])
	for range 10 {
		target := area * (a.CropScale[0] + (a.CropScale[1]-a.CropScale[0])*rng.Float64())
		ratio := math.Exp(logLo + (logHi-logLo)*rng.Float64())
		w := int(math.Round(math.Sqrt(target * ratio)))
		h := int(math.Round(math.Sqrt(target / ratio)))
		if w > 0 && h > 0 && w <= iw && h <= ih {
			return box{x: rng.IntN(iw - w + 1), y: rng.IntN(ih - h + 1), w: w, h: h}
		}
	}
	w, h := iw, ih
	switch r := float64(iw) / float64(ih); {
	case r < a.CropRatio[0]:
		h = int(math.Round(float64(w) / a.CropRatio[0]))
	case r > a.CropRatio[1]:
		w = int(math.Round(float64(h) * a.CropRatio[1]))
	}
	return box{x: (iw - w) / 2, y: (ih - h) / 2, w: w, h: h}
}

// jitter applies the draw's colour factors to h×w×ch values in 0..1, in
// place (grey images take brightness and contrast only).
func (d draw) jitter(px []float32, ch int) {
	if d.brightness == 1 && d.contrast == 1 && d.saturation == 1 {
		return
	}
	grey := func(i int) float32 {
		if ch == 1 {
			return px[i]
		}
		return 0.299*px[i] + 0.587*px[i+1] + 0.114*px[i+2]
	}
	clamp := func(v float32) float32 { return min(max(v, 0), 1) }
	if d.brightness != 1 {
		for i := range px {
			px[i] = clamp(px[i] * d.brightness)
		}
	}
	if d.contrast != 1 {
		var sum float64
		for i := 0; i < len(px); i += ch {
			sum += float64(grey(i))
		}
		mean := float32(sum / float64(len(px)/ch))
		for i := range px {
			px[i] = clamp(mean + (px[i]-mean)*d.contrast)
		}
	}
	if d.saturation != 1 && ch == 3 {
		for i := 0; i < len(px); i += 3 {
			g := grey(i)
			for c := range 3 {
				px[i+c] = clamp(g + (px[i+c]-g)*d.saturation)
			}
		}
	}
}
