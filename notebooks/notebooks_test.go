// Package notebooks_test executes the course notebooks with the tlx kernel
// in quick mode (TLX_QUICK=1: smaller subsets, same code path), fails on
// any failing cell, and opens each HTML report in headless Chromium to
// check that every chart drew.
package notebooks_test

import (
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
}
