package charts

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
)

// Image is one picture for a gallery: H×W×C values in 0..1 (C is 1 or 3)
// and a caption.
type Image struct {
	Pixels  []float32
	H, W, C int
	Caption string
}

// Gallery renders images in a grid, each an inline PNG (no JavaScript, no
// network) enlarged with crisp pixels, its caption underneath.
func Gallery(title string, images []Image, scale int) (string, error) {
	if scale <= 0 {
		scale = 3
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="tlx-gallery"><div style="font-weight:bold;margin:4px 0">%s</div><div style="display:flex;flex-wrap:wrap;gap:8px">`, html.EscapeString(title))
	for i, im := range images {
		data, err := encodePNG(im)
		if err != nil {
			return "", fmt.Errorf("gallery image %d: %w", i, err)
		}
		fmt.Fprintf(&b, `<figure style="margin:0;text-align:center;font-size:80%%;font-family:monospace"><img src="data:image/png;base64,%s" width="%d" height="%d" style="image-rendering:pixelated;border:1px solid #ccc"><figcaption>%s</figcaption></figure>`,
			base64.StdEncoding.EncodeToString(data), im.W*scale, im.H*scale, html.EscapeString(im.Caption))
	}
	b.WriteString("</div></div>")
	return b.String(), nil
}

func encodePNG(im Image) ([]byte, error) {
	if im.C != 1 && im.C != 3 || len(im.Pixels) != im.H*im.W*im.C {
		return nil, fmt.Errorf("%d values for %d×%d×%d", len(im.Pixels), im.H, im.W, im.C)
	}
	byteOf := func(v float32) uint8 { return uint8(math.Round(math.Max(0, math.Min(1, float64(v))) * 255)) }
	var img image.Image
	if im.C == 1 {
		g := image.NewGray(image.Rect(0, 0, im.W, im.H))
		for i, v := range im.Pixels {
			g.Pix[i] = byteOf(v)
		}
		img = g
	} else {
		rgba := image.NewRGBA(image.Rect(0, 0, im.W, im.H))
		for p := 0; p < im.H*im.W; p++ {
			rgba.SetRGBA(p%im.W, p/im.W, color.RGBA{byteOf(im.Pixels[3*p]), byteOf(im.Pixels[3*p+1]), byteOf(im.Pixels[3*p+2]), 255})
		}
		img = rgba
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
