package tlx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/zoo"
)

// exportTolerance is the relative difference (of the largest output,
// at least 1) allowed between two float32 evaluations of a network of
// depth weighted layers that sum in different orders (ONNX Runtime's
// kernels vs the Go backend's, or GoMLX's convolution vs tlx's im2col):
// a sum of K products rounded in another order differs by about √K·ε
// relative (ε = 2⁻²³ ≈ 1.2e-7); tlx's layers sum K = 9..600 terms, so 16ε
// per layer, and the layers' differences add at most linearly.
func exportTolerance(depth int) float64 {
	return float64(depth) * 16 * math.Pow(2, -23)
}

// weightedDepth is the depth to give exportTolerance for a model whose
// sums may be longer than tlx's own layers': the number of weight kernels
// (variables of rank 2 or more), times √K/16 for its longest sum K (the
// fan-in: every dimension of a kernel but the last), rounded up.
func weightedDepth(t *testing.T, m *net.Model) int {
	t.Helper()
	vals, err := m.Values()
	if err != nil {
		t.Fatal(err)
	}
	kernels, longest := 0, 1
	for _, v := range vals {
		dims := v.Shape().Dimensions
		if len(dims) < 2 {
			continue
		}
		kernels++
		fanIn := 1
		for _, d := range dims[:len(dims)-1] {
			fanIn *= d
		}
		longest = max(longest, fanIn)
	}
	return kernels * max(1, int(math.Ceil(math.Sqrt(float64(longest))/16)))
}

// exportBatch is a seeded batch of inputs in [0, 1) for m.
func exportBatch(m *net.Model, batch int, seed uint64) *tensors.Tensor {
	return testutil.UniformBatch(batch, m.InputShape, seed, 7)
}

// exportRandomBN gives tlx BatchNorm statistics other than 0 and 1 (a seeded
// stand-in for training), so that the export must carry them.
func exportRandomBN(t *testing.T, m *net.Model) {
	t.Helper()
	if _, err := m.Init(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for v := range m.Store.IterVariables() {
		if v.Name() != "mean" && v.Name() != "variance" {
			continue
		}
		old := tensors.MustCopyFlatData[float32](v.MustValue())
		for i := range old {
			if v.Name() == "mean" {
				old[i] = 0.2 * (rng.Float32() - 0.5)
			} else {
				old[i] = 0.5 + rng.Float32()
			}
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(old, v.Shape().Dimensions...)); err != nil {
			t.Fatal(err)
		}
	}
}

// exportOutputs runs m on x.
func exportOutputs(t *testing.T, m *net.Model, x *tensors.Tensor) []float32 {
	t.Helper()
	y, err := m.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](y)
}

// exportWithin fails the test when got differs from want by more than tol
// relative to max(|want|, 1).
func exportWithin(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst, scale := testutil.MaxDiff(got, want)
	rel := worst / math.Max(scale, 1)
	t.Logf("%s: max difference %.2g relative (outputs up to %.2g; tolerance %.2g)", what, rel, scale, tol)
	if rel > tol {
		t.Errorf("%s: differs by %.2g relative, more than %.2g", what, rel, tol)
	}
}

// checkExport exports m, runs the file in ONNX Runtime at batch sizes 3
// and 1 against m on the Go backend, loads the file back with Load and
// compares again; it returns the reloaded model.
func checkExport(t *testing.T, m *net.Model, depth int) *net.Model {
	t.Helper()
	tol := exportTolerance(depth)
	path := filepath.Join(t.TempDir(), "exported.onnx")
	if err := Export(m, path); err != nil {
		t.Fatal(err)
	}
	x := exportBatch(m, 3, 1)
	want := exportOutputs(t, m, x)
	got, _ := testutil.RunORT(t, path, tensors.MustCopyFlatData[float32](x), x.Shape().Dimensions)
	exportWithin(t, "ONNX Runtime vs tlx, batch 3", got, want, tol)
	x1 := exportBatch(m, 1, 2)
	got1, _ := testutil.RunORT(t, path, tensors.MustCopyFlatData[float32](x1), x1.Shape().Dimensions)
	exportWithin(t, "ONNX Runtime vs tlx, batch 1", got1, exportOutputs(t, m, x1), tol)

	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Name != m.Name || !slices.Equal(back.InputShape, m.InputShape) || !slices.Equal(back.Classes, m.Classes) ||
		back.Preprocessing.String() != m.Preprocessing.String() {
		t.Errorf("reloaded %s %v classes %q preprocessing %s; exported %s %v classes %q preprocessing %s",
			back.Name, back.InputShape, back.Classes, back.Preprocessing, m.Name, m.InputShape, m.Classes, m.Preprocessing)
	}
	t.Logf("reloaded groups %v (exported %v)", back.GroupNames(), m.GroupNames())
	exportWithin(t, "reloaded with tlx.Load vs tlx", exportOutputs(t, back, x), want, tol)
	return back
}

// Every zoo model exports: its pretrained weights when the zoo cache has
// them (training is not part of the unit tests), else its architecture
// at its seeded initialisation.
func TestExportZooModels(t *testing.T) {
	for _, name := range zoo.Names() {
		t.Run(name, func(t *testing.T) {
			var m *net.Model
			if p, ok := zoo.PackagedEntry(name); ok {
				// Weights from a package setup installs, unpacked offline;
				// at a small input (images 96², text 16 tokens) to stay fast.
				small := []int{16}
				if len(p.InputShape) == 3 {
					small = []int{96, 96, p.InputShape[2]}
				}
				var err error
				if m, _, err = zoo.Pretrained(name, zoo.Options{InputShape: small}); err != nil {
					t.Fatal(err)
				}
				checkExport(t, m, weightedDepth(t, m))
				return
			}
			if _, err := os.Stat(filepath.Join(zoo.CacheDir(), name, "card.json")); err == nil {
				if m, _, err = zoo.Pretrained(name); err != nil {
					t.Fatal(err)
				}
				t.Logf("pretrained weights from %s", zoo.CacheDir())
			} else {
				r, err := zoo.Get(name)
				if err != nil {
					t.Fatal(err)
				}
				m = r.Build()
				exportRandomBN(t, m)
				shapes, err := m.Init()
				if err != nil {
					t.Fatal(err)
				}
				for i := range shapes[len(shapes)-1][1] {
					m.Classes = append(m.Classes, fmt.Sprintf("class %d", i))
				}
				t.Logf("zoo cache empty: seeded initial weights")
			}
			checkExport(t, m, 18)
		})
	}
}

// A small CNN of tlx's layers with BatchNorm, class names and a
// preprocessing: outputs, names and preprocessing survive the round trip.
func TestExportCNN(t *testing.T) {
	m := arch.CNN("digits-cnn", 3, true, 16, 16, 1)
	exportRandomBN(t, m)
	m.Classes = []string{"zero", "one", "two"}
	m.Preprocessing = net.Preprocessing{Channels: 1, Mean: []float64{0.1307}, Std: []float64{0.3081}, Source: "test"}
	back := checkExport(t, m, 4)
	if back.Preprocessing.Source != "test" || back.Preprocessing.Mean[0] != 0.1307 {
		t.Errorf("reloaded preprocessing %+v", back.Preprocessing)
	}
}

// tlx/arch's ResNet-18 and MobileNetV2 (the architectures safetensors
// imports are built into) at a small width and input.
func TestExportArch(t *testing.T) {
	t.Run("resnet18", func(t *testing.T) {
		m := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 4, Classes: 5}, 32, 32, 3)
		exportRandomBN(t, m)
		checkExport(t, m, 18)
	})
	t.Run("mobilenetv2", func(t *testing.T) {
		m := arch.MobileNetV2(arch.MobileNetV2Config{Width: 0.25, Classes: 4, SmallInput: true}, 16, 16, 3)
		exportRandomBN(t, m)
		checkExport(t, m, 53)
	})
}

// TF.js layers models (the fixtures of tlx/tfjs's tests), as loaded and
// after fine-tuning: a new head and one Adam step.
func TestExportTFJS(t *testing.T) {
	fixtures := testutil.Fixtures("bash scripts/setup.sh installs @tensorflow/tfjs-layers", "node", "tfjs/testdata/make_models.js")
	for _, name := range []string{"mobilenetish", "resnetish"} {
		t.Run(name, func(t *testing.T) {
			m, err := Load(filepath.Join(fixtures.Path(t, name), "model.json"))
			if err != nil {
				t.Fatal(err)
			}
			checkExport(t, m, 8)
		})
	}
	t.Run("mobilenetish-fine-tuned", func(t *testing.T) {
		m, err := Load(filepath.Join(fixtures.Path(t, "mobilenetish"), "model.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.ReplaceHead(3); err != nil {
			t.Fatal(err)
		}
		m.Classes = []string{"cat", "dog", "bird"}
		exportTrainStep(t, m, 3)
		checkExport(t, m, 8)
	})
}

// exportTrainStep trains m one Adam step on a seeded batch with labels below classes.
func exportTrainStep(t *testing.T, m *net.Model, classes int) {
	t.Helper()
	before, err := m.WeightsHash()
	if err != nil {
		t.Fatal(err)
	}
	step, err := fit.NewTrainStep(m, fit.Adam(), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	labels := make([]int32, 8)
	for i := range labels {
		labels[i] = int32(i % classes)
	}
	if _, err := step.Step(exportBatch(m, 8, 9), tensors.FromFlatDataAndDimensions(labels, len(labels))); err != nil {
		t.Fatal(err)
	}
	if after, _ := m.WeightsHash(); after == before {
		t.Fatal("the training step changed no weight")
	}
}

// An ONNX file exported by PyTorch, imported, fine-tuned (new head, one
// step) and exported again by tlx.
func TestExportONNXImport(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("/usr/bin/python3", "onnxnet/testdata/export_models.py", dir, "smallcnn").CombinedOutput(); err != nil {
		t.Fatalf("exporting the PyTorch model (apt-get install python3-torch python3-torchvision): %v\n%s", err, out)
	}
	m, err := Load(filepath.Join(dir, "smallcnn_bn.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.ReplaceHead(4); err != nil {
		t.Fatal(err)
	}
	exportTrainStep(t, m, 4)
	back := checkExport(t, m, 4)
	// The reimported export trains again: it is a model like any other.
	exportTrainStep(t, back, 4)
}
