package charts

import (
	"encoding/base64"
	"regexp"
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

var previewRE = regexp.MustCompile(`<img class="tlx-preview" [^>]*src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"`)

// preview decodes the static SVG preview in a chart's markup.
func preview(t *testing.T, html string) string {
	t.Helper()
	m := previewRE.FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no <img> preview with an SVG data URL in the chart's output")
	}
	svg, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatalf("preview is not base64: %v", err)
	}
	return string(svg)
}

func TestStaticPreview(t *testing.T) {
	if echartsModules() == "" || nodeFound == "" {
		t.Fatal("node or the echarts npm package is missing: run scripts/setup.sh")
	}
	var pts []Point
	for i := range 1000 {
		pts = append(pts, Point{X: float64(i%37) / 3, Y: float64(i%101) / 7, Group: []string{"source", "target"}[i%2], Label: "x"})
	}
	html, err := HTML(Embedding("domains", pts))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<svg") {
		t.Error("inline <svg> in the chart's output: Lab's sanitizer strips it from untrusted outputs")
	}
	svg := preview(t, html)
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("preview is not a standalone SVG: %.200s", svg)
	}
	if n := strings.Count(svg, "<circle"); n < 300 || n > maxFallbackPoints+10 {
		t.Errorf("preview draws %d points, want the scatter sampled to about %d", n, maxFallbackPoints)
	}
	if len(html) > 100_000 {
		t.Errorf("1,000-point scatter with its preview is %d bytes, want <= 100 KB", len(html))
	}
	t.Logf("1,000-point scatter: %d bytes with preview (SVG %d bytes)", len(html), len(svg))
	live, err := LiveHTML(Embedding("domains", pts))
	if err != nil || strings.Contains(live, "<img") {
		t.Errorf("live chart carries a preview (%v)", err)
	}
	curves, err := HTML(Curves("loss (accuracy 0.844)", Series{Name: "loss", Values: []float64{1, 0.5, 0.25}}))
	if err != nil || !strings.Contains(preview(t, curves), "accuracy 0.844") || !strings.Contains(curves, `alt="loss (accuracy 0.844) (static preview)"`) {
		t.Errorf("curves preview missing (%v)", err)
	}
}

func TestGallery(t *testing.T) {
	px := make([]float32, 4*4)
	px[5] = 1
	html, err := Gallery("top losses", []Image{{Pixels: px, H: 4, W: 4, C: 1, Caption: "true 3 / pred 5"}}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "data:image/png;base64,") || !strings.Contains(html, "true 3 / pred 5") || !strings.Contains(html, `width="16"`) {
		t.Errorf("gallery markup:\n%s", html)
	}
	if _, err := Gallery("bad", []Image{{Pixels: px, H: 3, W: 3, C: 1}}, 1); err == nil {
		t.Error("mis-sized image accepted")
	}
}
