package tlx

import (
	"fmt"
	"html"
	"strings"
	"sync/atomic"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/fit"
)

var viewCount atomic.Int64

// KeepLiveCharts is the KeepChart of the live views made from now on in
// this process (tlx.FineTune's, a Learner's Fit): set it to true in a cell
// to keep each finished view's curves chart. By default a finished view
// collapses to its summary, so that a report shows each curve once, where
// the notebook draws it (ShowCurves, Learner.ShowCurves).
var KeepLiveCharts = false

// LiveView shows training as it happens. In a notebook it is one output
// area, updated in place: a status line with a progress bar, notes (such
// as the feature cache's), and the curves chart, redrawn interactively on
// each update (without static preview, which would cost more than the
// training). When training ends the view collapses to a summary line (the
// stages with their epochs, the final metrics) and its notes, unless
// KeepChart is set: then its final state keeps the chart, with a preview
// for viewers without scripts. Elsewhere it prints one line per epoch and
// note.
type LiveView struct {
	Title string
	// KeepChart keeps the curves chart in the finished view; NewLiveView
	// sets it from KeepLiveCharts.
	KeepChart bool

	id       string
	status   string
	notes    []string
	done     *fit.History // finished Fit calls (stages)
	current  *fit.History // the Fit in progress
	epochs   int
	lastDraw time.Time

	notebook bool                        // InNotebook when the view was made
	display  func(html string)           // a new output (gonbui.DisplayHTML)
	update   func(id, html string)       // the view's output (gonbui.UpdateHTML)
	library  func(carrier string) string // charts.SessionLibrary
	libSent  bool                        // the library was asked for (see render)
}

// NewLiveView starts a view (nothing is shown before training starts).
func NewLiveView(title string) *LiveView {
	return &LiveView{Title: title, KeepChart: KeepLiveCharts,
		id:       fmt.Sprintf("tlx-live-%d-%d", time.Now().UnixNano(), viewCount.Add(1)),
		done:     &fit.History{},
		notebook: InNotebook(), display: gonbui.DisplayHTML, update: gonbui.UpdateHTML, library: charts.SessionLibrary}
}

// Note adds a line under the status.
func (v *LiveView) Note(n string) {
	v.notes = append(v.notes, n)
	if !v.notebook {
		fmt.Println("note:", n)
		return
	}
	v.draw()
}

func (v *LiveView) history() *fit.History {
	h := &fit.History{}
	h.Append(v.done)
	if v.current != nil {
		h.Append(v.current)
	}
	return h
}

func (v *LiveView) draw() { v.render(false) }

// render redraws the view. While training the chart is live (no preview);
// the final state keeps the chart, with its preview, only with KeepChart.
//
// The echarts library goes, when the kernel session has not had it yet,
// in an output of its own before the first update with a chart: the view's
// own output is replaced by every update, and its final state may have no
// chart, but the saved notebook must keep the library for its other charts.
func (v *LiveView) render(final bool) {
	if !v.notebook {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div style="font-family:monospace;white-space:pre-wrap">%s</div>`, html.EscapeString(v.status))
	for _, n := range v.notes {
		fmt.Fprintf(&b, `<div style="color:#555;font-size:90%%">› %s</div>`, html.EscapeString(n))
	}
	if h := v.history(); len(h.Epochs) > 0 && (!final || v.KeepChart) {
		markup := charts.LiveHTML
		if final {
			markup = charts.HTML
		}
		if chart, err := markup(CurvesChart(v.Title, h)); err == nil {
			if !v.libSent {
				v.libSent = true
				if lib := v.library("live:" + v.Title); lib != "" {
					v.display(lib)
				}
			}
			b.WriteString(chart)
		}
	}
	v.update(v.id, b.String())
}

// Callback is the fit.Callback that feeds the view.
func (v *LiveView) Callback() fit.Callback {
	return fit.Callback{
		OnStart: func(cfg fit.Config, steps int) {
			v.epochs = cfg.Epochs
			v.current = &fit.History{}
			v.status = fmt.Sprintf("%s: %s starting (%d epochs × %d steps)", v.Title, cfg.Stage, cfg.Epochs, steps)
			v.draw()
		},
		OnNote: v.Note,
		OnStep: func(epoch, step, steps int, loss float64) {
			if time.Since(v.lastDraw) < 500*time.Millisecond && step != steps {
				return
			}
			v.lastDraw = time.Now()
			v.status = fmt.Sprintf("%s: epoch %d/%d %s %d/%d  loss %.4f", v.Title, epoch, v.epochs, bar(step, steps, 30), step, steps, loss)
			v.draw()
		},
		OnEpoch: func(e fit.EpochLog, h *fit.History) error {
			v.current = h
			v.status = fmt.Sprintf("%s: %s", v.Title, e)
			if !v.notebook {
				fmt.Println(e)
			}
			v.draw()
			return nil
		},
		OnEnd: func(h *fit.History) {
			v.done.Append(h)
			v.current = nil
		},
	}
}

// Finish shows the complete history h (including stages restored from
// disk, which trained no epochs here) as the view's final state: its
// summary (see HistorySummary) and notes, and the chart if KeepChart.
func (v *LiveView) Finish(h *fit.History) {
	v.done, v.current = &fit.History{}, nil
	v.done.Append(h)
	v.status = HistorySummary(v.Title, h)
	if v.notebook {
		v.render(true)
		gonbui.Sync()
	}
}

// HistorySummary is one line on a finished training: the stages with their
// epochs, and the last epoch's metrics; e.g. "fmnist59: done, 16 epochs
// (head 1-10, top 11-13, all 14-16); last: [all] epoch 16: train loss ...".
func HistorySummary(title string, h *fit.History) string {
	var stages []string
	for i, s := range h.Stages {
		last := len(h.Epochs)
		if i+1 < len(h.Stages) {
			last = h.Stages[i+1].FirstEpoch - 1
		}
		switch {
		case last < s.FirstEpoch:
			stages = append(stages, s.Name+" (no epochs)")
		case last == s.FirstEpoch:
			stages = append(stages, fmt.Sprintf("%s %d", s.Name, last))
		default:
			stages = append(stages, fmt.Sprintf("%s %d-%d", s.Name, s.FirstEpoch, last))
		}
	}
	plural := "s"
	if len(h.Epochs) == 1 {
		plural = ""
	}
	s := fmt.Sprintf("%s: done, %d epoch%s", title, len(h.Epochs), plural)
	if len(stages) > 0 {
		s += " (" + strings.Join(stages, ", ") + ")"
	}
	if len(h.Epochs) > 0 {
		s += "; last: " + h.Last().String()
	}
	return s
}

// CurvesChart draws a history's loss and accuracy curves with a dashed
// line where each stage begins.
func CurvesChart(title string, h *fit.History) charts.Chart {
	var marks []charts.Mark
	for _, s := range h.Stages {
		marks = append(marks, charts.Mark{Epoch: s.FirstEpoch, Label: s.Name})
	}
	hasVal := false
	for _, e := range h.Epochs {
		hasVal = hasVal || e.ValLoss != 0
	}
	builtin := func(metric string) []float64 {
		v, _ := h.Series(metric) // fit's own metrics: always there
		return v
	}
	series := []charts.Series{{Name: "train loss", Values: builtin(fit.MetricTrainLoss)}}
	if hasVal {
		series = append(series, charts.Series{Name: "val loss", Values: builtin(fit.MetricValLoss)})
	}
	series = append(series, charts.Series{Name: "train acc", Values: builtin(fit.MetricTrainAccuracy)})
	if hasVal {
		series = append(series, charts.Series{Name: "val acc", Values: builtin(fit.MetricValAccuracy)})
	}
	return charts.CurvesWithMarks(title, marks, series...)
}
