package engine_test

import (
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/onnxnet"
)

// Tolerances. float32's unit roundoff is u = 2^-24 ≈ 6e-8. Two backends
// that sum a length-K dot product in different orders differ by about
// √K·u relative (random-walk rounding; K·u is the worst case), and layers
// compound it. The small CNN has 3 layers with K ≤ 3·3·16 = 144:
// 3·12·6e-8 ≈ 2e-6, so 2e-5 leaves a factor of 10. ResNet-18 has 18
// weight layers plus the residual sums with K ≤ 3·3·8·8 = 576 at width 8:
// 20·24·6e-8 ≈ 3e-5, so 2e-4. Training: plain SGD (Adam's first step is
// lr·sign(g), which turns a rounding difference in a near-zero gradient
// into a whole step), a few steps at a rate that keeps the dynamics
// contracting, so the losses keep about the forward error, doubled.
const (
	cnnTol    = 2e-5
	resnetTol = 2e-4
)

func xlaCPU(t *testing.T) compute.Backend {
	t.Helper()
	b, notice, err := engine.Start("xla:cpu")
	if err != nil || notice != "" {
		t.Fatalf("xla:cpu did not start (scripts/setup.sh installs %s): %v %s", engine.PluginPackage, err, notice)
	}
	t.Cleanup(b.Finalize)
	return b
}

// twins returns two copies of the model build makes with the same start
// weights (the Go backend's initialisation), the first on the Go backend,
// the second on xla.
func twins(t *testing.T, xla compute.Backend, build func() *net.Model) (goM, xlaM *net.Model) {
	t.Helper()
	start := filepath.Join(t.TempDir(), "start.safetensors")
	if err := build().SaveWeights(start); err != nil {
		t.Fatal(err)
	}
	goM, xlaM = build(), build()
	xlaM.Compute = xla
	for _, m := range []*net.Model{goM, xlaM} {
		if err := m.LoadWeights(start); err != nil {
			t.Fatal(err)
		}
	}
	return goM, xlaM
}

// batch returns a seeded random batch for m: images in [0, 1), labels <
// classes. Each call makes new tensors (a tensor on one backend cannot be
// used on another).
func batch(m *net.Model, n, classes int) (x, y *tensors.Tensor) {
	rng := rand.New(rand.NewPCG(7, 13))
	size := n
	for _, d := range m.InputShape {
		size *= d
	}
	xs := make([]float32, size)
	for i := range xs {
		xs[i] = rng.Float32()
	}
	ys := make([]int32, n)
	for i := range ys {
		ys[i] = int32(rng.IntN(classes))
	}
	return tensors.FromFlatDataAndDimensions(xs, append([]int{n}, m.InputShape...)...), tensors.FromFlatDataAndDimensions(ys, n)
}

func outputs(t *testing.T, m *net.Model, x *tensors.Tensor) []float32 {
	t.Helper()
	y, err := m.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](y)
}

// closeTo reports the worst |a-b| / (1+|a|) and whether it is within tol.
func closeTo(a, b []float32, tol float64) (worst float64, ok bool) {
	if len(a) != len(b) {
		return math.Inf(1), false
	}
	for i := range a {
		worst = math.Max(worst, math.Abs(float64(a[i])-float64(b[i]))/(1+math.Abs(float64(a[i]))))
	}
	return worst, worst <= tol
}

// checkParity compares the outputs, then steps losses and outputs after
// steps of SGD, of the model build makes on the Go backend and on XLA.
func checkParity(t *testing.T, build func() *net.Model, classes, steps int, lr, tol float64) {
	xla := xlaCPU(t)
	goM, xlaM := twins(t, xla, build)
	out := func(m *net.Model) []float32 {
		x, _ := batch(m, 16, classes)
		return outputs(t, m, x)
	}
	if worst, ok := closeTo(out(goM), out(xlaM), tol); !ok {
		t.Errorf("outputs: worst relative difference %.2g, want ≤ %.0e", worst, tol)
	} else {
		t.Logf("outputs: worst relative difference %.2g (tolerance %.0e)", worst, tol)
	}
	var losses [2][]float64
	for i, m := range []*net.Model{goM, xlaM} {
		step, err := fit.NewTrainStep(m, fit.SGD(0), lr)
		if err != nil {
			t.Fatal(err)
		}
		for range steps {
			x, y := batch(m, 16, classes)
			loss, err := step.Step(x, y)
			if err != nil {
				t.Fatalf("model %d: %v", i, err)
			}
			losses[i] = append(losses[i], loss)
		}
	}
	for s := range steps {
		if d := math.Abs(losses[0][s]-losses[1][s]) / (1 + losses[0][s]); d > 2*tol {
			t.Errorf("step %d: loss Go %.7f, XLA %.7f (relative %.2g, want ≤ %.0e)", s+1, losses[0][s], losses[1][s], d, 2*tol)
		}
	}
	if losses[0][steps-1] >= losses[0][0] {
		t.Errorf("training did not lower the loss: %v", losses[0])
	}
	if worst, ok := closeTo(out(goM), out(xlaM), 2*tol); !ok {
		t.Errorf("outputs after %d steps: worst relative difference %.2g, want ≤ %.0e", steps, worst, 2*tol)
	}
	t.Logf("losses Go %.6f, XLA %.6f", losses[0], losses[1])
}

func TestXLATrainsTheSmallCNNLikeTheGoBackend(t *testing.T) {
	checkParity(t, func() *net.Model { return arch.CNN("cnn", 10, true, 16, 16, 3) }, 10, 4, 0.01, cnnTol)
}

func TestXLATrainsResNet18LikeTheGoBackend(t *testing.T) {
	checkParity(t, func() *net.Model {
		return arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 8, Classes: 5, SmallInput: true}, 16, 16, 3)
	}, 5, 3, 0.02, resnetTol)
}

// An ONNX-imported model (onnx-gomlx's conversion, weights as variables):
// PyTorch's export of a small CNN with BatchNorm kept (the oracle script
// of tlx/onnxnet's tests, run by Debian's python3-torch).
func TestXLATrainsAnImportedONNXModelLikeTheGoBackend(t *testing.T) {
	dir := t.TempDir()
	script, _ := filepath.Abs("../onnxnet/testdata/export_models.py")
	if out, err := exec.Command("/usr/bin/python3", script, dir, "smallcnn").CombinedOutput(); err != nil {
		t.Fatalf("exporting the ONNX model (apt-get install python3-torch python3-torchvision): %v\n%s", err, out)
	}
	path := filepath.Join(dir, "smallcnn_bn.onnx")
	checkParity(t, func() *net.Model {
		m, err := onnxnet.Load(path, onnxnet.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}, 10, 4, 0.05, cnnTol)
}

// One training stage through fit.Fit on digits: same epoch losses.
func TestXLAFitStageLikeTheGoBackend(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, val := d.Split(0.25, 1)
	goM, xlaM := twins(t, xlaCPU(t), func() *net.Model { return arch.CNN("cnn", 10, true, 8, 8, 1) })
	var runs [2]*fit.History
	for i, m := range []*net.Model{goM, xlaM} {
		h, err := fit.Fit(m, train, fit.Config{Epochs: 2, LR: 3e-3, Val: val, FeatureCache: fit.CacheOff})
		if err != nil {
			t.Fatal(err)
		}
		runs[i] = h
	}
	// Adam over two epochs of 1,347 images: sign flips of near-zero
	// gradient entries (see above) move single weights by up to 2·lr, so
	// losses are compared at the ONNX Runtime parity test's 1e-3.
	for e := range runs[0].Epochs {
		g, x := runs[0].Epochs[e], runs[1].Epochs[e]
		for _, pair := range [][2]float64{{g.TrainLoss, x.TrainLoss}, {g.ValLoss, x.ValLoss}} {
			if math.Abs(pair[0]-pair[1]) > 1e-3*math.Max(1, math.Abs(pair[0])) {
				t.Errorf("epoch %d: Go %.6f, XLA %.6f", e+1, pair[0], pair[1])
			}
		}
	}
}
