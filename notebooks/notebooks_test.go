// Package notebooks_test executes the course notebooks with the tlx kernel
// in quick mode (TLX_QUICK=1: smaller subsets, same code path), fails on
// any failing cell, and opens each HTML report in headless Chromium to
// check that every chart drew.
package notebooks_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlx-go/tlx/kernel/headless"
	"github.com/tlx-go/tlx/kernel/kerneltest"
	"github.com/tlx-go/tlx/kernel/runner"
)

func TestMain(m *testing.M) {
	code := kerneltest.Main(m.Run)
	for _, dir := range runsDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

var chartDiv = regexp.MustCompile(`<div [^>]*\bid="tlx-chart-[^"]*"[^>]*>`)

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

// executed records the runs folder of each notebook TestNotebooks ran
// successfully, for the reproducibility tests to compare against;
// runsDirs holds every runs folder made, for TestMain to remove.
var (
	executed = map[string]string{}
	runsDirs []string
)

func TestNotebooks(t *testing.T) {
	names, err := filepath.Glob("*.ipynb")
	if err != nil || len(names) == 0 {
		t.Fatalf("no notebooks: %v", err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, ".out.ipynb") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			dir, err := os.MkdirTemp("", "tlx-runs-") // kept for the reproducibility test; TestMain removes it
			if err != nil {
				t.Fatal(err)
			}
			runsDirs = append(runsDirs, dir)
			execute(t, name, dir)
			if !t.Failed() {
				executed[name] = dir // a failed execution is not a reference for the tests below
			}
		})
	}
}

// TestDomainAdaptationReproducible executes the domain-adaptation notebook
// again in a fresh runs folder: every number it saved and every training
// history must be the same, bit for bit (fixed seeds, Go backend).
func TestDomainAdaptationReproducible(t *testing.T) {
	const name = "12-domain-adaptation-mnist-to-digits.ipynb"
	first, ok := executed[name]
	if !ok {
		first = t.TempDir()
		execute(t, name, first)
	}
	second := t.TempDir()
	execute(t, name, second)
	a, b := runResults(t, first), runResults(t, second)
	if a == "" {
		t.Fatal("the notebook saved no results")
	}
	if a != b {
		t.Errorf("two executions differ:\n%s\n---\n%s", a, b)
	}
}

// runResults lists, in order, every value a notebook saved and every run's
// history (timings left out) under a runs folder.
func runResults(t *testing.T, dir string) string {
	t.Helper()
	values, _ := filepath.Glob(filepath.Join(dir, "*", "values", "*.json"))
	latest, _ := filepath.Glob(filepath.Join(dir, "*", "latest.json"))
	var b strings.Builder
	for _, p := range values {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s: %s\n", rel, data)
	}
	for _, p := range latest {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s:\n%s", rel, histories(t, data))
	}
	return b.String()
}

// TestFineTuningRestoresOnRerun executes the fine-tuning notebook again on
// the runs folder TestNotebooks trained it in: the second time every stage
// is restored from disk and none trains (no stage file is written again).
func TestFineTuningRestoresOnRerun(t *testing.T) {
	const name = "01-fine-tuning.ipynb"
	runs, ok := executed[name]
	if !ok {
		runs = t.TempDir()
		execute(t, name, runs)
	}
	stagesDir := filepath.Join(runs, "fmnist59", "stages")
	before := fileStamps(t, stagesDir)
	second := execute(t, name, runs)
	t.Logf("re-run restoring the stages %.1fs", second.Duration.Seconds())
	if after := fileStamps(t, stagesDir); after != before {
		t.Errorf("the re-run wrote stage files (a stage trained again):\nbefore:\n%s\nafter:\n%s", before, after)
	}
	stages, err := filepath.Glob(filepath.Join(stagesDir, "*"))
	if err != nil || len(stages) != 3 {
		t.Errorf("stage folders after two runs: %v (want the same 3)", stages)
	}
	for _, dir := range stages {
		if _, err := os.Stat(filepath.Join(dir, "history.json")); err != nil {
			t.Errorf("stage %s is not finished: %v", dir, err)
		}
	}

	// Reproducibility: a fresh run elsewhere trains again and must give the
	// very same metrics, bit for bit.
	other := t.TempDir()
	execute(t, name, other)
	a, errA := os.ReadFile(filepath.Join(runs, "fmnist59", "latest.json"))
	b, errB := os.ReadFile(filepath.Join(other, "fmnist59", "latest.json"))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if histories(t, a) != histories(t, b) {
		t.Errorf("two executions gave different histories:\n%s\n%s", histories(t, a), histories(t, b))
	}
}

// fileStamps lists every file under dir with its size and modification
// time: a stage that trains again rewrites its files.
func fileStamps(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %s\n", path, info.Size(), info.ModTime().Format(time.RFC3339Nano))
		return nil
	})
	if err != nil || b.Len() == 0 {
		t.Fatalf("stage files under %s: %v (%d bytes listed)", dir, err, b.Len())
	}
	return b.String()
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

var chartData = regexp.MustCompile(`(?s)<div [^>]*\bid="tlx-chart-[^"]*".*?var option = .*?;\n`)

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
