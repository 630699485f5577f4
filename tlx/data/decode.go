package data

import (
	"bytes"
	"fmt"
	"image"
)

// taps are one axis of a bilinear resize: output position k reads source
// positions at[lo[k]] and at[hi[k]] (indices into at, the source positions
// read, in increasing order) with weight wt[k] on the second.
type taps struct {
	lo, hi []int
	wt     []float32
	at     []int
}

// axisTaps resamples source positions start..start+length-1 of an axis of
// size limit to n positions, with Dataset.Resize's arithmetic
// (align-corners off, as PyTorch's interpolate).
func axisTaps(start, length, limit, n int) taps {
	t := taps{lo: make([]int, n), hi: make([]int, n), wt: make([]float32, n)}
	scale := float64(length) / float64(n)
	last := min(start+length, limit) - 1
	for k := range n {
		f := max(float64(start)+(float64(k)+0.5)*scale-0.5, float64(start))
		a := min(int(f), last)
		b := min(a+1, last)
		t.wt[k] = float32(f - float64(a))
		// a and b never decrease with k: each new source position is the
		// next one in at.
		for _, p := range []int{a, b} {
			if len(t.at) == 0 || t.at[len(t.at)-1] != p {
				t.at = append(t.at, p)
			}
		}
		t.hi[k] = len(t.at) - 1
		t.lo[k] = t.hi[k]
		if a != b {
			t.lo[k]--
		}
	}
	return t
}

// sample returns img's pixels at rows × cols (positions relative to its
// bounds) as len(rows)×len(cols)×channels values in 0..1: the values
// FromImage gives those pixels (16-bit colour / 65535; grey is 0.299 R +
// 0.587 G + 0.114 B), read from the decoders' own image types without an
// interface call per pixel. Only the pixels a resize reads are converted:
// a 12-megapixel photo resized to 224² costs 448² conversions, not 12 M.
// buf is reused when large enough.
func sample(img image.Image, rows, cols []int, channels int, buf []float32) []float32 {
	n := len(rows) * len(cols) * channels
	if cap(buf) < n {
		buf = make([]float32, n)
	}
	out := buf[:n]
	put := func(i int, r, g, bl uint32) {
		if channels == 1 {
			out[i] = float32(0.299*float64(r)+0.587*float64(g)+0.114*float64(bl)) / 65535
			return
		}
		out[3*i], out[3*i+1], out[3*i+2] = float32(r)/65535, float32(g)/65535, float32(bl)/65535
	}
	origin := img.Bounds().Min
	each := func(at func(x, y int) (r, g, b uint32)) {
		i := 0
		for _, y := range rows {
			for _, x := range cols {
				r, g, bl := at(origin.X+x, origin.Y+y)
				put(i, r, g, bl)
				i++
			}
		}
	}
	switch src := img.(type) {
	case *image.YCbCr: // JPEG colour
		each(func(x, y int) (uint32, uint32, uint32) { r, g, b, _ := src.YCbCrAt(x, y).RGBA(); return r, g, b })
	case *image.Gray: // JPEG and PNG grey
		each(func(x, y int) (uint32, uint32, uint32) { v := uint32(src.GrayAt(x, y).Y) * 0x101; return v, v, v })
	case *image.NRGBA: // PNG with alpha
		each(func(x, y int) (uint32, uint32, uint32) { r, g, b, _ := src.NRGBAAt(x, y).RGBA(); return r, g, b })
	case *image.RGBA: // PNG colour
		each(func(x, y int) (uint32, uint32, uint32) { r, g, b, _ := src.RGBAAt(x, y).RGBA(); return r, g, b })
	default:
		each(func(x, y int) (uint32, uint32, uint32) { r, g, b, _ := img.At(x, y).RGBA(); return r, g, b })
	}
	return out
}

// box is a rectangle of a source image, in pixels.
type box struct{ x, y, w, h int }

// resample resizes the part b of img to h×w×ch values in 0..1 into dst,
// bilinearly, mirrored left-right when flip is set. For the whole image it
// gives what FromImage does (Dataset.Resize's arithmetic), value for value.
func resample(dst []float32, img image.Image, ch int, b box, h, w int, flip bool, buf []float32) []float32 {
	bounds := img.Bounds()
	ty, tx := axisTaps(b.y, b.h, bounds.Dy(), h), axisTaps(b.x, b.w, bounds.Dx(), w)
	buf = sample(img, ty.at, tx.at, ch, buf)
	sw := len(tx.at) * ch
	for y := range h {
		r0, r1 := buf[ty.lo[y]*sw:(ty.lo[y]+1)*sw], buf[ty.hi[y]*sw:(ty.hi[y]+1)*sw]
		wy := ty.wt[y]
		row := dst[y*w*ch : (y+1)*w*ch]
		for x := range w {
			x0, x1, wx := tx.lo[x]*ch, tx.hi[x]*ch, tx.wt[x]
			out := x
			if flip {
				out = w - 1 - x
			}
			for c := range ch {
				top := r0[x0+c]*(1-wx) + r0[x1+c]*wx
				bot := r1[x0+c]*(1-wx) + r1[x1+c]*wx
				row[out*ch+c] = top*(1-wy) + bot*wy
			}
		}
	}
	return buf
}

// checkImageBytes decodes only the header of an image file's bytes and
// refuses a format Go cannot read or a size over MaxImagePixels.
func checkImageBytes(b []byte) (image.Config, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return cfg, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxImagePixels {
		return cfg, fmt.Errorf("%d×%d pixels, want at most %d", cfg.Width, cfg.Height, MaxImagePixels)
	}
	return cfg, nil
}

// quantize is an 8-bit level of a value in 0..1 (clamped), as an image
// library's resize hands pixels to a model's preprocessing.
func quantize(v float32) uint8 {
	// int(f + 0.5) is math.Round(f) for these f (0..255, at most 32
	// significant bits: the sum is exact), without its call.
	return uint8(int(float64(min(max(v, 0), 1))*255 + 0.5))
}
