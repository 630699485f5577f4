package study

import (
	"fmt"
	"slices"
	"strings"
	"time"

	gecharts "github.com/go-echarts/go-echarts/v2/charts"

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
	// Accuracies and Gaps hold one value per seed (CompareSeeds); Accuracy
	// and Gap are then their means, the other measures means too.
	Accuracies []float64 `json:",omitempty"`
	Gaps       []float64 `json:",omitempty"`
}

// AccuracyStat is the validation accuracy over the seeds (one value after
// Compare).
func (r Row) AccuracyStat() Stat {
	if len(r.Accuracies) == 0 {
		return NewStat([]float64{r.Accuracy})
	}
	return NewStat(r.Accuracies)
}

// GapStat is the train - validation gap over the seeds.
func (r Row) GapStat() Stat {
	if len(r.Gaps) == 0 {
		return NewStat([]float64{r.Gap})
	}
	return NewStat(r.Gaps)
}

// Comparison is several backbones trained the same way on one target
// (over Seeds with CompareSeeds).
type Comparison struct {
	Rows  []Row
	Seeds []uint64 `json:",omitempty"`
}

// Compare trains every variant on train with its plan, validating on val,
// and measures its size, accuracy, epoch time and inference latency on the
// backend each model computes on.
func Compare(variants []Variant, train, val *data.Dataset, cfg fit.Config) (*Comparison, error) {
	return compare(variants, train, val, cfg, false)
}

// CompareSeeds is Compare repeated once per seed: split(seed) gives that
// seed's training and validation data (its draw of the examples), and the
// seed initialises what is not pretrained (Reseed) and orders the batches
// (cfg.Seed). Each row's measures are means over the seeds, with each
// seed's accuracy and gap kept for paired effects (Effect).
func CompareSeeds(seeds []uint64, variants []Variant, split func(seed uint64) (train, val *data.Dataset), cfg fit.Config) (*Comparison, error) {
	if len(seeds) == 0 {
		return nil, fmt.Errorf("study.CompareSeeds: no seeds")
	}
	out := &Comparison{Seeds: slices.Clone(seeds)}
	for si, seed := range seeds {
		train, val := split(seed)
		cfg.Seed = seed
		c, err := compare(variants, train, val, cfg, true)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", seed, err)
		}
		if si == 0 {
			out.Rows = make([]Row, len(c.Rows))
			for i, r := range c.Rows {
				out.Rows[i] = Row{Name: r.Name, Backend: r.Backend, Params: r.Params, Trainable: r.Trainable}
			}
		}
		n := float64(len(seeds))
		for i, r := range c.Rows {
			o := &out.Rows[i]
			o.Accuracies = append(o.Accuracies, r.Accuracy)
			o.Gaps = append(o.Gaps, r.Gap)
			o.Accuracy += r.Accuracy / n
			o.Gap += r.Gap / n
			o.EpochSeconds += r.EpochSeconds / n
			o.LatencyMs += r.LatencyMs / n
		}
	}
	return out, nil
}

func compare(variants []Variant, train, val *data.Dataset, cfg fit.Config, reseed bool) (*Comparison, error) {
	out := &Comparison{}
	for _, v := range variants {
		m, err := v.Build()
		if err != nil {
			return nil, fmt.Errorf("study.Compare: %s: %w", v.Name, err)
		}
		if reseed {
			if err := Reseed(m, cfg.Seed); err != nil {
				return nil, err
			}
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

// Table is the comparison as an HTML table (over seeds: accuracy and gap
// as mean ± standard deviation, the rest as means).
func (c *Comparison) Table() string {
	acc, gap := "val accuracy", "train-val gap"
	if len(c.Seeds) > 0 {
		acc = fmt.Sprintf("val accuracy (mean ± sd, %d seeds)", len(c.Seeds))
		gap = "train-val gap (mean ± sd)"
	}
	header := []string{"backbone", "parameters", "trained", acc, gap, "s / epoch", "latency (ms)", "backend"}
	var rows [][]string
	for _, r := range c.Rows {
		a, g := fmt.Sprintf("%.3f", r.Accuracy), fmt.Sprintf("%+.3f", r.Gap)
		if len(r.Accuracies) > 0 {
			as, gs := r.AccuracyStat(), r.GapStat()
			a, g = fmt.Sprintf("%.3f ± %.3f", as.Mean, as.SD), fmt.Sprintf("%+.3f ± %.3f", gs.Mean, gs.SD)
		}
		rows = append(rows, []string{r.Name, fmt.Sprint(r.Params), fmt.Sprint(r.Trainable), a, g,
			fmt.Sprintf("%.2f", r.EpochSeconds), fmt.Sprintf("%.2f", r.LatencyMs), r.Backend})
	}
	return charts.Table(header, rows)
}

// Chart draws each backbone's validation accuracy: a bar at the mean and
// a point per seed.
func (c *Comparison) Chart(title string) *gecharts.Bar {
	var names []string
	var values [][]float64
	for _, r := range c.Rows {
		names = append(names, r.Name)
		values = append(values, r.AccuracyStat().Values)
	}
	return spreadBars(title, names, values)
}

// Best is the row with the highest (mean) validation accuracy.
func (c *Comparison) Best() Row {
	var best Row
	for i, r := range c.Rows {
		if i == 0 || r.Accuracy > best.Accuracy {
			best = r
		}
	}
	return best
}

// Worst is the row with the lowest (mean) validation accuracy.
func (c *Comparison) Worst() Row {
	var worst Row
	for i, r := range c.Rows {
		if i == 0 || r.Accuracy < worst.Accuracy {
			worst = r
		}
	}
	return worst
}

// Row returns the row called name.
func (c *Comparison) Row(name string) (Row, error) {
	for _, r := range c.Rows {
		if r.Name == name {
			return r, nil
		}
	}
	var names []string
	for _, r := range c.Rows {
		names = append(names, r.Name)
	}
	return Row{}, fmt.Errorf("study.Comparison: no backbone %q (have %s)", name, strings.Join(names, ", "))
}

// Effect is the paired difference in validation accuracy a - b, seed by
// seed (both trained on the same draw of the data with each seed).
func (c *Comparison) Effect(a, b string) (Stat, error) {
	ra, err := c.Row(a)
	if err != nil {
		return Stat{}, err
	}
	rb, err := c.Row(b)
	if err != nil {
		return Stat{}, err
	}
	return Effect(ra.AccuracyStat(), rb.AccuracyStat())
}
