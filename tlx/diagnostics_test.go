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
