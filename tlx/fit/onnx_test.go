package fit_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/fit"
)

func onnxBackend(t *testing.T) compute.Backend {
	t.Helper()
	if os.Getenv("ONNXRUNTIME_SHARED_LIBRARY_PATH") == "" {
		root, _ := filepath.Abs("../..")
		t.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", filepath.Join(root, ".tlx", "lib", "libonnxruntime.so.1"))
	}
	b, notice, err := engine.Start("onnx:cpu")
	if err != nil || notice != "" {
		t.Fatalf("ONNX Runtime backend did not start (run scripts/setup.sh): %v %s", err, notice)
	}
	return b
}

// Training on ONNX Runtime must follow the Go backend step for step: tlx's
// layers avoid the ops whose gradients ORT lacks or gets wrong.
func TestONNXRuntimeTrainsLikeTheGoBackend(t *testing.T) {
	ort := onnxBackend(t)
	train, val := digits(t)
	// Random initialisation is backend-specific: both start from the Go
	// backend's weights.
	start := filepath.Join(t.TempDir(), "start.safetensors")
	if err := arch.CNN("cnn", 10, true, 8, 8, 1).SaveWeights(start); err != nil {
		t.Fatal(err)
	}
	var runs [2]*fit.History
	for i := range runs {
		m := arch.CNN("cnn", 10, true, 8, 8, 1)
		if i == 1 {
			m.Compute = ort
		}
		if err := m.LoadWeights(start); err != nil {
			t.Fatal(err)
		}
		h, err := fit.Fit(m, train, fit.Config{Epochs: 2, LR: 3e-3, Val: val, FeatureCache: fit.CacheOff})
		if err != nil {
			t.Fatal(err)
		}
		runs[i] = h
	}
	for _, metric := range []string{"train_loss", "val_loss"} {
		g, o := series(t, runs[0], metric), series(t, runs[1], metric)
		for e := range g {
			if math.Abs(g[e]-o[e]) > 1e-3*math.Max(1, math.Abs(g[e])) {
				t.Errorf("%s epoch %d: Go backend %.6f, ONNX Runtime %.6f", metric, e+1, g[e], o[e])
			}
		}
	}
}

// Mixed execution: the frozen prefix's features computed on ONNX Runtime,
// the head trained on the Go backend, with the same result.
func TestPrefixOnONNXRuntime(t *testing.T) {
	ort := onnxBackend(t)
	train, val := digits(t)
	var losses [2][]float64
	for i := range losses {
		m := arch.CNN("cnn", 10, true, 8, 8, 1)
		_ = m.FreezeTo(-1)
		cfg := fit.Config{Epochs: 2, LR: 1e-2, Val: val, CacheDir: t.TempDir()}
		if i == 1 {
			cfg.PrefixBackend = ort
		}
		h, err := fit.Fit(m, train, cfg)
		if err != nil {
			t.Fatal(err)
		}
		losses[i] = series(t, h, fit.MetricValLoss)
		if i == 1 && !strings.Contains(strings.Join(h.Notes, " "), "on onnxruntime") {
			t.Errorf("notes %v do not say the prefix ran on ONNX Runtime", h.Notes)
		}
	}
	for e := range losses[0] {
		if math.Abs(losses[0][e]-losses[1][e]) > 1e-4 {
			t.Errorf("epoch %d val loss: Go prefix %.6f, ORT prefix %.6f", e+1, losses[0][e], losses[1][e])
		}
	}
}
