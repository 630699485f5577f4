package charts

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

var optionRE = regexp.MustCompile(`(?s)var option = (.*?);\n`)

func TestCurvesHTMLCarriesOptions(t *testing.T) {
	html, err := HTML(Curves("Training", Series{Name: "loss", Values: []float64{0.9, 0.5, 0.25}}))
	if err != nil {
		t.Fatal(err)
	}
	m := optionRE.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no option object in markup:\n%s", html)
	}
	var option struct {
		Title  struct{ Text string } `json:"title"`
		Series []struct {
			Name string
			Type string
			Data []struct{ Value float64 }
		} `json:"series"`
	}
	if err := json.Unmarshal([]byte(m[1]), &option); err != nil {
		t.Fatalf("option is not JSON: %v\n%s", err, m[1])
	}
	if len(option.Series) != 1 || option.Series[0].Name != "loss" || option.Series[0].Type != "line" {
		t.Fatalf("series = %+v, want one line named loss", option.Series)
	}
	if got := option.Series[0].Data; len(got) != 3 || got[2].Value != 0.25 {
		t.Errorf("data = %+v, want 3 points ending at 0.25", got)
	}
	if strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Error("chart markup refers to the network")
	}
	if strings.Contains(html, "nbextensions") || strings.Contains(html, "require(") {
		t.Error("chart markup depends on an nbextension or RequireJS")
	}
	live, err := LiveHTML(Curves("Training", Series{Name: "loss", Values: []float64{0.9, 0.5, 0.25}}))
	if err != nil {
		t.Fatal(err)
	}
	if len(live) > 4500 {
		t.Errorf("markup without preview is %d bytes: the loader should stay small", len(live))
	}
}

func TestHTMLDeterministicIDs(t *testing.T) {
	c := func() Chart { return Curves("same", Series{Name: "a", Values: []float64{1, 2}}) }
	drawn.Store(0)
	a, _ := HTML(c())
	b, _ := HTML(c())
	drawn.Store(0)
	a2, _ := HTML(c())
	if a == b {
		t.Error("two equal charts in one process share an element id")
	}
	if a != a2 {
		t.Error("the same chart at the same position rendered differently")
	}
}

func TestCurvesMarksAndLRFinder(t *testing.T) {
	html, err := HTML(CurvesWithMarks("stages", []Mark{{Epoch: 3, Label: "unfreeze"}},
		Series{Name: "loss", Values: []float64{3, 2, 1, 0.5}}, Series{Name: "acc", Values: []float64{0.1, 0.5, 0.7, 0.8}}))
	if err != nil {
		t.Fatal(err)
	}
	var option struct {
		Series []struct {
			MarkLine struct {
				Data []struct {
					Name  string
					XAxis string
				}
			} `json:"markLine"`
		} `json:"series"`
	}
	if err := json.Unmarshal([]byte(optionRE.FindStringSubmatch(html)[1]), &option); err != nil {
		t.Fatal(err)
	}
	if d := option.Series[0].MarkLine.Data; len(d) != 1 || d[0].Name != "unfreeze" || d[0].XAxis != "3" {
		t.Errorf("stage mark = %+v, want one at epoch 3 named unfreeze", d)
	}
	lr, err := HTML(LRFinder([]float64{1e-5, 1e-4, 1e-3}, []float64{2.3, 2.0, 3.5}, 1e-4))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lr, `"type":"log"`) || !strings.Contains(lr, "suggested: 0.0001") {
		t.Errorf("LR finder chart lacks the log axis or the suggestion:\n%s", lr)
	}
}

// Lines places each value at its x: pairs, on a value (or log) axis.
func TestLinesNumericX(t *testing.T) {
	html, err := HTML(Lines("few-shot", "labels per class", "accuracy", []float64{1, 5, 20}, true,
		Series{Name: "pretrained", Values: []float64{0.5, 0.8, 0.9}}, Series{Name: "scratch", Values: []float64{0.2, 0.4}}))
	if err != nil {
		t.Fatal(err)
	}
	var option struct {
		XAxis  []struct{ Type, Name string } `json:"xAxis"`
		Series []struct {
			Name string
			Data []struct{ Value []float64 }
		} `json:"series"`
	}
	if err := json.Unmarshal([]byte(optionRE.FindStringSubmatch(html)[1]), &option); err != nil {
		t.Fatal(err)
	}
	if option.XAxis[0].Type != "log" || option.XAxis[0].Name != "labels per class" {
		t.Errorf("x axis %+v", option.XAxis)
	}
	if len(option.Series) != 2 || len(option.Series[1].Data) != 2 || option.Series[0].Data[2].Value[0] != 20 || option.Series[0].Data[2].Value[1] != 0.9 {
		t.Errorf("series %+v", option.Series)
	}
}
