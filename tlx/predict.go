package tlx

import (
	"fmt"
	"image"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Prediction is a model's answer for one example: its k most probable
// classes, most probable first.
type Prediction struct {
	Classes []string  // class names (the model's Classes; "class N" where it has none)
	Indices []int     // class indices, in the same order
	Probs   []float64 // softmax probabilities, in the same order
}

// Class is the most probable class's name.
func (p Prediction) Class() string {
	if len(p.Classes) == 0 {
		return ""
	}
	return p.Classes[0]
}

// Prob is the most probable class's probability.
func (p Prediction) Prob() float64 {
	if len(p.Probs) == 0 {
		return 0
	}
	return p.Probs[0]
}

// String lists the classes with their probabilities: "sneaker 0.912,
// sandal 0.061, ankle boot 0.020".
func (p Prediction) String() string {
	parts := make([]string, len(p.Classes))
	for i := range p.Classes {
		parts[i] = fmt.Sprintf("%s %.3f", p.Classes[i], p.Probs[i])
	}
	return strings.Join(parts, ", ")
}

// Predictions are the predictions for a batch, in the batch's order.
type Predictions []Prediction

// String puts one prediction on each line.
func (ps Predictions) String() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Classes lists each example's most probable class.
func (ps Predictions) Classes() []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Class()
	}
	return out
}

// Predict runs m on x and returns each example's top k classes (k <= 0 or
// more than the classes: all of them) with their softmax probabilities.
// x is one of:
//
//   - a PNG or JPEG file's path (string), or several ([]string)
//   - an image.Image, or several ([]image.Image)
//   - a *data.Dataset, a *tensors.Tensor (one example of m's input shape,
//     or a batch of them) or []float32 (one example)
//
// Images go through the model's own preprocessing (PreprocessImage:
// resized to the input's height and width, grey or RGB/BGR, scaled by
// m.Preprocessing); data sets, tensors and float slices are taken as
// model inputs already, as training sees them.
func Predict(m *net.Model, x any, k int) (Predictions, error) {
	in, err := predictInput(m, x)
	if err != nil {
		return nil, fmt.Errorf("tlx.Predict(%s): %w", m.Name, err)
	}
	logits, err := fit.Outputs(m, in, "")
	if err != nil {
		return nil, fmt.Errorf("tlx.Predict(%s): %w", m.Name, err)
	}
	n := len(logits) / max(in.Len(), 1)
	out := make(Predictions, in.Len())
	for i := range out {
		out[i] = topK(logits[i*n:(i+1)*n], m.Classes, k)
	}
	return out, nil
}

// topK turns one row of logits into a Prediction.
func topK(row []float32, classes []string, k int) Prediction {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, float64(v))
	}
	probs := make([]float64, len(row))
	var sum float64
	for i, v := range row {
		probs[i] = math.Exp(float64(v) - mx)
		sum += probs[i]
	}
	order := make([]int, len(row))
	for i := range order {
		order[i] = i
		probs[i] /= sum
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	if k <= 0 || k > len(order) {
		k = len(order)
	}
	p := Prediction{Indices: order[:k]}
	for _, c := range p.Indices {
		name := fmt.Sprintf("class %d", c)
		if c < len(classes) {
			name = classes[c]
		}
		p.Classes = append(p.Classes, name)
		p.Probs = append(p.Probs, probs[c])
	}
	return p
}

// predictInput turns what Predict accepts into a batch of model inputs.
func predictInput(m *net.Model, x any) (*data.Dataset, error) {
	batch := &data.Dataset{Name: "predict", Shape: m.InputShape}
	addImage := func(img image.Image, what string) error {
		v, err := PreprocessImage(m, img)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		batch.X = append(batch.X, v...)
		batch.Y = append(batch.Y, 0)
		return nil
	}
	switch v := x.(type) {
	case string:
		return predictInput(m, []string{v})
	case []string:
		for _, path := range v {
			img, err := data.ReadImage(path)
			if err != nil {
				return nil, err
			}
			if err := addImage(img, path); err != nil {
				return nil, err
			}
		}
	case image.Image:
		return predictInput(m, []image.Image{v})
	case []image.Image:
		for i, img := range v {
			if err := addImage(img, fmt.Sprintf("image %d", i)); err != nil {
				return nil, err
			}
		}
	case *data.Dataset:
		if !slices.Equal(v.Shape, m.InputShape) {
			return nil, fmt.Errorf("dataset %q has examples of shape %v, the model's input is %v", v.Name, v.Shape, m.InputShape)
		}
		return v, nil
	case []float32:
		if len(v) != batch.Size() {
			return nil, fmt.Errorf("%d values, one example of the model's input %v has %d", len(v), m.InputShape, batch.Size())
		}
		batch.X, batch.Y = v, []int32{0}
	case *tensors.Tensor:
		dims := v.Shape().Dimensions
		one := slices.Equal(dims, m.InputShape)
		if v.DType() != dtypes.Float32 || !(one || len(dims) > 0 && slices.Equal(dims[1:], m.InputShape)) {
			return nil, fmt.Errorf("tensor %s: want float32 of shape %v or [batch %v]", v.Shape(), m.InputShape, m.InputShape)
		}
		batch.X = tensors.MustCopyFlatData[float32](v)
		batch.Y = make([]int32, len(batch.X)/batch.Size())
	default:
		return nil, fmt.Errorf("cannot predict on a %T: want a file path, an image.Image, a *data.Dataset, a *tensors.Tensor or []float32 (or a slice of paths or images)", x)
	}
	if batch.Len() == 0 {
		return nil, fmt.Errorf("nothing to predict on (an empty batch)")
	}
	return batch, nil
}

// PreprocessImage turns an image into one input of m, as m's weights
// expect it: resized (bilinearly) to the input's height and width, grey
// or colour as the input has 1 or 3 channels (blue first with
// Preprocessing.BGR), each channel's 8-bit value p mapped by
// m.Preprocessing.Apply. A channels-first input shape (C, H, W: ONNX
// models loaded with ChannelsFirst) gets its values in that order.
func PreprocessImage(m *net.Model, img image.Image) ([]float32, error) {
	h, w, c, chw, err := imageInput(m.InputShape)
	if err != nil {
		return nil, err
	}
	p := m.Preprocessing
	if err := p.Validate(c); err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	pixels, err := data.FromImage(img, h, w, c)
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(pixels))
	for i := range pixels {
		pix, ch := i/c, i%c
		src := ch
		if p.BGR && c == 3 {
			src = 2 - ch
		}
		// 8-bit values, as a decoder and an image library's resize give them
		// (PIL, then torchvision's ToTensor): exact for images at the input's size.
		b := uint8(math.Round(float64(min(max(pixels[pix*c+src], 0), 1)) * 255))
		if chw {
			out[ch*h*w+pix] = p.Apply(ch, b)
		} else {
			out[i] = p.Apply(ch, b)
		}
	}
	return out, nil
}

// imageInput reads height, width and channels from an input shape: H, W, C
// (tlx's layout) or C, H, W when the first dimension is 1 or 3 and the last
// is not.
func imageInput(shape []int) (h, w, c int, chw bool, err error) {
	if len(shape) != 3 {
		return 0, 0, 0, false, fmt.Errorf("input shape %v is not an image's (height, width, channels)", shape)
	}
	if last := shape[2]; last == 1 || last == 3 {
		return shape[0], shape[1], last, false, nil
	}
	if first := shape[0]; first == 1 || first == 3 {
		return shape[1], shape[2], first, true, nil
	}
	return 0, 0, 0, false, fmt.Errorf("input shape %v: want 1 or 3 channels, first or last", shape)
}
