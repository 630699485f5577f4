package study

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// digitsTask is digits 0-4 as the source and 5-9 as the target.
func digitsTask(t *testing.T) (source, target, test *data.Dataset) {
	t.Helper()
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	source, _ = d.KeepClasses(0, 1, 2, 3, 4)
	tgt, _ := d.KeepClasses(5, 6, 7, 8, 9)
	target, test = tgt.Split(0.4, 1)
	return source, target, test
}

// Few-shot curves of a model pretrained on digits 0-4 (features kept, a
// new head trained) and of one from scratch, on 5-9: both improve with
// more labels. (On 8×8 digits the 0-4 features do not beat scratch at one
// label: 0.45 vs 0.68; the course shows transfer on Fashion-MNIST.)
func TestFewShotCurve(t *testing.T) {
	source, target, test := digitsTask(t)
	pre := arch.CNN("cnn", 5, false, 8, 8, 1)
	if _, err := fit.Fit(pre, source, fit.Config{Epochs: 8, LR: 3e-3, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	plan := fit.Plan{{Name: "all", Epochs: 30, LR: 3e-3}}
	curve, err := FewShot(FewShotConfig{
		Shots: []int{1, 3, 20}, Train: target, Test: test, Seeds: []uint64{1, 2, 3}, Config: fit.Config{BatchSize: 16},
		Variants: []Variant{
			{Name: "pretrained", Plan: fit.Plan{{Name: "head", TrainLast: 1, Epochs: 30, LR: 1e-2}}, Build: func() (*net.Model, error) {
				m := arch.CNN("cnn", 5, false, 8, 8, 1)
				if err := net.CopyWeights(m, pre, net.HeadName); err != nil {
					return nil, err
				}
				return m, nil
			}},
			{Name: "scratch", Plan: plan, Build: func() (*net.Model, error) { return arch.CNN("cnn", 5, false, 8, 8, 1), nil }},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", curve)
	if len(curve.Accuracy) != 2 || len(curve.Accuracy[0]) != 3 || len(curve.Values[1][2]) != 3 {
		t.Fatalf("curve %v / %v: want 2 variants × 3 shot counts × 3 seeds", curve.Accuracy, curve.Values)
	}
	for _, name := range curve.Names {
		one, _ := curve.Stat(name, 0)
		if one.SD == 0 {
			t.Errorf("%s at 1 label: %v, the same for every seed: the seeds do not draw other examples", name, one.Values)
		}
		// More labels help, by more than the spread over seeds.
		a, _ := curve.Stat(name, 2)
		gain, err := Effect(a, one)
		if err != nil {
			t.Fatal(err)
		}
		if !gain.Exceeds(0.05, 2) {
			t.Errorf("%s: 20 labels minus 1 label %v: want > 0.05 by 2 standard errors", name, gain)
		}
	}
	if _, err := curve.Effect("pretrained", "nonesuch", 0); err == nil {
		t.Error("an unknown variant gave an effect")
	}
	if tbl := curve.Table(); !strings.Contains(tbl, "20 / class") || !strings.Contains(tbl, "pretrained") || !strings.Contains(tbl, " ± ") {
		t.Errorf("table:\n%s", tbl)
	}
	html, err := charts.HTML(curve.Chart("curve"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "scratch (each seed)") {
		t.Error("the chart lacks the per-seed points")
	}
}

// Compare measures every backbone; Best picks the most accurate.
func TestCompare(t *testing.T) {
	_, target, test := digitsTask(t)
	plan := fit.Plan{{Name: "all", Epochs: 6, LR: 3e-3}}
	c, err := Compare([]Variant{
		{Name: "mlp", Plan: plan, Build: func() (*net.Model, error) { return arch.MLP("mlp", []int{32}, 5, 8, 8, 1), nil }},
		{Name: "cnn", Plan: plan, Build: func() (*net.Model, error) { return arch.CNN("cnn", 5, false, 8, 8, 1), nil }},
	}, target, test, fit.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Rows {
		t.Logf("%+v", r)
		if r.Params <= 0 || r.LatencyMs <= 0 || r.EpochSeconds <= 0 || r.Accuracy <= 0.2 || r.Backend == "" {
			t.Errorf("row %+v: want every measure filled", r)
		}
	}
	best := c.Best()
	for _, r := range c.Rows {
		if r.Accuracy > best.Accuracy {
			t.Errorf("Best %s (%.3f) but %s has %.3f", best.Name, best.Accuracy, r.Name, r.Accuracy)
		}
	}
	if !strings.Contains(c.Table(), "latency") {
		t.Error("table lacks the latency column")
	}
}

// CompareSeeds keeps one accuracy per seed and pairs them in Effect.
func TestCompareSeeds(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	plan := fit.Plan{{Name: "all", Epochs: 4, LR: 3e-3}}
	c, err := CompareSeeds([]uint64{1, 2, 3}, []Variant{
		{Name: "mlp", Plan: plan, Build: func() (*net.Model, error) { return arch.MLP("mlp", []int{16}, 10, 8, 8, 1), nil }},
		{Name: "cnn", Plan: plan, Build: func() (*net.Model, error) { return arch.CNN("cnn", 10, false, 8, 8, 1), nil }},
	}, func(seed uint64) (*data.Dataset, *data.Dataset) { return d.Take(600, seed).Split(0.3, seed) }, fit.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Rows {
		t.Logf("%s: accuracy %v, gap %v", r.Name, r.AccuracyStat(), r.GapStat())
		if len(r.Accuracies) != 3 || r.AccuracyStat().SD == 0 || r.LatencyMs <= 0 {
			t.Errorf("row %+v: want 3 different accuracies and the measures", r)
		}
	}
	e, err := c.Effect("cnn", "mlp")
	if err != nil || len(e.Values) != 3 {
		t.Fatalf("effect %v, %v", e, err)
	}
	cnn, errC := c.Row("cnn")
	mlp, errM := c.Row("mlp")
	if errC != nil || errM != nil {
		t.Fatal(errC, errM)
	}
	for i, v := range e.Values {
		if want := cnn.Accuracies[i] - mlp.Accuracies[i]; v != want {
			t.Errorf("effect for seed %d is %v, want cnn − mlp of that seed, %v", i+1, v, want)
		}
	}
	if c.Best().Accuracy < c.Worst().Accuracy {
		t.Error("Best below Worst")
	}
	if !strings.Contains(c.Table(), "3 seeds") {
		t.Errorf("table:\n%s", c.Table())
	}
	if _, err := charts.HTML(c.Chart("comparison")); err != nil {
		t.Fatal(err)
	}
}

// Reseed changes what a model initialises (a new head), not what it holds.
func TestReseed(t *testing.T) {
	head := func(seed uint64) map[string][]float32 {
		m := arch.CNN("cnn", 5, false, 8, 8, 1)
		if _, err := m.Init(); err != nil {
			t.Fatal(err)
		}
		if err := m.ReplaceHead(3); err != nil {
			t.Fatal(err)
		}
		if err := Reseed(m, seed); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Init(); err != nil {
			t.Fatal(err)
		}
		vals, err := m.Values()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]float32{}
		for path, v := range vals {
			out[path] = tensors.MustCopyFlatData[float32](v)
		}
		return out
	}
	a, b, a2 := head(1), head(2), head(1)
	for path := range a {
		same, same2 := slices.Equal(a[path], b[path]), slices.Equal(a[path], a2[path])
		if !same2 {
			t.Errorf("%s: seed 1 twice gave other values", path)
		}
		if strings.HasPrefix(path, "/"+net.HeadName+"/weights") && same {
			t.Errorf("%s: the new head is the same with seeds 1 and 2", path)
		}
		if !strings.Contains(path, net.HeadName) && !same {
			t.Errorf("%s: a weight the model held changed with the seed", path)
		}
	}
}

func TestDiagnose(t *testing.T) {
	hist := func(train, val, loss []float64) *fit.History {
		h := &fit.History{}
		for i := range train {
			h.Epochs = append(h.Epochs, fit.EpochLog{Epoch: i + 1, TrainAccuracy: train[i], ValAccuracy: val[i], ValLoss: loss[i]})
		}
		return h
	}
	over, _ := Diagnose(hist([]float64{0.7, 0.9, 1.0}, []float64{0.7, 0.75, 0.72}, []float64{0.8, 0.6, 0.9}))
	if !over.Overfitting || over.BestEpoch != 2 || !strings.Contains(over.Advice, "augmentation") {
		t.Errorf("overfitting history: %+v", over)
	}
	under, _ := Diagnose(hist([]float64{0.4, 0.5}, []float64{0.45, 0.5}, []float64{1.5, 1.3}))
	if !under.Underfitting || under.Overfitting {
		t.Errorf("underfitting history: %+v", under)
	}
	good, _ := Diagnose(hist([]float64{0.8, 0.95}, []float64{0.8, 0.93}, []float64{0.5, 0.3}))
	if good.Overfitting || good.Underfitting {
		t.Errorf("a good fit: %+v", good)
	}
	if _, err := Diagnose(&fit.History{}); err == nil {
		t.Error("an empty history was diagnosed")
	}
}
