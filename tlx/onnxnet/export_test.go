package onnxnet

import (
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
)

// runORT runs an ONNX file in ONNX Runtime (node + onnxruntime-node).
func runORT(t *testing.T, model string, x *tensors.Tensor) []float32 {
	t.Helper()
	y, _ := testutil.RunORT(t, model, tensors.MustCopyFlatData[float32](x), x.Shape().Dimensions)
	return y
}

// exportMatchesORT exports m and checks that ONNX Runtime, given ortInput
// (x in the file's layout), computes what m computes for x, within 1e-5
// relative; it returns the file's path.
func exportMatchesORT(t *testing.T, m *net.Model, x, ortInput *tensors.Tensor) string {
	t.Helper()
	y, err := m.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	want := tensors.MustCopyFlatData[float32](y)
	path := filepath.Join(t.TempDir(), "tuned.onnx")
	if err := Export(m, path); err != nil {
		t.Fatal(err)
	}
	got := runORT(t, path, ortInput)
	if len(got) != len(want) {
		t.Fatalf("ONNX Runtime gave %d values, tlx %d", len(got), len(want))
	}
	diff, scale := maxRelDiff(got, want)
	t.Logf("export in ONNX Runtime vs tlx: max relative difference %.2g (outputs up to %.2g)", diff, scale)
	if diff > 1e-5 {
		t.Errorf("ONNX Runtime's outputs differ from tlx's by %.2g relative", diff)
	}
	return path
}

// A fine-tuned import with a new head exports to an ONNX file that ONNX
// Runtime runs to tlx's own outputs.
func TestExportRunsInONNXRuntime(t *testing.T) {
	m, err := Load(fixtures.Path(t, "smallcnn_bn.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.ReplaceHead(3); err != nil {
		t.Fatal(err)
	}
	if err := m.Freeze("conv1"); err != nil {
		t.Fatal(err)
	}
	x, nchw, _, labels := oracle(t, "smallcnn")
	for i := range labels {
		labels[i] %= 3
	}
	step, err := fit.NewTrainStep(m, fit.Adam(), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := step.Step(x, tensors.FromFlatDataAndDimensions(labels, len(labels))); err != nil {
			t.Fatal(err)
		}
	}
	path := exportMatchesORT(t, m, x, nchw)
	y, err := m.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	want := tensors.MustCopyFlatData[float32](y)

	// Reimporting the export gives the same model again.
	again, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	y2, err := again.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := maxRelDiff(tensors.MustCopyFlatData[float32](y2), want); d > 1e-6 {
		t.Errorf("reimported export differs by %.2g", d)
	}
}
