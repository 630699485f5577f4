package runs

import (
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
)

// A run and fit.FineTune go through one stage loop: the same plan gives
// the same stages, epochs and weights, the run only keeping them on disk.
func TestRunFineTuneIsFitFineTuneKept(t *testing.T) {
	t.Setenv("TLX_RUNS", t.TempDir())
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, val := d.Take(400, 1).Split(0.25, 1)
	plan := fit.Plan{
		{TrainLast: 1, Epochs: 2, LR: 1e-2},
		{Name: "all", Epochs: 2, LR: 1e-3, LRLow: 1e-4, Schedule: fit.OneCycle()},
	}
	cfg := fit.Config{Val: val, Seed: 3, BatchSize: 32, CacheDir: t.TempDir()}
	m1 := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	h1, err := fit.FineTune(m1, train, plan, cfg)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Open("same-loop")
	if err != nil {
		t.Fatal(err)
	}
	m2 := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	h2, err := run.FineTune(m2, train, plan, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w1, _ := m1.WeightsHash()
	w2, _ := m2.WeightsHash()
	if w1 != w2 {
		t.Error("fit.FineTune and Run.FineTune end with different weights")
	}
	if len(h1.Stages) != 2 || len(h2.Stages) != 2 || h1.Stages[0].Name != "stage1" || h2.Stages[0].Name != "stage1" ||
		h1.Stages[1].FirstEpoch != 3 || h2.Stages[1].FirstEpoch != 3 || h1.Stages[1].Plan != h2.Stages[1].Plan {
		t.Errorf("stages %+v and %+v, want stage1 then all from epoch 3, alike", h1.Stages, h2.Stages)
	}
	if len(h1.Epochs) != 4 || len(h2.Epochs) != 4 {
		t.Fatalf("%d and %d epochs, want 4", len(h1.Epochs), len(h2.Epochs))
	}
	for i := range h1.Epochs {
		if a, b := h1.Epochs[i], h2.Epochs[i]; a.TrainLoss != b.TrainLoss || a.ValLoss != b.ValLoss || a.LR != b.LR {
			t.Errorf("epoch %d: %v vs %v", i+1, a, b)
		}
	}
}
