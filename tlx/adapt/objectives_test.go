package adapt

import (
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/embed"
	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/study"
)

// The gradient reversal layer passes values through and flips gradients.
func TestGradientReversal(t *testing.T) {
	backend, err := engine.Backend()
	if err != nil {
		t.Fatal(err)
	}
	e := graph.MustNewExec(backend, func(x *graph.Node) []*graph.Node {
		y := GradientReversal(x, 0.5)
		loss := graph.ReduceAllSum(graph.Mul(y, graph.Const(x.Graph(), []float32{1, 2, 3})))
		return []*graph.Node{y, graph.Gradient(loss, x)[0]}
	})
	out := e.MustExec(tensors.FromFlatDataAndDimensions([]float32{4, 5, 6}, 3))
	y, g := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
	for i, want := range []float32{4, 5, 6} {
		if y[i] != want {
			t.Errorf("forward %v, want [4 5 6]", y)
		}
		if gw := -0.5 * float32(i+1); g[i] != gw {
			t.Errorf("gradient %v, want [-0.5 -1 -1.5]", g)
			break
		}
	}
}

// Training with the CORAL loss or DANN (target images unlabelled, as
// fit.Config.Extra) on digits against a lower-contrast copy of them, over
// seeds (data split and initialisation): CORAL must bring the feature
// covariances together and raise the accuracy on the target over training
// on the source alone, DANN must raise it too. Each effect is the paired
// difference per seed; its mean must exceed twice its standard error.
// Measured (2026-12-01, AVX-512 / AVX2 paths): CORAL +0.336 ± 0.023 /
// +0.318 ± 0.011, DANN +0.176 ± 0.068 / +0.166 ± 0.076. DANN's gain is real
// but varies widely between seeds (+5 to +31 points): it clears two
// standard errors only narrowly, and a single seed can show almost none.
func TestCORALAndDANNAdapt(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	shift := func(x *data.Dataset) *data.Dataset { return x.Normalize([]float64{-1}, []float64{2}) } // x/2 + 1/2
	var plain, coral, dann, coralShrink []float64
	for _, seed := range []uint64{1, 2, 3} {
		source, val := d.Split(0.3, seed)
		train := func(objective fit.Objective) (coral, acc float64) {
			m := arch.CNN("cnn", 10, false, 8, 8, 1)
			cfg := fit.Config{Epochs: dannEpochs, LR: 3e-3, Seed: seed}
			if objective != nil {
				cfg.Objective, cfg.Extra = objective, shift(source)
			}
			if _, err := fit.Fit(m, source, cfg); err != nil {
				t.Fatal(err)
			}
			coral, _ = featureDistances(t, m, val, shift(val))
			sc, err := fit.Evaluate(m, shift(val))
			if err != nil {
				t.Fatal(err)
			}
			return coral, sc.Accuracy
		}
		plainC, plainAcc := train(nil)
		coralC, coralAcc := train(CORALLoss(10))
		_, dannAcc := train(DANN(DANNConfig{}))
		t.Logf("seed %d: target accuracy: source only %.3f, CORAL %.3f, DANN %.3f; CORAL distance of features %.4g -> %.4g", seed, plainAcc, coralAcc, dannAcc, plainC, coralC)
		plain, coral, dann = append(plain, plainAcc), append(coral, coralAcc), append(dann, dannAcc)
		coralShrink = append(coralShrink, coralC/plainC)
	}
	for _, r := range coralShrink {
		if r > 0.5 {
			t.Errorf("the CORAL loss left the feature covariances at %.2f of source only's distance (want at most half, every seed)", r)
		}
	}
	for _, c := range []struct {
		name string
		acc  []float64
	}{{"CORAL", coral}, {"DANN", dann}} {
		e, err := study.Effect(study.NewStat(c.acc), study.NewStat(plain))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s - source only: %+.3f ± %.3f (mean ± standard error over %d seeds)", c.name, e.Mean, e.SE, len(plain))
		if !e.Exceeds(0, 2) {
			t.Errorf("%s: target accuracy %+.3f ± %.3f over source only: want the mean above twice its standard error", c.name, e.Mean, e.SE)
		}
	}
}

// dannEpochs is as many epochs as the single-seed test had: with 6, CORAL's
// accuracy gain on seed 1 was 1.6 points (34 at 10 epochs on seed 1), so
// its training had not converged.
const dannEpochs = 10

// featureDistances are the CORAL and proxy A-distances between two
// datasets' features.
func featureDistances(t *testing.T, m *net.Model, a, b *data.Dataset) (float64, float64) {
	t.Helper()
	fa, err := embed.Extract(m, a, m.FeatureGroup())
	if err != nil {
		t.Fatal(err)
	}
	fb, err := embed.Extract(m, b, m.FeatureGroup())
	if err != nil {
		t.Fatal(err)
	}
	// What the head sees: the channels averaged over positions.
	shapes, err := m.Init()
	if err != nil {
		t.Fatal(err)
	}
	feat := shapes[len(shapes)-2]
	channels := feat[len(feat)-1]
	if fa, err = fa.PoolChannels(channels); err != nil {
		t.Fatal(err)
	}
	if fb, err = fb.PoolChannels(channels); err != nil {
		t.Fatal(err)
	}
	c, err := CORAL(fa, fb)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ProxyA(fa, fb, 1)
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}
