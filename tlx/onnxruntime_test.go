package tlx

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
)

// RunONNXRuntime gives ONNX Runtime's own answer for an exported model:
// the same values, bit for bit, as the tests' independent runner
// (testutil.RunORT: another script, the same runtime and file), the
// dims [batch, classes], and tlx's outputs within the export tolerance.
func TestRunONNXRuntime(t *testing.T) {
	m := arch.CNN("ort-cnn", 3, true, 12, 12, 3)
	exportRandomBN(t, m)
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := Export(m, path); err != nil {
		t.Fatal(err)
	}
	x := exportBatch(m, 4, 5)
	y, err := RunONNXRuntime(path, x)
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Shape().Dimensions; !slices.Equal(got, []int{4, 3}) {
		t.Fatalf("output dims %v, want [4 3]", got)
	}
	got := tensors.MustCopyFlatData[float32](y)
	ref, _ := testutil.RunORT(t, path, tensors.MustCopyFlatData[float32](x), x.Shape().Dimensions)
	if !slices.Equal(got, ref) {
		t.Fatalf("RunONNXRuntime %v, the tests' ONNX Runtime runner %v", got, ref)
	}
	exportWithin(t, "ONNX Runtime vs tlx", got, exportOutputs(t, m, x), exportTolerance(4))
}

// A missing file and an input of the wrong shape are errors that name the
// file and what went wrong, not a crash.
func TestRunONNXRuntimeErrors(t *testing.T) {
	x := tensors.FromFlatDataAndDimensions(make([]float32, 6), 1, 6)
	if _, err := RunONNXRuntime(filepath.Join(t.TempDir(), "none.onnx"), x); err == nil || !strings.Contains(err.Error(), "none.onnx") {
		t.Fatalf("missing file: error %v", err)
	}
	m := arch.CNN("ort-cnn", 3, false, 12, 12, 3)
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := Export(m, path); err != nil {
		t.Fatal(err)
	}
	if _, err := RunONNXRuntime(path, x); err == nil || !strings.Contains(err.Error(), "onnxruntime-node") {
		t.Fatalf("an input of the wrong shape: error %v", err)
	}
}
