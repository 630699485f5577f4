package fit_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/tlx/fit"
)

// Series gives built-in metrics and monitors by name; any other name is an
// error that lists the names there are, not a series of zeros.
func TestSeriesNamesItsMetrics(t *testing.T) {
	h := &fit.History{Epochs: []fit.EpochLog{
		{Epoch: 1, TrainLoss: 0.9, ValAccuracy: 0.5},
		{Epoch: 2, TrainLoss: 0.4, ValAccuracy: 0.7, Metrics: map[string]float64{"old task": 0.8}},
	}}
	if v, err := h.Series(fit.MetricTrainLoss); err != nil || !slices.Equal(v, []float64{0.9, 0.4}) {
		t.Errorf("train loss: %v, %v", v, err)
	}
	if v, err := h.Series("old task"); err != nil || !slices.Equal(v, []float64{0, 0.8}) {
		t.Errorf("monitor: %v, %v (want 0 where the epoch has no monitor)", v, err)
	}
	_, err := h.Series("val_acc")
	if err == nil || !strings.Contains(err.Error(), `"val_acc"`) || !strings.Contains(err.Error(), "val_accuracy") || !strings.Contains(err.Error(), "old task") {
		t.Errorf("misspelt metric: err = %v, want one naming it and the metrics there are", err)
	}
	if v, err := (&fit.History{}).Series(fit.MetricValLoss); err != nil || len(v) != 0 {
		t.Errorf("empty history: %v, %v", v, err)
	}
}
