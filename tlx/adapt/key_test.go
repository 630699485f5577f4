package adapt

import (
	"strings"
	"testing"

	"github.com/tlx-go/tlx/tlx/fit"
)

// Objectives name their settings in their keys (a run's stage key).
func TestObjectiveKeysNameTheirSettings(t *testing.T) {
	if a, b := CORALLoss(10).Key(), CORALLoss(1).Key(); a == b || a != "coral weight=10" {
		t.Errorf("CORAL keys %q, %q", a, b)
	}
	d1, d2 := DANN(DANNConfig{}).Key(), DANN(DANNConfig{Lambda: 1}).Key()
	if d1 == d2 || !strings.Contains(d1, "lambda=0.1") {
		t.Errorf("DANN keys %q, %q", d1, d2)
	}
	if k := fit.Objectives(CORALLoss(10), DANN(DANNConfig{})).Key(); !strings.Contains(k, "coral weight=10") || !strings.Contains(k, "dann") {
		t.Errorf("sum's key %q does not list both", k)
	}
}
