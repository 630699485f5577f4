package tlx

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/fit"
)

// A notebook reaches data-parallel training through the learner's config:
// fit.Config{Devices: 2} on xla:cpu trains every stage of FineTune over two
// of the plugin's host devices, says so in the history, and ends where the
// same learner on one device ends. The second stage reuses variables the
// first sharded (one mesh per process). Tolerance: fit's one-epoch test
// agrees to 7 digits; two short epochs with Adam stay within 1e-4.
func TestLearnerTrainsOnDevices(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	t.Setenv("TLX_RUNS", t.TempDir())
	xla, notice, err := engine.Start("xla:cpu")
	if err != nil || notice != "" {
		t.Fatalf("xla:cpu: %v %s", err, notice)
	}
	defer xla.Finalize()
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, val := d.Split(0.25, 1)
	var last [2]fit.EpochLog
	for run, devices := range []int{0, 2} {
		m := arch.CNN("cnn", 10, true, 8, 8, 1)
		m.Compute = xla
		l, err := NewLearner(fmt.Sprintf("digits-on-%d-devices", devices), m, train, val, fit.Config{Devices: devices, BatchSize: 32, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.FineTune(1, 1e-2); err != nil {
			t.Fatal(err)
		}
		want := "data-parallel: each training step ran on 2 devices (Config.Devices 2)"
		if n, stages := countOf(l.History.Notes, want), 2*min(devices/2, 1); n != stages {
			t.Errorf("Devices %d: history notes %q: %q %d times, want %d", devices, l.History.Notes, want, n, stages)
		}
		last[run] = l.History.Last()
	}
	if last[0].ValAccuracy < 0.5 {
		t.Errorf("validation accuracy after FineTune(1): %.3f", last[0].ValAccuracy)
	}
	for _, m := range []struct {
		name string
		x, y float64
	}{{"train loss", last[0].TrainLoss, last[1].TrainLoss}, {"val loss", last[0].ValLoss, last[1].ValLoss}} {
		if d := math.Abs(m.x-m.y) / (1 + math.Abs(m.x)); d > 1e-4 {
			t.Errorf("after FineTune(1), %s: one device %.7f, two %.7f (relative %.2g)", m.name, m.x, m.y, d)
		}
	}
	t.Logf("val loss: one device %.7f, two %.7f", last[0].ValLoss, last[1].ValLoss)
}

// countOf counts the elements of s equal to v.
func countOf(s []string, v string) int {
	n := 0
	for i := slices.Index(s, v); i >= 0; i = slices.Index(s, v) {
		n++
		s = s[i+1:]
	}
	return n
}
