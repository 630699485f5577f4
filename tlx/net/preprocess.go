package net

import (
	"fmt"
	"strings"
)

// Preprocessing says how a raw image becomes this model's input: it is
// resized to the model's input height and width, its channels put in order,
// its 8-bit pixel values p mapped to (p/255 - Mean[c]) / Std[c]. Importers
// and the zoo set it (Keras MobileNetV2 and Inception expect [-1, 1]:
// Mean 0.5, Std 0.5; torchvision models expect ImageNet's mean and std), so
// that Predict, data loaders and exports apply what the weights were trained
// with instead of a user guessing it.
type Preprocessing struct {
	// Channels is 1 (grayscale) or 3 (colour); 0 means the model's input
	// shape's last dimension.
	Channels int `json:"channels,omitempty"`
	// BGR puts colour channels in blue, green, red order (Caffe-style
	// weights); the default is red, green, blue.
	BGR bool `json:"bgr,omitempty"`
	// Mean and Std hold one value per channel (or one for all) applied
	// after scaling pixels to [0, 1]; empty means 0 and 1.
	Mean []float64 `json:"mean,omitempty"`
	Std  []float64 `json:"std,omitempty"`
	// Source names where these values come from, for model cards and
	// reports: "keras mobilenet_v2 preprocess_input", "torchvision ImageNet".
	Source string `json:"source,omitempty"`
}

// Common preprocessings of pretrained image models.
var (
	// Unit maps pixels to [0, 1]: tlx's own data sets and zoo models.
	Unit = Preprocessing{Source: "pixels / 255"}
	// SymmetricUnit maps pixels to [-1, 1]: Keras's MobileNet, MobileNetV2,
	// Inception and Xception ("tf" mode of preprocess_input).
	SymmetricUnit = Preprocessing{Mean: []float64{0.5}, Std: []float64{0.5}, Source: "keras preprocess_input mode tf: [-1, 1]"}
	// ImageNet is torchvision's and timm's normalisation with ImageNet's
	// channel means and standard deviations.
	ImageNet = Preprocessing{Channels: 3, Mean: []float64{0.485, 0.456, 0.406}, Std: []float64{0.229, 0.224, 0.225}, Source: "torchvision ImageNet mean/std"}
)

// Validate reports a preprocessing that cannot be applied to images with
// the given number of channels.
func (p Preprocessing) Validate(channels int) error {
	if p.Channels != 0 && p.Channels != channels {
		return fmt.Errorf("preprocessing: %d channels, but the model's input has %d", p.Channels, channels)
	}
	for _, v := range []struct {
		name string
		vals []float64
	}{{"mean", p.Mean}, {"std", p.Std}} {
		if len(v.vals) > 1 && len(v.vals) != channels {
			return fmt.Errorf("preprocessing: %d %s values for %d channels (want 1 or %d)", len(v.vals), v.name, channels, channels)
		}
	}
	for i, s := range p.Std {
		if s <= 0 {
			return fmt.Errorf("preprocessing: std[%d] = %g, want > 0", i, s)
		}
	}
	return nil
}

// Apply maps one 8-bit pixel value of channel c to the model's input scale.
func (p Preprocessing) Apply(c int, pixel uint8) float32 {
	v := float64(pixel) / 255
	if m := pick(p.Mean, c); m != 0 {
		v -= m
	}
	if s := pick(p.Std, c); s != 0 {
		v /= s
	}
	return float32(v)
}

// pick returns vals[c], the single value when there is one, 0 when none.
func pick(vals []float64, c int) float64 {
	switch {
	case len(vals) == 0:
		return 0
	case len(vals) == 1:
		return vals[0]
	default:
		return vals[c]
	}
}

// String describes p in one line, e.g. "RGB, (x/255 - 0.5) / 0.5".
func (p Preprocessing) String() string {
	order := "RGB"
	if p.BGR {
		order = "BGR"
	}
	if p.Channels == 1 {
		order = "gray"
	}
	var b strings.Builder
	b.WriteString(order + ", ")
	switch {
	case len(p.Mean) == 0 && len(p.Std) == 0:
		b.WriteString("x/255")
	default:
		fmt.Fprintf(&b, "(x/255 - %v) / %v", trim(p.Mean, 0), trim(p.Std, 1))
	}
	return b.String()
}

func trim(vals []float64, empty float64) any {
	switch len(vals) {
	case 0:
		return empty
	case 1:
		return vals[0]
	}
	return vals
}
