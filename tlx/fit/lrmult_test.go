package fit_test

import (
	"strings"
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/fit"
)

// A group starts with multiplier 1; SetLRMults refuses 0 (it used to be
// read as 1), and a trained group whose multiplier was zeroed by hand is
// an error naming it, not a silent full rate.
func TestLearningRateMultipliersArePositive(t *testing.T) {
	train, _ := digits(t)
	m := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	for _, g := range m.Groups {
		if g.LR() != 1 {
			t.Errorf("group %s made with multiplier %g, want 1", g.Name, g.LR())
		}
	}
	if err := m.SetLRMults([]float64{0, 1}); err == nil || !strings.Contains(err.Error(), "> 0") {
		t.Errorf("SetLRMults with a 0: err = %v, want a refusal", err)
	}
	if m.Groups[0].LR() != 1 {
		t.Errorf("a refused SetLRMults changed group %s to %g", m.Groups[0].Name, m.Groups[0].LR())
	}
	m.Groups[0].LRMult = 0
	_, err := fit.Fit(m, train.Take(64, 1), fit.Config{Epochs: 1})
	if err == nil || !strings.Contains(err.Error(), "group "+m.Groups[0].Name) {
		t.Errorf("training a group with multiplier 0: err = %v, want one naming the group", err)
	}
	if err := m.Freeze(m.Groups[0].Name); err != nil {
		t.Fatal(err)
	}
	if _, err := fit.Fit(m, train.Take(64, 1), fit.Config{Epochs: 1}); err != nil {
		t.Errorf("a frozen group's multiplier does not matter: %v", err)
	}
}
