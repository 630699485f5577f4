package tlx

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/embed"
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
	series, err := h.Series("source_acc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Series("source_accuracy"); err == nil || !strings.Contains(err.Error(), "source_acc") {
		t.Errorf("a misspelt monitor: err = %v, want one naming the monitors there are", err)
	}
	if len(series) != 6 || series[5] >= before.Accuracy-0.05 {
		t.Errorf("source accuracy %.3f before, %v while fine-tuning: want it to fall", before.Accuracy, series)
	}
	direct, _ := fit.Evaluate(source, srcVal)
	if math.Abs(direct.Accuracy-series[5]) > 1e-9 {
		t.Errorf("monitor %.4f vs direct evaluation %.4f", series[5], direct.Accuracy)
	}
	chart, err := ForgettingChart("forgetting", h, "source_acc")
	if err != nil {
		t.Fatal(err)
	}
	html, err := charts.HTML(chart)
	if err != nil || !strings.Contains(html, `"name":"source: source_acc"`) || !strings.Contains(html, `"name":"target"`) {
		t.Errorf("forgetting chart lacks the source series or the stage mark (%v)", err)
	}
}

// The views draw what they say: a point per example in the right group,
// spread out (not collapsed onto one spot), and the worst examples.
func TestShowDomainsAndEmbeddings(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	a, b := d.Take(60, 1), d.Take(40, 2)
	m := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	for _, method := range []embed.Method{embed.MethodPCA, embed.MethodTSNE, embed.MethodUMAP} {
		points, err := DomainPoints(m, m.FeatureGroup(), method, 1, map[string]*data.Dataset{"a": a, "b": b})
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		groups := countGroups(t, method, points)
		if len(points) != 100 || groups["a"] != 60 || groups["b"] != 40 {
			t.Errorf("%s: domains %v in %d points, want a: 60, b: 40", method, groups, len(points))
		}
		if !strings.HasPrefix(points[0].Label, "a: ") || !strings.HasPrefix(points[99].Label, "b: ") {
			t.Errorf("%s: labels %q, %q: want domain: class, domains in name order", method, points[0].Label, points[99].Label)
		}
		points, err = EmbeddingPoints(m, a, m.FeatureGroup(), method, 1)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		groups = countGroups(t, method, points)
		want := map[string]int{}
		for _, y := range a.Y {
			want[a.Classes[y]]++
		}
		if len(points) != a.Len() || fmt.Sprint(groups) != fmt.Sprint(want) {
			t.Errorf("%s: classes %v, want %v", method, groups, want)
		}
		if err := ShowEmbedding("classes", m, a, m.FeatureGroup(), method, 1); err != nil {
			t.Errorf("%s: %v", method, err)
		}
	}
	if err := ShowDomains("domains", m, m.FeatureGroup(), embed.Method(9), 1, map[string]*data.Dataset{"a": a}); err == nil || !strings.Contains(err.Error(), "Method(9)") {
		t.Errorf("unknown projection error = %v", err)
	}

	test := d.Take(50, 3)
	images, err := TopLosses(m, test, 5)
	if err != nil {
		t.Fatal(err)
	}
	logits, err := fit.Outputs(m, test, "")
	if err != nil {
		t.Fatal(err)
	}
	k := len(test.Classes)
	loss := func(i int) float64 {
		row := logits[i*k : (i+1)*k]
		var z float64
		for _, v := range row {
			z += math.Exp(float64(v))
		}
		return math.Log(z) - float64(row[test.Y[i]])
	}
	shown := map[int]bool{}
	prev := math.Inf(1)
	for _, im := range images {
		var i int
		if _, err := fmt.Sscanf(im.Caption, "#%d", &i); err != nil {
			t.Fatalf("caption %q: %v", im.Caption, err)
		}
		shown[i] = true
		if l := loss(i); l > prev+1e-6 {
			t.Errorf("example %d (loss %.4f) shown after one of loss %.4f: want highest first", i, l, prev)
		} else {
			prev = l
		}
		if fmt.Sprint(im.Pixels) != fmt.Sprint(test.Example(i)) || !strings.Contains(im.Caption, test.Classes[test.Y[i]]+"→") {
			t.Errorf("image %q is not example %d of class %s", im.Caption, i, test.Classes[test.Y[i]])
		}
	}
	for i := range test.Len() {
		if !shown[i] && loss(i) > prev+1e-6 {
			t.Errorf("example %d has loss %.4f, above the lowest shown (%.4f), and is not shown", i, loss(i), prev)
		}
	}
	if len(images) != 5 {
		t.Errorf("%d images, want 5", len(images))
	}
	if err := ShowTopLosses(m, test, 5); err != nil {
		t.Error(err)
	}
	view, err := NewPlanView(m, fit.Plan{{Name: "head", TrainLast: 1, Epochs: 1, LR: 1e-2}, {Name: "all", Epochs: 1, LR: 1e-3, LRLow: 1e-5}})
	if err != nil {
		t.Fatal(err)
	}
	if view.Cells[0][0] != "frozen" || !strings.HasPrefix(view.Cells[0][1], "train, LR 1e-05") || !strings.Contains(view.HTML(), "<table") {
		t.Errorf("plan view cells %v", view.Cells)
	}
	if m.Groups[0].Frozen || m.Groups[0].LRMult != 1 { // as made: not frozen, multiplier 1
		t.Error("NewPlanView changed the model's own settings")
	}
}

// countGroups counts the points of each group and checks that the
// projection spreads them out.
func countGroups(t *testing.T, method embed.Method, points []charts.Point) map[string]int {
	t.Helper()
	groups := map[string]int{}
	var minX, maxX = math.Inf(1), math.Inf(-1)
	for _, p := range points {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			t.Fatalf("%s: point %+v is not finite", method, p)
		}
		groups[p.Group]++
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
	}
	if !(maxX > minX) {
		t.Errorf("%s: every point at x=%v: the projection collapsed", method, minX)
	}
	return groups
}
