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
// fit.Config.Extra) on digits against a lower-contrast copy of them: CORAL
// must bring the feature covariances together, DANN must raise the
// accuracy on the target over training on the source alone.
func TestCORALAndDANNAdapt(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	source, val := d.Split(0.3, 1)
	shift := func(x *data.Dataset) *data.Dataset { return x.Normalize([]float64{-1}, []float64{2}) } // x/2 + 1/2
	train := func(objective fit.Objective) (coral, acc float64) {
		m := arch.CNN("cnn", 10, false, 8, 8, 1)
		cfg := fit.Config{Epochs: 10, LR: 3e-3, Seed: 1}
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
	t.Logf("target accuracy: source only %.3f, CORAL %.3f, DANN %.3f; CORAL distance of features %.4g -> %.4g", plainAcc, coralAcc, dannAcc, plainC, coralC)
	if coralC > 0.5*plainC {
		t.Errorf("the CORAL loss left the feature covariances %.4g apart (source only %.4g)", coralC, plainC)
	}
	if coralAcc < plainAcc+0.1 {
		t.Errorf("CORAL: target accuracy %.3f, source only %.3f: want at least 10 points more", coralAcc, plainAcc)
	}
	if dannAcc < plainAcc+0.05 {
		t.Errorf("DANN: target accuracy %.3f, source only %.3f: want at least 5 points more", dannAcc, plainAcc)
	}
}

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
