// Package study runs the comparisons a transfer-learning course or a
// research report is made of: learning curves over the number of labelled
// examples (with and without pretraining), several backbones on one
// target in one table, and overfitting diagnostics of a training history.
//
//	curve, err := study.FewShot(study.FewShotConfig{
//		Shots: []int{1, 5, 20}, Train: pool, Test: test,
//		Variants: []study.Variant{pretrained, scratch},
//	})
//	tlx.Show(curve.Chart("accuracy vs labels"))
package study

import (
	"fmt"
	"strings"

	gecharts "github.com/go-echarts/go-echarts/v2/charts"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Variant is one way to get a model for the target: a fresh model (from
// pretrained weights or not) with a head for the target's classes, and the
// plan that trains it.
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
	Seed     uint64     // draws the examples (the same for every variant)
	Config   fit.Config // training settings (Val is not used)
}

// Curve is accuracy on the test set per variant and number of shots.
type Curve struct {
	Shots    []int
	Names    []string
	Accuracy [][]float64 // [variant][shot]
}

// FewShot trains every variant on k labelled examples per class for each
// k in Shots (the same examples for every variant) and measures accuracy
// on Test.
func FewShot(cfg FewShotConfig) (*Curve, error) {
	if len(cfg.Shots) == 0 || len(cfg.Variants) == 0 || cfg.Train == nil || cfg.Test == nil {
		return nil, fmt.Errorf("study.FewShot: want Shots, Variants, Train and Test")
	}
	c := &Curve{Shots: cfg.Shots}
	for _, v := range cfg.Variants {
		c.Names = append(c.Names, v.Name)
		var accs []float64
		for _, k := range cfg.Shots {
			train := cfg.Train.FewShot(k, cfg.Seed)
			acc, _, err := trainAndScore(v, train, cfg.Test, cfg.Config)
			if err != nil {
				return nil, fmt.Errorf("study.FewShot: %s with %d per class: %w", v.Name, k, err)
			}
			accs = append(accs, acc)
		}
		c.Accuracy = append(c.Accuracy, accs)
	}
	return c, nil
}

// trainAndScore builds the variant, runs its plan and scores it on test.
func trainAndScore(v Variant, train, test *data.Dataset, cfg fit.Config) (float64, *fit.History, error) {
	m, err := v.Build()
	if err != nil {
		return 0, nil, err
	}
	cfg.Val = nil
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

// Chart draws accuracy against labelled examples per class (log axis).
func (c *Curve) Chart(title string) *gecharts.Line {
	x := make([]float64, len(c.Shots))
	for i, k := range c.Shots {
		x[i] = float64(k)
	}
	var series []charts.Series
	for i, name := range c.Names {
		series = append(series, charts.Series{Name: name, Values: c.Accuracy[i]})
	}
	return charts.Lines(title, "labelled examples per class", "test accuracy", x, true, series...)
}

// Table is the curve as an HTML table (rows: variants, columns: shots).
func (c *Curve) Table() string {
	header := []string{"variant"}
	for _, k := range c.Shots {
		header = append(header, fmt.Sprintf("%d / class", k))
	}
	var rows [][]string
	for i, name := range c.Names {
		row := []string{name}
		for _, a := range c.Accuracy[i] {
			row = append(row, fmt.Sprintf("%.3f", a))
		}
		rows = append(rows, row)
	}
	return charts.Table(header, rows)
}

// String is the curve as text.
func (c *Curve) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s", "shots per class")
	for _, k := range c.Shots {
		fmt.Fprintf(&b, "%8d", k)
	}
	for i, name := range c.Names {
		fmt.Fprintf(&b, "\n%-20s", name)
		for _, a := range c.Accuracy[i] {
			fmt.Fprintf(&b, "%8.3f", a)
		}
	}
	return b.String()
}
