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

// Mark is a labelled vertical line at an epoch (e.g. where a fine-tuning
// stage begins).
type Mark struct {
	Epoch int
	Label string
}

// Curves draws training curves (one line per series) against the epoch,
// with a legend, hover tooltips and a save-as-image button. It returns the
// go-echarts chart, so any further option can be set on it.
func Curves(title string, series ...Series) *charts.Line {
	return CurvesWithMarks(title, nil, series...)
}

// CurvesWithMarks is Curves with vertical lines at the marks' epochs.
func CurvesWithMarks(title string, marks []Mark, series ...Series) *charts.Line {
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
	for i, s := range series {
		points := make([]opts.LineData, len(s.Values))
		for j, v := range s.Values {
			points[j] = opts.LineData{Value: v}
		}
		seriesOpts := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)})}
		if i == 0 && len(marks) > 0 {
			items := make([]opts.MarkLineNameXAxisItem, len(marks))
			for k, m := range marks {
				items[k] = opts.MarkLineNameXAxisItem{Name: m.Label, XAxis: fmt.Sprint(m.Epoch)}
			}
			seriesOpts = append(seriesOpts, charts.WithMarkLineNameXAxisItemOpts(items...),
				charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
					Label: &opts.Label{Show: opts.Bool(true), Formatter: "{b}"}, LineStyle: &opts.LineStyle{Type: "dashed", Color: "#888"}}))
		}
		line.AddSeries(s.Name, points, seriesOpts...)
	}
	return line
}

// LRFinder plots loss against learning rate on a logarithmic axis, with a
// marker at the suggested rate.
func LRFinder(lrs, losses []float64, suggested float64) *charts.Line {
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: "Learning-rate finder", Subtitle: fmt.Sprintf("suggested: %.2g", suggested)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithXAxisOpts(opts.XAxis{Name: "learning rate", Type: "log"}),
		charts.WithYAxisOpts(opts.YAxis{Name: "loss", Type: "value", Scale: opts.Bool(true)}),
		charts.WithAnimation(false),
	)
	points := make([]opts.LineData, len(lrs))
	for i := range lrs {
		points[i] = opts.LineData{Value: []float64{lrs[i], losses[i]}}
	}
	line.AddSeries("loss", points,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: "suggested", XAxis: suggested}),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, LineStyle: &opts.LineStyle{Type: "dashed", Color: "#d33"}}))
	return line
}

// Lines plots series against a shared numeric x axis (e.g. accuracy
// against the number of labelled examples): x[i] is the position of every
// series' i-th value. logX puts x on a logarithmic scale.
func Lines(title, xName, yName string, x []float64, logX bool, series ...Series) *charts.Line {
	line := charts.NewLine()
	axis := "value"
	if logX {
		axis = "log"
	}
	line.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30px"}),
		charts.WithXAxisOpts(opts.XAxis{Name: xName, Type: axis}),
		charts.WithYAxisOpts(opts.YAxis{Name: yName, Type: "value", Scale: opts.Bool(true)}),
		charts.WithGridOpts(opts.Grid{Top: "70px"}),
		charts.WithAnimation(false),
		charts.WithToolboxOpts(opts.Toolbox{Feature: &opts.ToolBoxFeature{
			SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true)}}}),
	)
	for _, s := range series {
		points := make([]opts.LineData, 0, len(s.Values))
		for i, v := range s.Values {
			if i < len(x) {
				points = append(points, opts.LineData{Value: []float64{x[i], v}})
			}
		}
		line.AddSeries(s.Name, points, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}))
	}
	return line
}
