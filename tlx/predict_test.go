package tlx

import (
	"image"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// PreprocessImage computes torchvision's Normalize(mean, std)(ToTensor(img))
// for an ImageNet model: (p/255 - mean[c]) / std[c], channel by channel,
// in RGB or BGR order and in either layout.
func TestPreprocessImageMatchesTorchvisionFormula(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	px := [4][3]uint8{{0, 128, 255}, {12, 34, 56}, {200, 100, 50}, {255, 255, 0}}
	for i, p := range px {
		img.Set(i%2, i/2, color.RGBA{p[0], p[1], p[2], 255})
	}
	mean, std := net.ImageNet.Mean, net.ImageNet.Std
	for _, tc := range []struct {
		name  string
		shape []int
		bgr   bool
	}{{"HWC RGB", []int{2, 2, 3}, false}, {"HWC BGR", []int{2, 2, 3}, true}, {"CHW RGB", []int{3, 2, 2}, false}} {
		m := net.New("probe", tc.shape...)
		m.Preprocessing = net.ImageNet
		m.Preprocessing.BGR = tc.bgr
		got, err := PreprocessImage(m, img)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range px {
			for c := range 3 {
				src := c
				if tc.bgr {
					src = 2 - c
				}
				want := (float64(p[src])/255 - mean[c]) / std[c]
				at := i*3 + c
				if tc.shape[0] == 3 {
					at = c*4 + i
				}
				// float32 rounding of a value below 3 in magnitude: 1e-6 covers it.
				if d := math.Abs(float64(got[at]) - want); d > 1e-6 {
					t.Errorf("%s: pixel %d channel %d = %v, want %v", tc.name, i, c, got[at], want)
				}
			}
		}
	}
	m := net.New("grey", 2, 2, 1)
	m.Preprocessing = net.ImageNet // three channels' statistics for one channel
	if _, err := PreprocessImage(m, img); err == nil {
		t.Error("ImageNet preprocessing accepted for a grey input")
	}
}

// Every kind of input Predict takes gives the same probabilities for the
// same example, the probabilities of all classes sum to 1, k bounds the
// answer, and the class names are the model's.
func TestPredictInputsAgree(t *testing.T) {
	m := arch.MLP("mlp", []int{8}, 3, 4, 4, 1)
	m.Classes = []string{"zero", "one", "two"}
	pixels := make([]float32, 16)
	for i := range pixels {
		pixels[i] = float32(i*16) / 255
	}
	path := filepath.Join(t.TempDir(), "x.png")
	if err := data.SavePNG(path, pixels, []int{4, 4, 1}); err != nil {
		t.Fatal(err)
	}
	img, err := data.ReadImage(path)
	if err != nil {
		t.Fatal(err)
	}
	batch := &data.Dataset{Name: "b", X: append(append([]float32{}, pixels...), pixels...), Shape: []int{4, 4, 1}, Y: []int32{0, 1}, Classes: m.Classes}
	inputs := map[string]any{
		"path": path, "image": img, "floats": pixels, "paths": []string{path, path},
		"tensor": tensors.FromFlatDataAndDimensions(pixels, 4, 4, 1), "batch tensor": tensors.FromFlatDataAndDimensions(batch.X, 2, 4, 4, 1),
		"dataset": batch,
	}
	ref, err := Predict(m, pixels, 0)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, p := range ref[0].Probs {
		sum += p
	}
	if len(ref) != 1 || len(ref[0].Classes) != 3 || math.Abs(sum-1) > 1e-12 || ref[0].Probs[0] < ref[0].Probs[2] {
		t.Fatalf("prediction %v (sum %v)", ref, sum)
	}
	for name, x := range inputs {
		got, err := Predict(m, x, 2)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, p := range got {
			if len(p.Classes) != 2 || p.Classes[0] != ref[0].Classes[0] || p.Probs[0] != ref[0].Probs[0] || p.Probs[1] != ref[0].Probs[1] {
				t.Errorf("%s: %v, want the top two of %v", name, p, ref[0])
			}
		}
	}
	if !strings.Contains(ref.String(), ref[0].Class()) {
		t.Errorf("String %q lacks the top class", ref.String())
	}
	if _, err := Predict(m, 42, 1); err == nil || !strings.Contains(err.Error(), "file path") {
		t.Errorf("an int: %v", err)
	}
	if _, err := Predict(m, tensors.FromFlatDataAndDimensions(pixels, 16, 1), 1); err == nil {
		t.Error("a 16×1 tensor accepted for a 4×4×1 input")
	}
	if _, err := Predict(m, make([]float32, 3), 1); err == nil {
		t.Error("3 values accepted for a 16-value input")
	}
}
