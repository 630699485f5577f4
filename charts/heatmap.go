package charts

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Confusion draws a confusion matrix: rows are true classes, columns
// predicted ones; each cell's colour is its row-normalised rate and its
// text the count and the rate.
func Confusion(title string, classes []string, counts [][]int) *charts.HeatMap {
	hm := charts.NewHeatMap()
	n := len(classes)
	hm.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Formatter: "true {@[3]}, predicted {@[4]}: {@[2]} (rate {@[5]})"}),
		charts.WithXAxisOpts(opts.XAxis{Name: "predicted", Type: "category", Data: classes, SplitArea: &opts.SplitArea{Show: opts.Bool(true)},
			AxisLabel: &opts.AxisLabel{Rotate: 30}}),
		charts.WithYAxisOpts(opts.YAxis{Name: "true", Type: "category", Data: reversed(classes), SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{Min: 0, Max: 1, Calculable: opts.Bool(true), Orient: "horizontal", Left: "center", Bottom: "0",
			InRange: &opts.VisualMapInRange{Color: []string{"#f7fbff", "#6baed6", "#08306b"}}}),
		charts.WithGridOpts(opts.Grid{Bottom: "80px", Left: "110px"}),
		charts.WithAnimation(false),
	)
	var cells []opts.HeatMapData
	for i := range n {
		total := 0
		for _, c := range counts[i] {
			total += c
		}
		for j := range n {
			rate := 0.0
			if total > 0 {
				rate = float64(counts[i][j]) / float64(total)
			}
			// x, y (rows from the top), count, names for the tooltip, and last
			// the rate: the visual map colours by the last value.
			cells = append(cells, opts.HeatMapData{Value: []any{j, n - 1 - i, counts[i][j], classes[i], classes[j], round4(rate)}})
		}
	}
	hm.AddSeries("confusion", cells, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{@[2]}"}))
	return hm
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// Bars draws named values as bars (per-class accuracy, per-layer weight
// drift), one series per entry of series.
func Bars(title string, categories []string, series ...Series) *charts.Bar {
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(series) > 1), Top: "30px"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: 30, Interval: "0"}}),
		charts.WithGridOpts(opts.Grid{Top: "70px", Bottom: "90px"}),
		charts.WithAnimation(false),
	)
	bar.SetXAxis(categories)
	for _, s := range series {
		items := make([]opts.BarData, len(s.Values))
		for i, v := range s.Values {
			items[i] = opts.BarData{Value: round4(v)}
		}
		bar.AddSeries(s.Name, items)
	}
	return bar
}

// Table renders rows of cells as an HTML table with a header row.
func Table(header []string, rows [][]string) string {
	out := `<table class="tlx-table" style="border-collapse:collapse;font-family:monospace"><tr>`
	for _, h := range header {
		out += fmt.Sprintf(`<th style="padding:2px 8px;border-bottom:1px solid #999">%s</th>`, escape(h))
	}
	out += "</tr>"
	for _, r := range rows {
		out += "<tr>"
		for _, c := range r {
			out += fmt.Sprintf(`<td style="padding:2px 8px">%s</td>`, escape(c))
		}
		out += "</tr>"
	}
	return out + "</table>"
}
