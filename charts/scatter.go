package charts

import (
	"fmt"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Point is one point of a 2-D embedding: its coordinates, the group it is
// coloured by (a class name, a domain) and a label shown on hover.
type Point struct {
	X, Y  float64
	Group string
	Label string
}

// Embedding draws 2-D points coloured by group (one legend entry per
// group, clickable to hide it), with the point's label and index on hover.
// Values are rounded to 4 significant digits to keep the output small.
func Embedding(title string, points []Point) *charts.Scatter {
	sc := charts.NewScatter()
	sc.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: "{a}<br/>{@[2]} (#{@[3]})"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30px", Type: "scroll"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Scale: opts.Bool(true), SplitLine: &opts.SplitLine{Show: opts.Bool(false)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Scale: opts.Bool(true), SplitLine: &opts.SplitLine{Show: opts.Bool(false)}}),
		charts.WithGridOpts(opts.Grid{Top: "70px"}),
		charts.WithAnimation(false),
	)
	groups := map[string][]opts.ScatterData{}
	for i, p := range points {
		groups[p.Group] = append(groups[p.Group], opts.ScatterData{Value: []any{round4(p.X), round4(p.Y), p.Label, i}})
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		sc.AddSeries(g, groups[g], charts.WithScatterChartOpts(opts.ScatterChart{SymbolSize: 5}))
	}
	return sc
}

func round4(v float64) float64 {
	var f float64
	fmt.Sscanf(fmt.Sprintf("%.4g", v), "%g", &f)
	return f
}
