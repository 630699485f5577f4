package onnxnet

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
)

// runORT runs an ONNX file in ONNX Runtime (node + onnxruntime-node).
func runORT(t *testing.T, model string, x *tensors.Tensor) []float32 {
	t.Helper()
	values := tensors.MustCopyFlatData[float32](x)
	raw := make([]byte, 4*len(values))
	for i, f := range values {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	in := filepath.Join(t.TempDir(), "input.f32")
	if err := os.WriteFile(in, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	dims := ""
	for i, d := range x.Shape().Dimensions {
		if i > 0 {
			dims += ","
		}
		dims += fmtInt(d)
	}
	cmd := exec.Command("node", "testdata/ort_run.js", model, in, dims)
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(root, ".tlx/npm/node_modules"))
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("ONNX Runtime on %s (bash scripts/setup.sh installs onnxruntime-node): %v\n%s", model, err, stderr)
	}
	var y struct{ Data []float32 }
	if err := json.Unmarshal(out, &y); err != nil {
		t.Fatal(err)
	}
	return y.Data
}

func fmtInt(d int) string { return string(must(json.Marshal(d))) }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
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
	y, err := m.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	want := tensors.MustCopyFlatData[float32](y)
	path := filepath.Join(t.TempDir(), "tuned.onnx")
	if err := Export(m, path); err != nil {
		t.Fatal(err)
	}
	got := runORT(t, path, nchw)
	if len(got) != len(want) {
		t.Fatalf("ONNX Runtime gave %d values, tlx %d", len(got), len(want))
	}
	diff, scale := maxRelDiff(got, want)
	t.Logf("exported model in ONNX Runtime vs tlx: max relative difference %.2g (outputs up to %.2g)", diff, scale)
	if diff > 1e-5 {
		t.Errorf("ONNX Runtime's outputs differ from tlx's by %.2g relative", diff)
	}

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
