package tlx

import (
	"math"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Fine-tuning the whole of a digits model on digits 5-9 makes it forget
// 0-4; the monitor must see the source accuracy fall, and agree with a
// direct evaluation at the end.
func TestSourceAccuracyMonitorSeesForgetting(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	src, _ := d.KeepClasses(0, 1, 2, 3, 4)
	tgt, _ := d.KeepClasses(5, 6, 7, 8, 9)
	srcTrain, srcVal := src.Split(0.3, 1)
	tgtTrain, tgtVal := tgt.Split(0.3, 1)
	source := arch.MLP("mlp", []int{32}, 5, 8, 8, 1)
	if _, err := fit.Fit(source, srcTrain, fit.Config{Epochs: 10, LR: 1e-2}); err != nil {
		t.Fatal(err)
	}
	before, _ := fit.Evaluate(source, srcVal)
	target := arch.MLP("mlp", []int{32}, 5, 8, 8, 1)
	if err := net.CopyWeights(target, source); err != nil {
		t.Fatal(err)
	}
	if err := target.ReplaceHead(5); err != nil {
		t.Fatal(err)
	}
	h, err := fit.Fit(target, tgtTrain, fit.Config{Epochs: 6, LR: 3e-2, Val: tgtVal, Stage: "target",
		Monitors: map[string]func() (float64, error){"source_acc": SourceAccuracy(target, source, srcVal)}})
	if err != nil {
		t.Fatal(err)
	}
	series := h.Series("source_acc")
	if len(series) != 6 || series[5] >= before.Accuracy-0.05 {
		t.Errorf("source accuracy %.3f before, %v while fine-tuning: want it to fall", before.Accuracy, series)
	}
	direct, _ := fit.Evaluate(source, srcVal)
	if math.Abs(direct.Accuracy-series[5]) > 1e-9 {
		t.Errorf("monitor %.4f vs direct evaluation %.4f", series[5], direct.Accuracy)
	}
	html, err := charts.HTML(ForgettingChart("forgetting", h, "source_acc"))
	if err != nil || !strings.Contains(html, `"name":"source: source_acc"`) || !strings.Contains(html, `"name":"target"`) {
		t.Errorf("forgetting chart lacks the source series or the stage mark (%v)", err)
	}
}

func TestShowDomainsAndEmbeddings(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	a, b := d.Take(60, 1), d.Take(60, 2)
	m := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	for _, method := range []string{"pca", "tsne", "umap"} {
		if err := ShowDomains("domains", m, m.FeatureGroup(), method, 1, map[string]*data.Dataset{"a": a, "b": b}); err != nil {
			t.Errorf("%s: %v", method, err)
		}
		if err := ShowEmbedding("classes", m, a, m.FeatureGroup(), method, 1); err != nil {
			t.Errorf("%s: %v", method, err)
		}
	}
	if err := ShowDomains("domains", m, m.FeatureGroup(), "lda", 1, map[string]*data.Dataset{"a": a}); err == nil || !strings.Contains(err.Error(), "lda") {
		t.Errorf("unknown projection error = %v", err)
	}
	if err := ShowTopLosses(m, d.Take(50, 3), 5); err != nil {
		t.Error(err)
	}
	view, err := NewPlanView(m, fit.Plan{{Name: "head", TrainLast: 1, Epochs: 1, LR: 1e-2}, {Name: "all", Epochs: 1, LR: 1e-3, LRLow: 1e-5}})
	if err != nil {
		t.Fatal(err)
	}
	if view.Cells[0][0] != "frozen" || !strings.HasPrefix(view.Cells[0][1], "train, LR 1e-05") || !strings.Contains(view.HTML(), "<table") {
		t.Errorf("plan view cells %v", view.Cells)
	}
	if m.Groups[0].Frozen || m.Groups[0].LRMult != 0 {
		t.Error("NewPlanView changed the model's own settings")
	}
}
