package study

import (
	"fmt"

	gecharts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/net"
)

// Reseed is m.Reseed(seed): what m initialises from now on (a new head, a
// model built from scratch) and its dropout depend on seed.
func Reseed(m *net.Model, seed uint64) error { return m.Reseed(seed) }

// palette is echarts' default series colours: a mean's line takes the
// i-th, and its seeds' points are drawn in the same colour.
var palette = []string{"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"}

// seedPoints is a scatter of one point per seed: the spread behind a mean.
func seedPoints(name string, points [][]any, color string) *gecharts.Scatter {
	s := gecharts.NewScatter()
	data := make([]opts.ScatterData, len(points))
	for i, p := range points {
		data[i] = opts.ScatterData{Value: p, SymbolSize: 7}
	}
	s.AddSeries(name, data, gecharts.WithItemStyleOpts(opts.ItemStyle{Color: color, Opacity: opts.Float(0.55)}))
	return s
}

// spreadLines draws the mean of each series against x with a point per
// seed around it: values[series][x][seed].
func spreadLines(title, xName, yName string, x []float64, logX bool, names []string, values [][][]float64) *gecharts.Line {
	var series []charts.Series
	for i, name := range names {
		means := make([]float64, len(values[i]))
		for j, v := range values[i] {
			means[j] = round4(NewStat(v).Mean)
		}
		series = append(series, charts.Series{Name: name, Values: means})
	}
	line := charts.Lines(title, xName, yName, x, logX, series...)
	for i, name := range names {
		var pts [][]any
		for j, v := range values[i] {
			for _, a := range v {
				pts = append(pts, []any{x[j], round4(a)})
			}
		}
		line.Overlap(seedPoints(name+" (each seed)", pts, palette[i%len(palette)]))
	}
	return line
}

// spreadBars draws one bar per category at the mean, with a point per seed.
func spreadBars(title string, categories []string, values [][]float64) *gecharts.Bar {
	means := make([]float64, len(values))
	var pts [][]any
	for i, v := range values {
		means[i] = NewStat(v).Mean
		for _, a := range v {
			pts = append(pts, []any{categories[i], round4(a)})
		}
	}
	n := 0
	if len(values) > 0 {
		n = len(values[0])
	}
	bar := charts.Bars(title, categories, charts.Series{Name: fmt.Sprintf("mean of %d seeds", n), Values: means})
	bar.SetGlobalOptions(gecharts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30px"}))
	bar.Overlap(seedPoints("each seed", pts, "#333333"))
	return bar
}

// Chart draws the named measurements (all when none are named) as bars at
// their mean over seeds, with each seed's value as a point.
func (r *Repeated) Chart(title string, names ...string) *gecharts.Bar {
	if len(names) == 0 {
		names = r.Names()
	}
	values := make([][]float64, len(names))
	for i, n := range names {
		values[i] = r.Results[n]
	}
	return spreadBars(title, names, values)
}

func round4(v float64) float64 { return float64(int64(v*1e4+0.5*sign(v))) / 1e4 }

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
