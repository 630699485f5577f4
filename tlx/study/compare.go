package study

import (
	"fmt"
	"slices"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
)

// Row is one backbone's result in a Comparison.
type Row struct {
	Name         string
	Backend      string
	Params       int     // all parameters of the model as trained
	Trainable    int     // those the plan's last stage trained
	Accuracy     float64 // on the validation set after the plan
	Gap          float64 // train - validation accuracy at the end (overfitting)
	EpochSeconds float64 // mean wall time of a training epoch
	LatencyMs    float64 // inference of one example (median of 20, compiled)
}

// Comparison is several backbones trained the same way on one target.
type Comparison struct{ Rows []Row }

// Compare trains every variant on train with its plan, validating on val,
// and measures its size, accuracy, epoch time and inference latency on the
// backend each model computes on.
func Compare(variants []Variant, train, val *data.Dataset, cfg fit.Config) (*Comparison, error) {
	out := &Comparison{}
	for _, v := range variants {
		m, err := v.Build()
		if err != nil {
			return nil, fmt.Errorf("study.Compare: %s: %w", v.Name, err)
		}
		cfg.Val = val
		h, err := fit.FineTune(m, train, v.Plan, cfg)
		if err != nil {
			return nil, fmt.Errorf("study.Compare: %s: %w", v.Name, err)
		}
		sum, err := m.Summarize()
		if err != nil {
			return nil, err
		}
		backend, err := m.Backend()
		if err != nil {
			return nil, err
		}
		last := h.Last()
		r := Row{Name: v.Name, Backend: backend.Name(), Params: sum.Params, Trainable: sum.Trainable,
			Accuracy: last.ValAccuracy, Gap: last.TrainAccuracy - last.ValAccuracy}
		for _, e := range h.Epochs {
			r.EpochSeconds += e.Seconds / float64(len(h.Epochs))
		}
		if r.LatencyMs, err = latency(m.Output, m.InputShape); err != nil {
			return nil, err
		}
		out.Rows = append(out.Rows, r)
	}
	return out, nil
}

// latency is the median time of 20 single-example inferences (after one
// to compile).
func latency(run func(*tensors.Tensor, string) (*tensors.Tensor, error), shape []int) (float64, error) {
	x := tensors.FromShape(shapes.Make(dtypes.Float32, append([]int{1}, shape...)...))
	if _, err := run(x, ""); err != nil {
		return 0, err
	}
	var times []float64
	for range 20 {
		start := time.Now()
		if _, err := run(x, ""); err != nil {
			return 0, err
		}
		times = append(times, float64(time.Since(start).Microseconds())/1000)
	}
	return median(times), nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// Table is the comparison as an HTML table.
func (c *Comparison) Table() string {
	header := []string{"backbone", "parameters", "trained", "val accuracy", "train-val gap", "s / epoch", "latency (ms)", "backend"}
	var rows [][]string
	for _, r := range c.Rows {
		rows = append(rows, []string{r.Name, fmt.Sprint(r.Params), fmt.Sprint(r.Trainable), fmt.Sprintf("%.3f", r.Accuracy),
			fmt.Sprintf("%+.3f", r.Gap), fmt.Sprintf("%.2f", r.EpochSeconds), fmt.Sprintf("%.2f", r.LatencyMs), r.Backend})
	}
	return charts.Table(header, rows)
}

// Best is the row with the highest validation accuracy.
func (c *Comparison) Best() Row {
	var best Row
	for i, r := range c.Rows {
		if i == 0 || r.Accuracy > best.Accuracy {
			best = r
		}
	}
	return best
}
