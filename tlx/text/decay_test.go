package text

import (
	"math"
	"testing"

	"github.com/tlx-go/tlx/tlx/net"
)

func TestLayerwiseDecay(t *testing.T) {
	m := net.New("bert", 8)
	for _, g := range []string{"embeddings", "layer0", "layer1", "pooling", "head"} {
		m.Add(g, identity)
	}
	mults, err := LayerwiseDecay(m, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.125, 0.25, 0.5, 1, 1}
	for i := range want {
		if math.Abs(mults[i]-want[i]) > 1e-15 {
			t.Fatalf("multipliers %v, want %v", mults, want)
		}
	}
	if err := m.SetLRMults(mults); err != nil {
		t.Fatal(err)
	}
	if _, err := LayerwiseDecay(m, 0); err == nil {
		t.Error("decay 0 accepted")
	}
}
