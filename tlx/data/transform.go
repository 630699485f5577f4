package data

import (
	"fmt"
	"math"
	"slices"
)

// Resize returns images resized to h×w with bilinear interpolation
// (align-corners off, as PyTorch's interpolate).
func (d *Dataset) Resize(h, w int) *Dataset {
	if len(d.Shape) != 3 {
		panic(fmt.Errorf("data.Resize: dataset %q has example shape %v, want height, width, channels", d.Name, d.Shape))
	}
	ih, iw, ch := d.Shape[0], d.Shape[1], d.Shape[2]
	out := &Dataset{Name: d.Name, Shape: []int{h, w, ch}, Y: slices.Clone(d.Y), Classes: d.Classes,
		X: make([]float32, d.Len()*h*w*ch)}
	sy, sx := float64(ih)/float64(h), float64(iw)/float64(w)
	for n := range d.Len() {
		src := d.Example(n)
		dst := out.X[n*h*w*ch : (n+1)*h*w*ch]
		for y := range h {
			fy := max((float64(y)+0.5)*sy-0.5, 0)
			y0 := min(int(fy), ih-1)
			y1 := min(y0+1, ih-1)
			wy := float32(fy - float64(y0))
			for x := range w {
				fx := max((float64(x)+0.5)*sx-0.5, 0)
				x0 := min(int(fx), iw-1)
				x1 := min(x0+1, iw-1)
				wx := float32(fx - float64(x0))
				for c := range ch {
					p := func(yy, xx int) float32 { return src[(yy*iw+xx)*ch+c] }
					top := p(y0, x0)*(1-wx) + p(y0, x1)*wx
					bottom := p(y1, x0)*(1-wx) + p(y1, x1)*wx
					dst[(y*w+x)*ch+c] = top*(1-wy) + bottom*wy
				}
			}
		}
	}
	return out
}

// ToRGB repeats a single channel three times.
func (d *Dataset) ToRGB() *Dataset {
	if len(d.Shape) != 3 || d.Shape[2] != 1 {
		panic(fmt.Errorf("data.ToRGB: dataset %q has example shape %v, want one channel", d.Name, d.Shape))
	}
	d = d.eager()
	out := &Dataset{Name: d.Name, Shape: []int{d.Shape[0], d.Shape[1], 3}, Y: slices.Clone(d.Y), Classes: d.Classes,
		X: make([]float32, 0, 3*len(d.X))}
	for _, v := range d.X {
		out.X = append(out.X, v, v, v)
	}
	return out
}

// Normalize subtracts mean and divides by std per channel (last axis); one
// value applies to all channels.
func (d *Dataset) Normalize(mean, std []float64) *Dataset {
	d = d.eager()
	ch := d.Shape[len(d.Shape)-1]
	at := func(v []float64, c int) float64 {
		if len(v) == 1 {
			return v[0]
		}
		return v[c]
	}
	if (len(mean) != 1 && len(mean) != ch) || (len(std) != 1 && len(std) != ch) {
		panic(fmt.Errorf("data.Normalize: %d means and %d stds for %d channels", len(mean), len(std), ch))
	}
	out := &Dataset{Name: d.Name, Shape: slices.Clone(d.Shape), Y: slices.Clone(d.Y), Classes: d.Classes, X: make([]float32, len(d.X))}
	for i, v := range d.X {
		c := i % ch
		out.X[i] = float32((float64(v) - at(mean, c)) / at(std, c))
	}
	return out
}

// MeanStd returns the per-channel mean and standard deviation.
func (d *Dataset) MeanStd() (mean, std []float64) {
	d = d.eager()
	ch := d.Shape[len(d.Shape)-1]
	mean, std = make([]float64, ch), make([]float64, ch)
	n := make([]float64, ch)
	for i, v := range d.X {
		mean[i%ch] += float64(v)
		n[i%ch]++
	}
	for c := range mean {
		mean[c] /= n[c]
	}
	for i, v := range d.X {
		dv := float64(v) - mean[i%ch]
		std[i%ch] += dv * dv
	}
	for c := range std {
		std[c] = math.Sqrt(std[c] / n[c])
	}
	return mean, std
}

// Concat joins datasets of the same example shape and classes.
func Concat(name string, parts ...*Dataset) (*Dataset, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("data.Concat: nothing to join")
	}
	out := &Dataset{Name: name, Shape: slices.Clone(parts[0].Shape), Classes: parts[0].Classes}
	for _, p := range parts {
		if !slices.Equal(p.Shape, out.Shape) || !slices.Equal(p.Classes, out.Classes) {
			return nil, fmt.Errorf("data.Concat: %q has shape %v and classes %v, want %v and %v", p.Name, p.Shape, p.Classes, out.Shape, out.Classes)
		}
		out.X = append(out.X, p.eager().X...)
		out.Y = append(out.Y, p.Y...)
	}
	return out, nil
}

// Rotations is the rotation-prediction pretext task (Gidaris et al., 2018)
// on unlabelled square images: every image four times, turned by 0, 90,
// 180 and 270 degrees counter-clockwise, labelled 0..3 by its turn. A
// network that learns to tell the turns apart learns the shapes of the
// images, without any labels.
func (d *Dataset) Rotations() (*Dataset, error) {
	if len(d.Shape) != 3 || d.Shape[0] != d.Shape[1] {
		return nil, fmt.Errorf("data.Rotations: dataset %q has example shape %v, want square images (size, size, channels)", d.Name, d.Shape)
	}
	n, ch := d.Shape[0], d.Shape[2]
	size := d.Size()
	out := &Dataset{Name: d.Name + " (rotations)", Shape: slices.Clone(d.Shape),
		Classes: []string{"0°", "90°", "180°", "270°"},
		X:       make([]float32, 4*d.Len()*size), Y: make([]int32, 4*d.Len())}
	for i := range d.Len() {
		src := d.Example(i)
		for turn := range 4 {
			dst := out.X[(4*i+turn)*size : (4*i+turn+1)*size]
			for y := range n {
				for x := range n {
					// Source pixel of output (y, x) after turn quarter turns counter-clockwise.
					sy, sx := y, x
					for range turn {
						sy, sx = sx, n-1-sy
					}
					copy(dst[(y*n+x)*ch:(y*n+x+1)*ch], src[(sy*n+sx)*ch:(sy*n+sx+1)*ch])
				}
			}
			out.Y[4*i+turn] = int32(turn)
		}
	}
	return out, nil
}

// Pad surrounds images with constant borders (top, bottom, left, right
// pixels of value fill): e.g. the 8×8 digits resized to 20×20 and padded by
// 4 take MNIST's layout (a 20×20 digit centred in 28×28).
func (d *Dataset) Pad(top, bottom, left, right int, fill float32) *Dataset {
	if len(d.Shape) != 3 || top < 0 || bottom < 0 || left < 0 || right < 0 {
		panic(fmt.Errorf("data.Pad: dataset %q has example shape %v (want height, width, channels) or a negative border", d.Name, d.Shape))
	}
	h, w, ch := d.Shape[0], d.Shape[1], d.Shape[2]
	oh, ow := h+top+bottom, w+left+right
	out := &Dataset{Name: d.Name, Shape: []int{oh, ow, ch}, Y: slices.Clone(d.Y), Classes: d.Classes,
		X: make([]float32, d.Len()*oh*ow*ch)}
	if fill != 0 {
		for i := range out.X {
			out.X[i] = fill
		}
	}
	for n := range d.Len() {
		src := d.Example(n)
		dst := out.X[n*oh*ow*ch : (n+1)*oh*ow*ch]
		for y := range h {
			copy(dst[((y+top)*ow+left)*ch:((y+top)*ow+left+w)*ch], src[y*w*ch:(y+1)*w*ch])
		}
	}
	return out
}
