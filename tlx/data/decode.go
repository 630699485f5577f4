package data

import (
	"bytes"
	"fmt"
	"image"
)

// pixelsOf returns img's pixels as ih×iw×channels values in 0..1, the
// values FromImage gives before it resizes (16-bit colour / 65535; grey is
// 0.299 R + 0.587 G + 0.114 B), reading the decoders' own image types
// without an interface call per pixel. buf is reused when large enough.
func pixelsOf(img image.Image, channels int, buf []float32) []float32 {
	b := img.Bounds()
	n := b.Dx() * b.Dy() * channels
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
	i := 0
	switch src := img.(type) {
	case *image.YCbCr: // JPEG colour
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := src.YCbCrAt(x, y).RGBA()
				put(i, r, g, bl)
				i++
			}
		}
	case *image.Gray: // JPEG and PNG grey
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				v := uint32(src.GrayAt(x, y).Y) * 0x101
				put(i, v, v, v)
				i++
			}
		}
	case *image.NRGBA: // PNG with alpha
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := src.NRGBAAt(x, y).RGBA()
				put(i, r, g, bl)
				i++
			}
		}
	case *image.RGBA: // PNG colour
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := src.RGBAAt(x, y).RGBA()
				put(i, r, g, bl)
				i++
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				put(i, r, g, bl)
				i++
			}
		}
	}
	return out
}

// box is a rectangle of a source image, in pixels.
type box struct{ x, y, w, h int }

// resizeBox resamples the part b of src (ih×iw×ch values) to h×w
// bilinearly into dst, mirrored left-right when flip is set. For the whole
// image it computes what Dataset.Resize does (align-corners off, as
// PyTorch's interpolate), value for value.
func resizeBox(dst, src []float32, ih, iw, ch int, b box, h, w int, flip bool) {
	sy, sx := float64(b.h)/float64(h), float64(b.w)/float64(w)
	bottom, right := min(b.y+b.h, ih)-1, min(b.x+b.w, iw)-1
	type tap struct {
		x0, x1, out int
		wx          float32
	}
	cols := make([]tap, w)
	for x := range w {
		fx := max(float64(b.x)+(float64(x)+0.5)*sx-0.5, float64(b.x))
		x0 := min(int(fx), right)
		cols[x] = tap{x0: x0, x1: min(x0+1, right), out: x, wx: float32(fx - float64(x0))}
		if flip {
			cols[x].out = w - 1 - x
		}
	}
	for y := range h {
		fy := max(float64(b.y)+(float64(y)+0.5)*sy-0.5, float64(b.y))
		y0 := min(int(fy), bottom)
		y1 := min(y0+1, bottom)
		wy := float32(fy - float64(y0))
		r0, r1 := src[y0*iw*ch:(y0+1)*iw*ch], src[y1*iw*ch:(y1+1)*iw*ch]
		row := dst[y*w*ch : (y+1)*w*ch]
		for _, t := range cols {
			for c := range ch {
				top := r0[t.x0*ch+c]*(1-t.wx) + r0[t.x1*ch+c]*t.wx
				bot := r1[t.x0*ch+c]*(1-t.wx) + r1[t.x1*ch+c]*t.wx
				row[t.out*ch+c] = top*(1-wy) + bot*wy
			}
		}
	}
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
