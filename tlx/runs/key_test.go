package runs

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/retain"
)

// A penalty keys the stage itself: the same penalty restores, another
// weight of it trains again, without a Tag.
func TestPenaltyWeightKeysTheStage(t *testing.T) {
	t.Setenv("TLX_RUNS", t.TempDir())
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train := d.Take(256, 1)
	plan := fit.Plan{{Name: "all", Epochs: 1, LR: 1e-2}}
	run, err := Open("penalty-key")
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	run.Log = func(s string) { log = append(log, s) }
	fineTune := func(alpha float64) {
		t.Helper()
		m := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
		p, err := retain.L2SP(m, alpha, 0)
		if err != nil {
			t.Fatal(err)
		}
		log = nil
		if _, err := run.FineTune(m, train, plan, fit.Config{Penalty: p}); err != nil {
			t.Fatal(err)
		}
	}
	fineTune(0.05)
	fineTune(0.05)
	if len(log) != 1 || !strings.Contains(log[0], "restored") {
		t.Errorf("same penalty again: log %q, want the stage restored", log)
	}
	fineTune(0.5)
	if len(log) != 1 || !strings.Contains(log[0], "trained and saved") {
		t.Errorf("another penalty weight: log %q, want the stage trained again", log)
	}
	// A penalty function of one's own keys the stage by the name it is given.
	zero := func(scope *model.Scope, g *graph.Graph) *graph.Node { return graph.Const(g, float32(0)) }
	for i, key := range []string{"zero", "zero", "zero v2"} {
		m := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
		log = nil
		if _, err := run.FineTune(m, train, plan, fit.Config{Penalty: fit.PenaltyFunc(key, zero)}); err != nil {
			t.Fatal(err)
		}
		want := []string{"trained and saved", "restored", "trained and saved"}[i]
		if len(log) != 1 || !strings.Contains(log[0], want) {
			t.Errorf("penalty %q (run %d): log %q, want %q", key, i+1, log, want)
		}
	}
}
