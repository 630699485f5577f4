package tlx

import (
	"fmt"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// ShowTopLosses shows the n examples of d the model gets most wrong (the
// highest loss), each with its true and predicted class.
func ShowTopLosses(m *net.Model, d *data.Dataset, n int) error {
	images, err := TopLosses(m, d, n)
	if err != nil {
		return err
	}
	html, err := charts.Gallery(fmt.Sprintf("top %d losses on %s (true→predicted)", len(images), d.Name), images, 3)
	if err != nil {
		return err
	}
	if InNotebook() {
		gonbui.DisplayHTML(html)
		gonbui.Sync()
		return nil
	}
	for _, im := range images {
		fmt.Println(im.Caption)
	}
	return nil
}

// TopLosses is what ShowTopLosses draws: the n examples of d with the
// highest loss under m, highest first, captioned "#index true→predicted".
func TopLosses(m *net.Model, d *data.Dataset, n int) ([]charts.Image, error) {
	if len(d.Shape) != 3 {
		return nil, fmt.Errorf("tlx.TopLosses: dataset %q is not images (example shape %v)", d.Name, d.Shape)
	}
	logits, err := fit.Outputs(m, d, "")
	if err != nil {
		return nil, err
	}
	k := len(d.Classes)
	var images []charts.Image
	for _, i := range fit.TopLosses(logits, d.Y, k, n) {
		pred, _ := fit.TopClass(logits[i*k : (i+1)*k])
		images = append(images, charts.Image{Pixels: d.Example(i), H: d.Shape[0], W: d.Shape[1], C: d.Shape[2],
			Caption: fmt.Sprintf("#%d %s→%s", i, d.Classes[d.Y[i]], d.Classes[pred])})
	}
	return images, nil
}

// SourceAccuracy returns a fit monitor that measures the source task while
// m is fine-tuned on a target: it copies m's weights, except its head, into
// source (the model with the source head) and evaluates source on
// sourceVal. Put it in fit.Config.Monitors to watch forgetting.
func SourceAccuracy(m, source *net.Model, sourceVal *data.Dataset) func() (float64, error) {
	return func() (float64, error) {
		if err := net.CopyWeights(source, m, net.HeadName); err != nil {
			return 0, err
		}
		s, err := fit.Evaluate(source, sourceVal)
		return s.Accuracy, err
	}
}

// ForgettingChart draws the target's validation accuracy and a monitored
// source-task metric across epochs, stages marked: what fine-tuning gains
// on one against what it loses on the other. A monitor the history does
// not hold is an error naming the ones it does.
func ForgettingChart(title string, h *fit.History, monitor string) (charts.Chart, error) {
	var marks []charts.Mark
	for _, s := range h.Stages {
		marks = append(marks, charts.Mark{Epoch: s.FirstEpoch, Label: s.Name})
	}
	target, err := h.Series(fit.MetricValAccuracy)
	if err != nil {
		return nil, err
	}
	source, err := h.Series(monitor)
	if err != nil {
		return nil, fmt.Errorf("tlx.ForgettingChart: %w", err)
	}
	return charts.CurvesWithMarks(title, marks,
		charts.Series{Name: "target: val accuracy", Values: target},
		charts.Series{Name: "source: " + monitor, Values: source}), nil
}
