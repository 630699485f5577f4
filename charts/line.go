package charts

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Series is one named line: Values[i] is the value at step or epoch i+1.
type Series struct {
	Name   string
	Values []float64
}

// Curves draws training curves (one line per series) against the epoch,
// with a legend, hover tooltips and a save-as-image button. It returns the
// go-echarts chart, so any further option can be set on it.
func Curves(title string, series ...Series) *charts.Line {
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30px"}),
		charts.WithXAxisOpts(opts.XAxis{Name: "epoch", Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Scale: opts.Bool(true)}),
		charts.WithGridOpts(opts.Grid{Top: "70px"}),
		charts.WithAnimation(false),
		charts.WithToolboxOpts(opts.Toolbox{Feature: &opts.ToolBoxFeature{
			SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true)}}}),
	)
	longest := 0
	for _, s := range series {
		longest = max(longest, len(s.Values))
	}
	epochs := make([]string, longest)
	for i := range epochs {
		epochs[i] = fmt.Sprint(i + 1)
	}
	line.SetXAxis(epochs)
	for _, s := range series {
		points := make([]opts.LineData, len(s.Values))
		for i, v := range s.Values {
			points[i] = opts.LineData{Value: v}
		}
		line.AddSeries(s.Name, points, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}))
	}
	return line
}
