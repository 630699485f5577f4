package tlx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/fit"
)

// output is what a live view sent to the notebook, in order.
type output struct {
	id   string // "" for a new output (DisplayHTML), else the updated display's id
	html string
}

// notebookView is a live view as in a notebook cell, recording what it
// sends instead of writing to GoNB's pipe; the library comes from this
// tree's echarts, once per session (a fresh GONB_TMP_DIR).
func notebookView(t *testing.T, title string, keep bool) (*LiveView, *[]output) {
	t.Helper()
	if os.Getenv("TLX_ROOT") == "" {
		root, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("TLX_ROOT", root)
	}
	if _, err := charts.Library(); err != nil {
		t.Fatalf("the echarts library is needed: %v", err)
	}
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	var sent []output
	v := NewLiveView(title)
	v.KeepChart = keep
	v.notebook = true
	v.display = func(html string) { sent = append(sent, output{"", html}) }
	v.update = func(id, html string) { sent = append(sent, output{id, html}) }
	return v, &sent
}

// train feeds the view two stages of epochs as fit's loop would.
func train(v *LiveView) *fit.History {
	cb := v.Callback()
	all := &fit.History{}
	for _, stage := range []struct {
		name   string
		epochs int
	}{{"head", 3}, {"all", 2}} {
		cb.OnStart(fit.Config{Stage: stage.name, Epochs: stage.epochs}, 4)
		h := &fit.History{Stages: []fit.StageMark{{Name: stage.name, FirstEpoch: 1}}}
		for e := 1; e <= stage.epochs; e++ {
			cb.OnStep(e, 4, 4, 1/float64(e))
			log := fit.EpochLog{Stage: stage.name, Epoch: e, TrainLoss: 1 / float64(e), TrainAccuracy: 0.5, ValLoss: 1.2 / float64(e), ValAccuracy: 0.4 + 0.1*float64(e)}
			h.Epochs = append(h.Epochs, log)
			if err := cb.OnEpoch(log, h); err != nil {
				panic(err)
			}
		}
		cb.OnEnd(h)
		all.Append(h)
	}
	return all
}

func TestLiveViewUpdatesThenCollapses(t *testing.T) {
	v, sent := notebookView(t, "two-stage", false)
	h := train(v)
	v.Finish(h)
	var libs, updates, charted int
	for i, o := range *sent {
		if o.id == "" {
			libs++
			if !strings.Contains(o.html, `data-tlx-echarts`) || charted > 0 {
				t.Errorf("output %d: a new output that is not the library before the first chart", i)
			}
			continue
		}
		updates++
		if o.id != v.id {
			t.Errorf("update %d went to display %q, want the view's %q", i, o.id, v.id)
		}
		if strings.Contains(o.html, "tlx-chart") {
			charted++
			if strings.Contains(o.html, "<img") || !strings.Contains(o.html, "<script") {
				t.Errorf("live update %d: want a script that draws and no preview", i)
			}
		}
	}
	if libs != 1 || charted < 5 {
		t.Errorf("%d library outputs and %d updates with a chart; want 1 and one per epoch (5)", libs, charted)
	}
	final := (*sent)[len(*sent)-1].html
	if strings.Contains(final, "tlx-chart") || strings.Contains(final, "<script") {
		t.Errorf("the finished view kept its chart:\n%s", final)
	}
	for _, want := range []string{"two-stage: done, 5 epochs (head 1-3, all 4-5)", "val loss 0.6000 acc 0.6000"} {
		if !strings.Contains(final, want) {
			t.Errorf("finished view %q lacks %q", final, want)
		}
	}
}

func TestLiveViewKeepChart(t *testing.T) {
	v, sent := notebookView(t, "kept", true)
	v.Finish(train(v))
	final := (*sent)[len(*sent)-1].html
	if !strings.Contains(final, `class="tlx-chart"`) || !strings.Contains(final, `class="tlx-preview"`) {
		t.Errorf("KeepChart: the finished view lacks its chart with a preview")
	}
	if n := strings.Count(strings.Join(func() (s []string) {
		for _, o := range *sent {
			s = append(s, o.html)
		}
		return
	}(), ""), "data-tlx-echarts"); n != 1 {
		t.Errorf("the library went %d times, want once", n)
	}
}

// A run restored from disk trains nothing here: the view shows only its
// summary, and leaves the library to the session's first real chart.
func TestLiveViewRestoredRun(t *testing.T) {
	v, sent := notebookView(t, "restored", false)
	h := &fit.History{Stages: []fit.StageMark{{Name: "head", FirstEpoch: 1}}, Epochs: []fit.EpochLog{{Stage: "head", Epoch: 1, TrainLoss: 0.5}}}
	v.Note("stage head restored from disk")
	v.Finish(h)
	for _, o := range *sent {
		if o.id == "" {
			t.Error("a restored run sent the library with no chart to draw")
		}
	}
	final := (*sent)[len(*sent)-1].html
	if !strings.Contains(final, "restored: done, 1 epoch (head 1)") || !strings.Contains(final, "restored from disk") {
		t.Errorf("finished view %q lacks its summary or note", final)
	}
	if charts.SessionLibrary("next chart") == "" {
		t.Error("the session's next chart did not get the library")
	}
}

func TestHistorySummary(t *testing.T) {
	h := &fit.History{Stages: []fit.StageMark{{Name: "a", FirstEpoch: 1}, {Name: "b", FirstEpoch: 3}, {Name: "c", FirstEpoch: 3}}}
	for e := 1; e <= 4; e++ {
		h.Epochs = append(h.Epochs, fit.EpochLog{Epoch: e, TrainLoss: 1})
	}
	if got, want := HistorySummary("r", h), "r: done, 4 epochs (a 1-2, b (no epochs), c 3-4); last: epoch 4"; !strings.HasPrefix(got, want) {
		t.Errorf("summary %q, want it to begin %q", got, want)
	}
}
