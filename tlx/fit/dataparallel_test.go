package fit_test

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Two XLA CPU host devices (the plugin shows 4 on its own), batch sharded, weights replicated: the same loss
// curve as one device. Tolerance: the partitioned graph sums each
// reduction over the batch as two halves plus an all-reduce, a different
// order from one device's; with float32 (u ≈ 6e-8) and the small CNN's
// few layers that is ~1e-6 relative per step, 1e-5 leaves a factor of 10
// over 5 SGD steps.
func TestDataParallelMatchesOneDevice(t *testing.T) {
	xla := xlaDevices(t, 2)
	build := func() *net.Model { return arch.CNN("cnn", 10, true, 8, 8, 1) }
	start := filepath.Join(t.TempDir(), "start.safetensors")
	if err := build().SaveWeights(start); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const n, steps = 32, 5
	xs, ys := make([][]float32, steps), make([][]int32, steps)
	for s := range steps {
		xs[s], ys[s] = make([]float32, n*64), make([]int32, n)
		for i := range xs[s] {
			xs[s][i] = rng.Float32()
		}
		for i := range ys[s] {
			ys[s][i] = int32(rng.IntN(10))
		}
	}
	var curves [2][]float64
	var weights [2]map[string]*tensors.Tensor
	for run := range curves {
		m := build()
		m.Compute = xla
		if err := m.LoadWeights(start); err != nil {
			t.Fatal(err)
		}
		var step func(x, y *tensors.Tensor) (float64, error)
		if run == 0 {
			s, err := fit.NewTrainStep(m, fit.SGD(0), 0.01)
			if err != nil {
				t.Fatal(err)
			}
			step = s.Step
		} else {
			s, err := fit.NewDataParallelStep(m, fit.SGD(0), 0.01, 2)
			if err != nil {
				t.Fatal(err)
			}
			step = s.Step
			defer func() {
				if got := s.NumDevices(); got != 2 {
					t.Errorf("the data-parallel step ran on %d device(s), want 2", got)
				}
			}()
		}
		for s := range steps {
			loss, err := step(tensors.FromFlatDataAndDimensions(xs[s], n, 8, 8, 1), tensors.FromFlatDataAndDimensions(ys[s], n))
			if err != nil {
				t.Fatalf("run %d step %d: %v", run, s+1, err)
			}
			curves[run] = append(curves[run], loss)
		}
		var err error
		if weights[run], err = m.Values(); err != nil {
			t.Fatalf("run %d: reading the weights: %v", run, err)
		}
	}
	if len(weights[0]) == 0 || len(weights[1]) != len(weights[0]) {
		t.Fatalf("weights: %d and %d variables", len(weights[0]), len(weights[1]))
	}
	for path, w := range weights[0] {
		a, b := tensors.MustCopyFlatData[float32](w), tensors.MustCopyFlatData[float32](weights[1][path])
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-5*(1+math.Abs(float64(a[i]))) {
				t.Errorf("%s[%d]: one device %g, two %g", path, i, a[i], b[i])
				break
			}
		}
	}
	for s := range steps {
		if d := math.Abs(curves[0][s]-curves[1][s]) / (1 + curves[0][s]); d > 1e-5 {
			t.Errorf("step %d: one device %.7f, two %.7f (relative %.2g)", s+1, curves[0][s], curves[1][s], d)
		}
	}
	t.Logf("one device %.6f\ntwo devices %.6f", curves[0], curves[1])
}

// Fit with Config.Devices 2 on two XLA CPU devices follows Fit on one:
// the same loss over an epoch and the same validation scores, from the
// same start weights, data order and seed. One epoch of plain SGD keeps
// the comparison out of the chaotic regime where float32 sums in another
// order (the step test's ~1e-6 per step) grow without bound; over the 42
// steps of an epoch of digits they stay under 1e-4 relative. What this
// guards against is far larger: labels paired with another device's
// images, or BatchNorm statistics per device instead of over the batch,
// change the epoch's loss by percents.
func TestFitOnDevicesMatchesOneDevice(t *testing.T) {
	xla := xlaDevices(t, 2)
	train, val := digits(t)
	build := func() *net.Model { return arch.CNN("cnn", 10, true, 8, 8, 1) }
	start := filepath.Join(t.TempDir(), "start.safetensors")
	if err := build().SaveWeights(start); err != nil {
		t.Fatal(err)
	}
	var hs [2]*fit.History
	for run, devices := range []int{0, 2} {
		m := build()
		m.Compute = xla
		if err := m.LoadWeights(start); err != nil {
			t.Fatal(err)
		}
		var err error
		hs[run], err = fit.Fit(m, train, fit.Config{Epochs: 1, BatchSize: 32, Optimizer: fit.SGD(0), LR: 0.05, Seed: 1,
			Val: val, Devices: devices, FeatureCache: fit.CacheOff, CacheDir: t.TempDir()})
		if err != nil {
			t.Fatalf("Devices %d: %v", devices, err)
		}
	}
	if want := "data-parallel: each training step ran on 2 devices (Config.Devices 2)"; !slices.Contains(hs[1].Notes, want) {
		t.Errorf("notes of the data-parallel Fit: %q, want %q", hs[1].Notes, want)
	}
	if len(hs[0].Epochs) != 1 || len(hs[1].Epochs) != 1 {
		t.Fatalf("epochs: %d and %d, want 1", len(hs[0].Epochs), len(hs[1].Epochs))
	}
	for e := range hs[0].Epochs {
		a, b := hs[0].Epochs[e], hs[1].Epochs[e]
		for _, m := range []struct {
			name string
			x, y float64
		}{{"train loss", a.TrainLoss, b.TrainLoss}, {"val loss", a.ValLoss, b.ValLoss}, {"val accuracy", a.ValAccuracy, b.ValAccuracy}} {
			if d := math.Abs(m.x-m.y) / (1 + math.Abs(m.x)); d > 1e-4 {
				t.Errorf("epoch %d %s: one device %.7f, two %.7f (relative %.2g)", e+1, m.name, m.x, m.y, d)
			}
		}
		t.Logf("epoch %d: train loss %.7f vs %.7f, val loss %.7f vs %.7f", e+1, a.TrainLoss, b.TrainLoss, a.ValLoss, b.ValLoss)
	}
	if acc := hs[0].Epochs[0].ValAccuracy; acc < 0.5 {
		t.Errorf("validation accuracy after an epoch %.3f: the comparison is of a model that did not learn", acc)
	}
}

// A Config.Devices the backend lacks, or a batch that does not split, is
// refused before anything trains, naming the field.
func TestFitDevicesRefused(t *testing.T) {
	train, _ := digits(t)
	m := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	_, err := fit.Fit(m, train, fit.Config{Devices: 64, CacheDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "fit.Config.Devices: 64 devices asked") {
		t.Errorf("64 devices: %v", err)
	}
	m.Compute = xlaDevices(t, 2)
	_, err = fit.Fit(m, train, fit.Config{Devices: 2, BatchSize: 33, CacheDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "fit.Config.BatchSize: 33 does not split over 2 devices") {
		t.Errorf("batch 33 over 2 devices: %v", err)
	}
}

// xlaDevices starts xla:cpu for the test (finalized at its end) and fails
// it unless the backend has at least n devices.
func xlaDevices(t *testing.T, n int) compute.Backend {
	t.Helper()
	xla, notice, err := engine.Start("xla:cpu")
	if err != nil || notice != "" {
		t.Fatalf("xla:cpu: %v %s", err, notice)
	}
	t.Cleanup(xla.Finalize)
	if xla.NumDevices() < n {
		t.Fatalf("xla:cpu has %d device(s), want %d or more (the PJRT CPU plugin's host devices)", xla.NumDevices(), n)
	}
	return xla
}
