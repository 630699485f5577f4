package tlx

import (
	"slices"
	"testing"
)

func TestSpiralsDeterministic(t *testing.T) {
	x1, y1 := Spirals(100, 0.02, 7)
	x2, y2 := Spirals(100, 0.02, 7)
	x3, _ := Spirals(100, 0.02, 8)
	if !slices.Equal(x1, x2) || !slices.Equal(y1, y2) {
		t.Fatal("same seed gave different spirals")
	}
	if slices.Equal(x1, x3) {
		t.Fatal("different seeds gave the same spirals")
	}
	ones := 0
	for _, c := range y1 {
		ones += int(c)
	}
	if ones != 50 {
		t.Errorf("class 1 has %d of 100 points, want 50", ones)
	}
}

func TestQuickStartLearns(t *testing.T) {
	h, err := QuickStart(QuickStartConfig{Epochs: 40, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Loss) != 40 || len(h.Accuracy) != 40 {
		t.Fatalf("history has %d/%d epochs, want 40", len(h.Loss), len(h.Accuracy))
	}
	if h.Loss[39] >= h.Loss[0]/2 {
		t.Errorf("loss went %.4f -> %.4f: want it at least halved", h.Loss[0], h.Loss[39])
	}
	if h.Accuracy[39] < 0.9 {
		t.Errorf("final accuracy %.3f, want >= 0.9 on the training spirals", h.Accuracy[39])
	}
	// One training stack: the view is of fit's own record.
	if h.Fit == nil || len(h.Fit.Epochs) != 40 || h.Fit.Epochs[39].TrainLoss != h.Loss[39] || h.Fit.Epochs[39].ValAccuracy != h.Accuracy[39] {
		t.Errorf("History.Fit does not hold the epochs that Loss and Accuracy show")
	}
	again, err := QuickStart(QuickStartConfig{Epochs: 40, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.Loss, again.Loss) {
		t.Errorf("same seed, different losses: %v vs %v", h.Loss[:3], again.Loss[:3])
	}
}

func TestQuickStartRejectsTooFewPoints(t *testing.T) {
	if _, err := QuickStart(QuickStartConfig{Points: 10, BatchSize: 64}); err == nil {
		t.Fatal("want an error for fewer points than one batch")
	}
}
