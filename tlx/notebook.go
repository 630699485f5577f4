package tlx

import (
	"fmt"
	"os"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/runs"
	"github.com/tlx-go/tlx/tlx/zoo"
)

// Quick reports whether notebooks should run their quick variant
// (TLX_QUICK=1, which tlx-run --quick and the tests set): smaller subsets
// through the same code path.
func Quick() bool { return os.Getenv("TLX_QUICK") == "1" }

// QuickOr returns quick in quick mode and full otherwise.
func QuickOr[T any](quick, full T) T {
	if Quick() {
		return quick
	}
	return full
}

// Pretrained returns a model from the offline zoo (training its recipe or
// unpacking its package once if the cache lacks it) and shows its model
// card. Packaged backbones (tlx.Pretrained("mobilenetv2-imagenet-nsfwjs"))
// come with the head their package ships; ReplaceHead gives one for your
// classes. zoo.Options{InputShape: ...} runs a packaged backbone at another
// size.
func Pretrained(name string, opts ...zoo.Options) (*net.Model, error) {
	m, card, err := zoo.Pretrained(name, opts...)
	if err != nil {
		return nil, err
	}
	if card.Source != "" {
		pre := ""
		if card.Preprocessing != nil {
			pre = card.Preprocessing.String()
		}
		Note("pretrained %s: %s from %s (license %s), input %v (this model: %v), preprocessing %s; %s; weights sha256 %.12s…",
			card.Name, card.Architecture, card.Source, card.License, card.InputShape, m.InputShape, pre, card.TrainData, card.WeightsSHA256)
		return m, nil
	}
	Note("pretrained %s: %s; validation accuracy %.3f on %s", card.Name, card.Architecture, card.ValAccuracy, card.ValData)
	return m, nil
}

// FineTune runs the plan on m as the named run: stages that already
// finished with the same inputs are restored from disk instead of trained
// again (so re-running a cell is cheap), progress and curves update in
// place while it trains, and the returned history covers every stage.
func FineTune(run string, m *net.Model, train *data.Dataset, plan fit.Plan, cfg fit.Config) (*fit.History, error) {
	r, err := runs.Open(run)
	if err != nil {
		return nil, err
	}
	view := NewLiveView(run)
	r.Log = view.Note
	cfg.Callbacks = append(cfg.Callbacks, view.Callback())
	h, err := r.FineTune(m, train, plan, cfg)
	if h != nil {
		view.Finish(h)
	}
	return h, err
}

// ShowCurves displays a history's curves, stages marked.
func ShowCurves(title string, h *fit.History) error { return Show(CurvesChart(title, h)) }

// LRFind runs the learning-rate finder over 100 steps from 1e-6 to 1,
// shows its plot and returns the suggested rate. The weights are unchanged.
func LRFind(m *net.Model, train *data.Dataset, cfg fit.Config) (float64, error) {
	f, err := fit.LRFind(m, train, 1e-6, 1, 100, cfg)
	if err != nil {
		return 0, err
	}
	if err := Show(charts.LRFinder(f.LRs, f.Losses, f.Suggested)); err != nil {
		return 0, err
	}
	fmt.Printf("LR finder: suggested %.2g (steepest fall), minimum/10 %.2g\n", f.Suggested, f.Minimum)
	return f.Suggested, nil
}
