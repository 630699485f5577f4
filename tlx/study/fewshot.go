// Package study runs the comparisons a transfer-learning course or a
// research report is made of: learning curves over the number of labelled
// examples (with and without pretraining), several backbones on one
// target in one table, and overfitting diagnostics of a training history,
// each repeated over seeds so that a claim rests on a mean and its spread.
//
//	curve, err := study.FewShot(study.FewShotConfig{
//		Shots: []int{1, 5, 20}, Train: pool, Test: test, Seeds: []uint64{1, 2, 3},
//		Variants: []study.Variant{pretrained, scratch},
//	})
//	tlx.Show(curve.Chart("accuracy vs labels"))
//	gain, _ := curve.Effect("pretrained", "scratch", 0) // paired over seeds
//	fmt.Println(gain, gain.Exceeds(0, 2))
package study

import (
	"fmt"
	"slices"
	"strings"

	gecharts "github.com/go-echarts/go-echarts/v2/charts"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Variant is one way to get a model for the target: a fresh model (from
// pretrained weights or not) with a head for the target's classes, and the
// plan that trains it. FewShot and CompareSeeds call Reseed on what Build
// returns, so a new head or a model from scratch is initialised per seed.
type Variant struct {
	Name  string
	Build func() (*net.Model, error)
	Plan  fit.Plan
}

// FewShotConfig configures FewShot.
type FewShotConfig struct {
	Shots    []int         // labelled examples per class, ascending
	Train    *data.Dataset // the pool the labelled examples are drawn from
	Test     *data.Dataset
	Variants []Variant
	// Seeds repeats every point of the curve once per seed: the seed draws
	// the labelled examples (the same for every variant), initialises what
	// is not pretrained and orders the batches (fit.Config.Seed). Empty
	// means the one seed Seed.
	Seeds  []uint64
	Seed   uint64     // the seed when Seeds is empty
	Config fit.Config // training settings (Val and Seed are not used)
}

// Curve is accuracy on the test set per variant and number of shots, for
// each seed.
type Curve struct {
	Shots    []int
	Names    []string
	Seeds    []uint64
	Accuracy [][]float64   // [variant][shot]: mean over the seeds
	Values   [][][]float64 // [variant][shot][seed]
}

// FewShot trains every variant on k labelled examples per class for each
// k in Shots and each seed (the same examples for every variant) and
// measures accuracy on Test. With fewer examples than Config.BatchSize a
// batch holds all of them (one step per epoch).
func FewShot(cfg FewShotConfig) (*Curve, error) {
	if len(cfg.Shots) == 0 || len(cfg.Variants) == 0 || cfg.Train == nil || cfg.Test == nil {
		return nil, fmt.Errorf("study.FewShot: want Shots, Variants, Train and Test")
	}
	seeds := cfg.Seeds
	if len(seeds) == 0 {
		seeds = []uint64{cfg.Seed}
	}
	c := &Curve{Shots: cfg.Shots, Seeds: slices.Clone(seeds)}
	for _, v := range cfg.Variants {
		c.Names = append(c.Names, v.Name)
		values := make([][]float64, len(cfg.Shots))
		for j := range values {
			values[j] = make([]float64, len(seeds))
		}
		c.Values = append(c.Values, values)
	}
	for si, seed := range seeds {
		for j, k := range cfg.Shots {
			train := cfg.Train.FewShot(k, seed)
			for i, v := range cfg.Variants {
				acc, _, err := trainAndScore(v, train, cfg.Test, cfg.Config, seed)
				if err != nil {
					return nil, fmt.Errorf("study.FewShot: %s with %d per class, seed %d: %w", v.Name, k, seed, err)
				}
				c.Values[i][j][si] = acc
			}
		}
	}
	for i := range c.Names {
		means := make([]float64, len(cfg.Shots))
		for j := range means {
			means[j] = NewStat(c.Values[i][j]).Mean
		}
		c.Accuracy = append(c.Accuracy, means)
	}
	return c, nil
}

// trainAndScore builds the variant, reseeds it, runs its plan and scores
// it on test.
func trainAndScore(v Variant, train, test *data.Dataset, cfg fit.Config, seed uint64) (float64, *fit.History, error) {
	m, err := v.Build()
	if err != nil {
		return 0, nil, err
	}
	if err := Reseed(m, seed); err != nil {
		return 0, nil, err
	}
	cfg.Val, cfg.Seed = nil, seed
	h, err := fit.FineTune(m, train, v.Plan, cfg)
	if err != nil {
		return 0, nil, err
	}
	s, err := fit.Evaluate(m, test)
	if err != nil {
		return 0, nil, err
	}
	return s.Accuracy, h, nil
}

func (c *Curve) index(variant string, shot int) (int, error) {
	i := slices.Index(c.Names, variant)
	if i < 0 {
		return 0, fmt.Errorf("study.Curve: no variant %q (have %s)", variant, strings.Join(c.Names, ", "))
	}
	if shot < 0 || shot >= len(c.Shots) {
		return 0, fmt.Errorf("study.Curve: shot index %d out of range (%d shot counts)", shot, len(c.Shots))
	}
	return i, nil
}

// Stat is the accuracy of a variant at the shot count c.Shots[shot] over
// the seeds.
func (c *Curve) Stat(variant string, shot int) (Stat, error) {
	i, err := c.index(variant, shot)
	if err != nil {
		return Stat{}, err
	}
	return NewStat(c.Values[i][shot]), nil
}

// Effect is the paired difference a - b at c.Shots[shot], seed by seed
// (both variants saw the same examples).
func (c *Curve) Effect(a, b string, shot int) (Stat, error) {
	sa, err := c.Stat(a, shot)
	if err != nil {
		return Stat{}, err
	}
	sb, err := c.Stat(b, shot)
	if err != nil {
		return Stat{}, err
	}
	return Effect(sa, sb)
}

// Chart draws accuracy against labelled examples per class (log axis):
// a line through each variant's mean and a point per seed.
func (c *Curve) Chart(title string) *gecharts.Line {
	x := make([]float64, len(c.Shots))
	for i, k := range c.Shots {
		x[i] = float64(k)
	}
	return spreadLines(title, "labelled examples per class", "test accuracy", x, true, c.Names, c.values())
}

// values is Values, or Accuracy as one seed for a curve saved before
// Values existed.
func (c *Curve) values() [][][]float64 {
	if len(c.Values) == len(c.Names) {
		return c.Values
	}
	out := make([][][]float64, len(c.Accuracy))
	for i, accs := range c.Accuracy {
		for _, a := range accs {
			out[i] = append(out[i], []float64{a})
		}
	}
	return out
}

// Table is the curve as an HTML table (rows: variants, columns: shots),
// each cell the mean ± standard deviation over the seeds.
func (c *Curve) Table() string {
	header := []string{"variant"}
	for _, k := range c.Shots {
		header = append(header, fmt.Sprintf("%d / class", k))
	}
	var rows [][]string
	for i, name := range c.Names {
		row := []string{name}
		for _, v := range c.values()[i] {
			s := NewStat(v)
			row = append(row, fmt.Sprintf("%.3f ± %.3f", s.Mean, s.SD))
		}
		rows = append(rows, row)
	}
	return charts.Table(header, rows) + fmt.Sprintf("<p>mean ± standard deviation over %d seeds %v</p>", len(c.Seeds), c.Seeds)
}

// String is the curve as text (means ± standard deviations).
func (c *Curve) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-32s", fmt.Sprintf("shots per class (%d seeds)", len(c.Seeds)))
	for _, k := range c.Shots {
		fmt.Fprintf(&b, "%16d", k)
	}
	for i, name := range c.Names {
		fmt.Fprintf(&b, "\n%-32s", name)
		for _, v := range c.values()[i] {
			s := NewStat(v)
			fmt.Fprintf(&b, "%16s", fmt.Sprintf("%.3f ± %.3f", s.Mean, s.SD))
		}
	}
	return b.String()
}
