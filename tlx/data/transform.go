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
		out.X = append(out.X, p.X...)
		out.Y = append(out.Y, p.Y...)
	}
	return out, nil
}
