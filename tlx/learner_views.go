package tlx

import (
	"fmt"
	"sort"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Predict returns the top classes (at most 5) of x, as tlx.Predict with the
// learner's model: a file path, an image.Image, a tensor or a batch. A
// single example gives one Prediction.
func (l *Learner) Predict(x any) (Predictions, error) {
	return Predict(l.Model, x, 5)
}

// Summary describes the model group by group (show it with tlx.Show).
func (l *Learner) Summary() *net.Summary { return l.Model.Summary() }

// ShowCurves draws the learner's training curves, stages marked.
func (l *Learner) ShowCurves() error { return ShowCurves(l.Name, l.History) }

// val returns the validation data or says why there is none.
func (l *Learner) val() (*data.Dataset, error) {
	if l.Val == nil {
		return nil, fmt.Errorf("learner %s has no validation data", l.Name)
	}
	return l.Val, nil
}

// Confusion evaluates the model on the validation data and draws the
// confusion matrix.
func (l *Learner) Confusion() (fit.Scores, error) {
	val, err := l.val()
	if err != nil {
		return fit.Scores{}, err
	}
	return ShowConfusion(l.Name+": validation", l.Model, val)
}

// Confused is a pair of classes the model mixes up.
type Confused struct {
	Actual, Predicted string
	Count             int
}

// String reads "Sandal → Sneaker: 5".
func (c Confused) String() string {
	return fmt.Sprintf("%s → %s: %d", c.Actual, c.Predicted, c.Count)
}

// MostConfused lists the n most frequent mistakes on the validation data
// (true class, predicted class, count), most frequent first; ties in
// class order.
func (l *Learner) MostConfused(n int) ([]Confused, error) {
	val, err := l.val()
	if err != nil {
		return nil, err
	}
	s, err := fit.Evaluate(l.Model, val)
	if err != nil {
		return nil, err
	}
	return MostConfused(s.Confusion, val.Classes, n), nil
}

// MostConfused lists the n largest off-diagonal counts of a confusion
// matrix (Confusion[true][predicted]), largest first, ties in class order.
func MostConfused(confusion [][]int, classes []string, n int) []Confused {
	var out []Confused
	for i, row := range confusion {
		for j, c := range row {
			if i != j && c > 0 {
				out = append(out, Confused{Actual: classes[i], Predicted: classes[j], Count: c})
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Count > out[b].Count })
	return out[:max(0, min(n, len(out)))]
}

// ShowTopLosses shows the n validation examples with the highest loss.
func (l *Learner) ShowTopLosses(n int) error {
	val, err := l.val()
	if err != nil {
		return err
	}
	return ShowTopLosses(l.Model, val, n)
}

// ShowResults shows the first n validation examples in a grid, each
// captioned with its true and predicted class (✓ or ✗).
func (l *Learner) ShowResults(n int) error {
	val, err := l.val()
	if err != nil {
		return err
	}
	return ShowResults(l.Model, val, n)
}

// ShowResults shows the first n examples of d in a grid with their true
// and predicted classes: inline PNGs in a notebook, one line each outside.
func ShowResults(m *net.Model, d *data.Dataset, n int) error {
	images, err := Results(m, d, n)
	if err != nil {
		return err
	}
	correct := 0
	for _, im := range images {
		if strings.HasPrefix(im.Caption, "✓") {
			correct++
		}
	}
	title := fmt.Sprintf("%s: %d of %d right (true / predicted)", d.Name, correct, len(images))
	if !InNotebook() {
		fmt.Println(title)
		for _, im := range images {
			fmt.Println(im.Caption)
		}
		return nil
	}
	html, err := charts.Gallery(title, images, 3)
	if err != nil {
		return err
	}
	gonbui.DisplayHTML(html)
	gonbui.Sync()
	return nil
}

// Results is what ShowResults draws: the first n examples of d, captioned
// "✓ true / predicted" or "✗ true / predicted".
func Results(m *net.Model, d *data.Dataset, n int) ([]charts.Image, error) {
	if len(d.Shape) != 3 {
		return nil, fmt.Errorf("tlx.Results: dataset %q is not images (example shape %v)", d.Name, d.Shape)
	}
	part := d.Subset(firstN(min(n, d.Len())))
	preds, err := Predict(m, part, 1)
	if err != nil {
		return nil, err
	}
	images := make([]charts.Image, len(preds))
	for i, p := range preds {
		mark, truth := "✗", d.Classes[part.Y[i]]
		if p.Indices[0] == int(part.Y[i]) {
			mark = "✓"
		}
		images[i] = charts.Image{Pixels: part.Example(i), H: d.Shape[0], W: d.Shape[1], C: d.Shape[2],
			Caption: fmt.Sprintf("%s %s / %s", mark, truth, p.Class())}
	}
	return images, nil
}

func firstN(n int) []int {
	idx := make([]int, max(n, 0))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// Export writes the learner's model as an ONNX file (tlx.Export), its
// class names and preprocessing in the file's metadata: tlx.Load reads it
// back, ONNX Runtime runs it.
func (l *Learner) Export(path string, opts ...ExportOptions) error {
	if err := Export(l.Model, path, opts...); err != nil {
		return fmt.Errorf("learner %s: %w", l.Name, err)
	}
	return nil
}
