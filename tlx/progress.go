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

// LiveView shows training as it happens. In a notebook it is one output
// area, updated in place: a status line with a progress bar, notes (such
// as the feature cache's), and the curves chart; the notebook saves its
// final state. Elsewhere it prints one line per epoch and note.
type LiveView struct {
	Title string

	id       string
	status   string
	notes    []string
	done     *fit.History // finished Fit calls (stages)
	current  *fit.History // the Fit in progress
	epochs   int
	lastDraw time.Time
}

// NewLiveView starts a view (nothing is shown before training starts).
func NewLiveView(title string) *LiveView {
	return &LiveView{Title: title, id: fmt.Sprintf("tlx-live-%d-%d", time.Now().UnixNano(), viewCount.Add(1)), done: &fit.History{}}
}

// Note adds a line under the status.
func (v *LiveView) Note(n string) {
	v.notes = append(v.notes, n)
	if !InNotebook() {
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

// render redraws the view; final adds the charts' static previews.
func (v *LiveView) render(final bool) {
	if !InNotebook() {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div style="font-family:monospace;white-space:pre-wrap">%s</div>`, html.EscapeString(v.status))
	for _, n := range v.notes {
		fmt.Fprintf(&b, `<div style="color:#555;font-size:90%%">› %s</div>`, html.EscapeString(n))
	}
	if h := v.history(); len(h.Epochs) > 0 {
		html := charts.LiveHTML
		if final {
			html = charts.HTML
		}
		if chart, err := html(CurvesChart(v.Title, h)); err == nil {
			b.WriteString(chart)
		}
	}
	gonbui.UpdateHTML(v.id, b.String())
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
			if !InNotebook() {
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
// disk, which trained no epochs here) as the view's final state.
func (v *LiveView) Finish(h *fit.History) {
	v.done, v.current = &fit.History{}, nil
	v.done.Append(h)
	last := h.Last()
	v.status = fmt.Sprintf("%s: done, %d epochs; last: %s", v.Title, len(h.Epochs), last)
	if InNotebook() {
		v.render(true)
		gonbui.Sync()
	}
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
