package retain

import (
	"strings"
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
)

// Each penalty's key names the method and its weights and changes with its
// reference values, so a run never restores a stage trained with another.
func TestPenaltyKeysNameTheirSettings(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	m := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	a, err := L2SP(m, 0.05, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := L2SP(m, 0.05, 0)
	c, _ := L2SP(m, 0.5, 0)
	other := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	other.Seed = 2
	e, _ := L2SP(other, 0.05, 0)
	if a.Key() != b.Key() || a.Key() == c.Key() || a.Key() == e.Key() || !strings.Contains(a.Key(), "l2sp alpha=0.05") {
		t.Errorf("L2-SP keys: %q, same %q, alpha 0.5 %q, other start %q", a.Key(), b.Key(), c.Key(), e.Key())
	}
	f, err := Fisher(m, d.Take(64, 1), 2)
	if err != nil {
		t.Fatal(err)
	}
	if k1, k2 := EWC(f, 500).Key(), EWC(f, 50).Key(); k1 == k2 || !strings.Contains(k1, "ewc lambda=500") {
		t.Errorf("EWC keys %q, %q", k1, k2)
	}
	l1, err := LwF(m, d.Take(64, 1), LwFConfig{Weight: 3})
	if err != nil {
		t.Fatal(err)
	}
	l2, _ := LwF(m, d.Take(64, 2), LwFConfig{Weight: 3})
	if l1.Key() == l2.Key() || !strings.Contains(l1.Key(), "lwf T=2 weight=3") {
		t.Errorf("LwF keys on other data: %q, %q", l1.Key(), l2.Key())
	}
}
