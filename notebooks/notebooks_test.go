// Package notebooks_test executes the course notebooks with the tlx kernel
// in quick mode (TLX_QUICK=1: smaller subsets, same code path), fails on
// any failing cell, and opens each HTML report in headless Chromium to
// check that every chart drew.
package notebooks_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/kernel/headless"
	"github.com/tlx-go/tlx/kernel/kerneltest"
	"github.com/tlx-go/tlx/kernel/runner"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m.Run)) }

var chartDiv = regexp.MustCompile(`<div id="tlx-chart-[^"]*"[^>]*>`)

// execute runs one notebook quickly with its runs under runsDir and checks
// its report in the browser.
func execute(t *testing.T, name, runsDir string) *runner.Result {
	t.Helper()
	out := t.TempDir()
	res, err := runner.Run(runner.Options{
		Notebook: name, HTML: filepath.Join(out, strings.TrimSuffix(name, ".ipynb")+".html"),
		Env: []string{"TLX_QUICK=1", "TLX_RUNS=" + runsDir},
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	page, err := headless.Open(res.HTML, headless.Options{Height: 6000, BudgetMS: 8000})
	if err != nil {
		t.Fatal(err)
	}
	_ = headless.SaveArtifact(strings.TrimSuffix(name, ".ipynb")+".png", page.PNG)
	if ink := page.InkFraction(); ink < 0.01 {
		t.Errorf("%s: the report's screenshot is %.4f ink: nearly blank", name, ink)
	}
	divs := chartDiv.FindAllString(page.DOM, -1)
	for _, d := range divs {
		if !strings.Contains(d, "_echarts_instance_") {
			t.Errorf("%s: chart not drawn: %s", name, d)
		}
	}
	t.Logf("%s: %d cells, %d charts, %.1fs", name, res.Cells, len(divs), res.Duration.Seconds())
	return res
}

func TestNotebooks(t *testing.T) {
	names, err := filepath.Glob("*.ipynb")
	if err != nil || len(names) == 0 {
		t.Fatalf("no notebooks: %v", err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, ".out.ipynb") {
			continue
		}
		t.Run(name, func(t *testing.T) { execute(t, name, t.TempDir()) })
	}
}

// TestFineTuningRestoresOnRerun executes the fine-tuning notebook twice on
// the same runs folder: the second time every stage is restored from disk.
func TestFineTuningRestoresOnRerun(t *testing.T) {
	runs := t.TempDir()
	first := execute(t, "01-fine-tuning.ipynb", runs)
	second := execute(t, "01-fine-tuning.ipynb", runs)
	t.Logf("first run %.1fs, re-run restoring the stages %.1fs", first.Duration.Seconds(), second.Duration.Seconds())
	out, err := os.ReadFile(second.OutNotebook)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), "restored from"); n < 3 {
		t.Errorf("the re-run says 'restored from' %d times, want once per stage (3)", n)
	}
	stages, err := filepath.Glob(filepath.Join(runs, "fmnist59", "stages", "*"))
	if err != nil || len(stages) != 3 {
		t.Errorf("stage folders after two runs: %v (want the same 3)", stages)
	}

	// Reproducibility: a fresh run elsewhere trains again and must give the
	// very same metrics, bit for bit.
	other := t.TempDir()
	execute(t, "01-fine-tuning.ipynb", other)
	a, errA := os.ReadFile(filepath.Join(runs, "fmnist59", "latest.json"))
	b, errB := os.ReadFile(filepath.Join(other, "fmnist59", "latest.json"))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if histories(t, a) != histories(t, b) {
		t.Errorf("two executions gave different histories:\n%s\n%s", histories(t, a), histories(t, b))
	}
}

// histories returns the epochs of a run's latest.json, without timings.
func histories(t *testing.T, latest []byte) string {
	t.Helper()
	var l struct {
		History struct{ Epochs []map[string]any } `json:"history"`
	}
	if err := json.Unmarshal(latest, &l); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range l.History.Epochs {
		delete(e, "seconds")
		line, _ := json.Marshal(e)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

var chartData = regexp.MustCompile(`(?s)<div id="tlx-chart-[^"]*".*?var option = .*?;\n`)

// TestExportsAreByteIdentical executes the welcome notebook twice: the
// chart markup and data in the two reports must be the same bytes.
func TestExportsAreByteIdentical(t *testing.T) {
	var pages [2]string
	for i := range pages {
		res := execute(t, "00-welcome.ipynb", t.TempDir())
		data, err := os.ReadFile(res.HTML)
		if err != nil {
			t.Fatal(err)
		}
		pages[i] = strings.Join(chartData.FindAllString(string(data), -1), "\n")
	}
	if pages[0] == "" {
		t.Fatal("no chart found in the report")
	}
	if pages[0] != pages[1] {
		t.Error("the two exports' charts differ")
	}
}
