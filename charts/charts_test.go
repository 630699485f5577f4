package charts

import (
	"strings"
	"testing"
)

func TestEmbeddingGroupsAndSize(t *testing.T) {
	var pts []Point
	for i := range 1000 {
		pts = append(pts, Point{X: float64(i) / 7, Y: float64(i%13) / 3, Group: []string{"source", "target"}[i%2], Label: "digit"})
	}
	html, err := HTML(Embedding("domains", pts))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(html, `"type":"scatter"`) != 2 || !strings.Contains(html, `"name":"source"`) || !strings.Contains(html, `"name":"target"`) {
		t.Error("want one scatter series per group")
	}
	if !strings.Contains(html, `[142.7,3.667,"digit",999]`) {
		t.Error("point 999 missing or not rounded to 4 digits")
	}
	if len(html) > 100_000 {
		t.Errorf("a 1,000-point scatter is %d bytes, want <= 100 KB", len(html))
	}
}

func TestConfusionCells(t *testing.T) {
	html, err := HTML(Confusion("cm", []string{"a", "b"}, [][]int{{8, 2}, {1, 9}}))
	if err != nil {
		t.Fatal(err)
	}
	// Row a (drawn at the top, y=1): 8 correct (rate 0.8), 2 as b. The rate
	// comes last: echarts' visual map colours by the last value.
	for _, cell := range []string{`[0,1,8,"a","a",0.8]`, `[1,1,2,"a","b",0.2]`, `[0,0,1,"b","a",0.1]`, `[1,0,9,"b","b",0.9]`} {
		if !strings.Contains(html, cell) {
			t.Errorf("confusion matrix lacks cell %s", cell)
		}
	}
}

func TestBarsAndTable(t *testing.T) {
	html, err := HTML(Bars("drift", []string{"stem", "head"}, Series{Name: "drift", Values: []float64{0.012345, 0.5}}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, `{"value":0.01235}`) || !strings.Contains(html, `"data":["stem","head"]`) {
		t.Errorf("bar chart data wrong:\n%s", html)
	}
	if tbl := Table([]string{"a<b"}, [][]string{{"1"}}); !strings.Contains(tbl, "a&lt;b") {
		t.Errorf("table does not escape: %s", tbl)
	}
}

func TestNoJavaScriptFunctionsInOptions(t *testing.T) {
	// go-echarts' snippet keeps function options quoted, which echarts then
	// prints as text: tlx's charts use string templates only.
	for name, c := range map[string]Chart{
		"embedding": Embedding("e", []Point{{X: 1, Y: 2, Group: "g", Label: "l"}}),
		"confusion": Confusion("c", []string{"a"}, [][]int{{1}}),
		"bars":      Bars("b", []string{"x"}, Series{Name: "s", Values: []float64{1}}),
	} {
		html, err := HTML(c)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(optionRE.FindStringSubmatch(html)[1], "function") {
			t.Errorf("%s options contain a JavaScript function", name)
		}
	}
}
