package runs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
)

func TestStagesAreRestoredNotRetrained(t *testing.T) {
	t.Setenv("TLX_RUNS", t.TempDir())
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, val := d.Split(0.25, 1)
	plan := fit.Plan{
		{Name: "head", TrainLast: 1, Epochs: 2, LR: 1e-2},
		{Name: "all", Epochs: 2, LR: 1e-3, LRLow: 1e-4},
	}
	run, err := Open("digits-mlp")
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	run.Log = func(s string) { log = append(log, s) }
	m1 := arch.MLP("mlp", []int{32}, 10, 8, 8, 1)
	h1, err := run.FineTune(m1, train, plan, fit.Config{Val: val})
	if err != nil {
		t.Fatal(err)
	}
	w1, _ := m1.WeightsHash()

	// A new process would build the model again from the same code.
	m2 := arch.MLP("mlp", []int{32}, 10, 8, 8, 1)
	log = nil
	h2, err := run.FineTune(m2, train, plan, fit.Config{Val: val})
	if err != nil {
		t.Fatal(err)
	}
	if w2, _ := m2.WeightsHash(); w2 != w1 {
		t.Error("restored weights differ from the trained ones")
	}
	if len(log) != 2 || !strings.Contains(log[0], "restored") || !strings.Contains(log[1], "restored") {
		t.Errorf("second run log %q, want both stages restored", log)
	}
	if len(h2.Epochs) != len(h1.Epochs) || h2.Last().ValAccuracy != h1.Last().ValAccuracy {
		t.Errorf("restored history differs: %v vs %v", h2.Last(), h1.Last())
	}

	// A damaged stage file is noticed, the stage trains again from its real
	// start, and the run ends where it did.
	first, _ := filepath.Glob(filepath.Join(run.Dir, "stages", "01-*", "weights.safetensors"))
	data, err := os.ReadFile(first[0])
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 0x40 // a float's exponent: the file still reads, the weights differ
	if err := os.WriteFile(first[0], data, 0o644); err != nil {
		t.Fatal(err)
	}
	log = nil
	m5 := arch.MLP("mlp", []int{32}, 10, 8, 8, 1)
	if _, err := run.FineTune(m5, train, plan, fit.Config{Val: val}); err != nil {
		t.Fatal(err)
	}
	if len(log) < 3 || !strings.Contains(log[0], "do not match") || !strings.Contains(log[len(log)-1], "restored") {
		t.Errorf("damaged stage log %q", log)
	}
	if w5, _ := m5.WeightsHash(); w5 != w1 {
		t.Error("after retraining the damaged stage, the run ends with other weights")
	}

	// Changing the second stage retrains it only, in a new folder.
	plan[1].LR = 2e-3
	m3 := arch.MLP("mlp", []int{32}, 10, 8, 8, 1)
	log = nil
	if _, err := run.FineTune(m3, train, plan, fit.Config{Val: val}); err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || !strings.Contains(log[0], "restored") || !strings.Contains(log[1], "trained and saved") {
		t.Errorf("changed plan log %q", log)
	}
	stages, _ := os.ReadDir(filepath.Join(run.Dir, "stages"))
	if len(stages) != 3 {
		t.Errorf("%d stage folders, want 3 (the old stage 2 kept)", len(stages))
	}

	// A later cell reads the history and the weights.
	h, err := run.History()
	if err != nil || len(h.Epochs) != 4 {
		t.Fatalf("History: %v, %v", h, err)
	}
	m4 := arch.MLP("mlp", []int{32}, 10, 8, 8, 1)
	if err := run.Restore(m4); err != nil {
		t.Fatal(err)
	}
	w3, _ := m3.WeightsHash()
	if w4, _ := m4.WeightsHash(); w4 != w3 {
		t.Error("Restore did not load the last stage's weights")
	}
	if err := run.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := run.History(); err == nil {
		t.Error("history survived Reset")
	}
	if _, err := Open("../escape"); err == nil {
		t.Error("a run name with a slash was accepted")
	}
}

func TestSaveAndLoadValue(t *testing.T) {
	t.Setenv("TLX_RUNS", t.TempDir())
	r, err := Open("values")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SaveValue("accuracy", map[string]float64{"coral": 0.78}); err != nil {
		t.Fatal(err)
	}
	again, _ := Open("values")
	var got map[string]float64
	if err := again.LoadValue("accuracy", &got); err != nil || got["coral"] != 0.78 {
		t.Errorf("loaded %v, %v", got, err)
	}
	if err := again.LoadValue("missing", &got); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing value: %v", err)
	}
	if err := r.SaveValue("../x", 1); err == nil {
		t.Error("a value name with a path was accepted")
	}
}
