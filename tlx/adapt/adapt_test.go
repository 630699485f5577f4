package adapt

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/embed"
	"github.com/tlx-go/tlx/tlx/fit"
)

func gaussian(seed uint64, n, d int, shift, scale float64) *embed.Matrix {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := &embed.Matrix{N: n, Dim: d}
	for range n * d {
		m.Data = append(m.Data, shift+scale*rng.NormFloat64())
	}
	return m
}

func TestDiscrepanciesGrowWithShift(t *testing.T) {
	a := gaussian(1, 150, 5, 0, 1)
	same := gaussian(2, 150, 5, 0, 1)
	shifted := gaussian(3, 150, 5, 1.5, 1)
	scaled := gaussian(4, 150, 5, 0, 3)
	mmdSame, _ := MMD(a, same, 0)
	mmdShift, _ := MMD(a, shifted, 0)
	if !(mmdShift > 5*mmdSame) {
		t.Errorf("MMD same %.4f, shifted %.4f: want the shift to show", mmdSame, mmdShift)
	}
	coralSame, _ := CORAL(a, same)
	coralScaled, _ := CORAL(a, scaled)
	if !(coralScaled > 10*coralSame) {
		t.Errorf("CORAL same %.5f, scaled %.5f: want the scale to show", coralSame, coralScaled)
	}
	paSame, _ := ProxyA(a, same, 1)
	paShift, _ := ProxyA(a, shifted, 1)
	if paSame > 0.6 || paShift < 1.5 {
		t.Errorf("proxy A-distance same %.3f (want near 0), shifted %.3f (want near 2)", paSame, paShift)
	}
	if _, err := MMD(a, gaussian(5, 10, 4, 0, 1), 0); err == nil {
		t.Error("MMD of different widths accepted")
	}
}

// A shifted domain (inputs x·2+1) breaks a BatchNorm network trained on
// the original; AdaBN, with the target's unlabelled images only, must win
// most of the accuracy back and leave the weights alone.
func TestAdaBNRecoversAccuracyUnderShift(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, val := d.Split(0.3, 1)
	m := arch.CNN("cnn", 10, true, 8, 8, 1)
	if _, err := fit.Fit(m, train, fit.Config{Epochs: 4, LR: 3e-3}); err != nil {
		t.Fatal(err)
	}
	shift := func(x *data.Dataset) *data.Dataset { return x.Normalize([]float64{-0.5}, []float64{0.5}) }
	source, _ := fit.Evaluate(m, val)
	before, _ := fit.Evaluate(m, shift(val))
	weights, _ := m.GroupValues("block1")
	if err := AdaBN(m, shift(train), 64, 1); err != nil {
		t.Fatal(err)
	}
	after, _ := fit.Evaluate(m, shift(val))
	t.Logf("accuracy: source %.3f, shifted target %.3f, after AdaBN %.3f", source.Accuracy, before.Accuracy, after.Accuracy)
	if after.Accuracy < before.Accuracy+0.1 || after.Accuracy < source.Accuracy-0.1 {
		t.Errorf("AdaBN: %.3f -> %.3f on the shifted domain (source %.3f): want most of the gap closed", before.Accuracy, after.Accuracy, source.Accuracy)
	}
	now, _ := m.GroupValues("block1")
	if !slices.Equal(weights["/block1/conv/weights"], now["/block1/conv/weights"]) {
		t.Error("AdaBN changed weights")
	}
	if slices.Equal(weights["/block1/bn/mean"], now["/block1/bn/mean"]) {
		t.Error("AdaBN left the moving means unchanged")
	}
}

func TestPseudoLabelKeepsConfidentPredictions(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, val := d.Split(0.3, 1)
	m := arch.MLP("mlp", []int{32}, 10, 8, 8, 1)
	if _, err := fit.Fit(m, train, fit.Config{Epochs: 6, LR: 1e-2}); err != nil {
		t.Fatal(err)
	}
	loose, err := PseudoLabel(m, val, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	strict, err := PseudoLabel(m, val, 0.99)
	if err != nil {
		t.Fatal(err)
	}
	if !(strict.Coverage < loose.Coverage && strict.Coverage > 0) {
		t.Errorf("coverage strict %.3f, loose %.3f: want 0 < strict < loose", strict.Coverage, loose.Coverage)
	}
	if strict.Agreement(val) < loose.Agreement(val) || strict.Agreement(val) < 0.95 {
		t.Errorf("agreement strict %.3f, loose %.3f: confident labels should be right more often", strict.Agreement(val), loose.Agreement(val))
	}
	if _, err := PseudoLabel(m, val, 1.5); err == nil {
		t.Error("threshold 1.5 accepted")
	}
}
