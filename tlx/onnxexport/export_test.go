package onnxexport_test

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/onnxexport"
)

// randomInput is a seeded batch of inputs in [0, 1) for m.
func randomInput(m *net.Model, batch int, seed uint64) *tensors.Tensor {
	return testutil.UniformBatch(batch, m.InputShape, seed, 1)
}

// checkInORT exports m, runs the file in ONNX Runtime at each batch size
// and compares with m's own outputs on the Go backend: within tol of the
// largest output (max(|output|, 1)).
func checkInORT(t *testing.T, m *net.Model, tol float64, batches ...int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), m.Name+".onnx")
	info, err := onnxexport.Export(m, path, onnxexport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info.FixedBatch != 0 {
		t.Fatalf("export has a fixed batch %d: %s", info.FixedBatch, info.Why)
	}
	t.Logf("%s: %d nodes, %d initializers", m.Name, info.Nodes, info.Initializers)
	for i, b := range batches {
		x := randomInput(m, b, uint64(i+1))
		y, err := m.Output(x, "")
		if err != nil {
			t.Fatal(err)
		}
		want := tensors.MustCopyFlatData[float32](y)
		got, dims := testutil.RunORT(t, path, tensors.MustCopyFlatData[float32](x), x.Shape().Dimensions)
		if !slices.Equal(dims, y.Shape().Dimensions) {
			t.Fatalf("batch %d: ONNX Runtime's output is %v, tlx's %v", b, dims, y.Shape().Dimensions)
		}
		worst, scale := testutil.MaxDiff(got, want)
		t.Logf("batch %d: max |ORT - tlx| = %.2g (outputs up to %.2g)", b, worst, scale)
		if worst > tol*math.Max(scale, 1) {
			t.Errorf("batch %d: ONNX Runtime differs from tlx by %.2g (outputs up to %.2g; tolerance %.2g relative)", b, worst, scale, tol)
		}
	}
	return path
}

func TestCNN(t *testing.T) {
	m := arch.CNN("cnn", 10, true, 28, 28, 1)
	checkInORT(t, m, 1e-5, 3, 1)
}

func TestResNet18(t *testing.T) {
	m := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 4, Classes: 5}, 32, 32, 3)
	checkInORT(t, m, 1e-5, 2, 1)
}
