package runner_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/kernel/headless"
	"github.com/tlx-go/tlx/kernel/kerneltest"
	"github.com/tlx-go/tlx/kernel/runner"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m.Run)) }

// writeNotebook saves a notebook of Go code cells for the tlx kernel.
func writeNotebook(t *testing.T, cells ...string) string {
	t.Helper()
	var nbCells []map[string]any
	for i, src := range cells {
		nbCells = append(nbCells, map[string]any{"cell_type": "code", "id": "c" + string(rune('a'+i)),
			"metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil, "source": src})
	}
	nb := map[string]any{"cells": nbCells, "nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "tlx", "display_name": "Go (tlx)", "language": "go"}}}
	data, err := json.Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "test.ipynb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func outputsOf(t *testing.T, executed string) [][]map[string]any {
	t.Helper()
	data, err := os.ReadFile(executed)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct{ Outputs []map[string]any }
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	var outs [][]map[string]any
	for _, c := range nb.Cells {
		outs = append(outs, c.Outputs)
	}
	return outs
}

func TestRunNamesThePanickingCell(t *testing.T) {
	nb := writeNotebook(t, `%%
fmt.Println("first")`, `%%
panic("boom in the second cell")`, `%%
fmt.Println("never printed")`)
	res, err := runner.Run(runner.Options{Notebook: nb})
	var ce *runner.CellError
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v, want a *CellError", err)
	}
	if ce.Index != 1 || ce.Ename != "panic" || !strings.Contains(ce.Evalue, "boom in the second cell") {
		t.Errorf("CellError = %+v, want cell 1, panic, boom...", ce)
	}
	if !strings.Contains(err.Error(), "cell 1 failed: panic: boom in the second cell") {
		t.Errorf("message %q does not name the cell and the panic", err)
	}
	outs := outputsOf(t, res.OutNotebook)
	if len(outs[2]) != 0 {
		t.Errorf("the cell after the failure ran: %v", outs[2])
	}
	if _, err := os.Stat(res.HTML); err != nil {
		t.Errorf("no report for a failed run: %v", err)
	}
}

func TestRunNamesCompileErrorsAndExits(t *testing.T) {
	for _, tc := range []struct {
		name, cell, ename string
	}{
		{"compile", "%%\nnoSuchFunction()", "ERROR"},
		{"exit", "%%\nos.Exit(4)", "exit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runner.Run(runner.Options{Notebook: writeNotebook(t, "%%\nfmt.Println(1)", tc.cell)})
			var ce *runner.CellError
			if !errors.As(err, &ce) || ce.Index != 1 || ce.Ename != tc.ename {
				t.Fatalf("Run error = %#v, want cell 1 failing with %s", err, tc.ename)
			}
		})
	}
}

func TestRunCommandExitsNonZero(t *testing.T) {
	nb := writeNotebook(t, "%%\nfmt.Println(1)", "%%\npanic(\"cli sees this\")")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./kernel/cmd/tlx-run", nb)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("tlx-run exit = %v, want status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "cell 1 failed: panic: cli sees this") {
		t.Errorf("tlx-run output does not name the failing cell:\n%s", out)
	}
}

// chartDiv matches a chart's element whatever the order of its attributes
// (nbconvert 7 re-serialises HTML outputs and puts class before id).
var chartDiv = regexp.MustCompile(`<div [^>]*\bid="tlx-chart-[^"]*"[^>]*>`)

// TestWelcomeReportDrawsOffline executes the welcome notebook and opens its
// report in headless Chromium, which has no network: each chart must have
// an echarts instance and a canvas, and the screenshot must show it.
func TestWelcomeReportDrawsOffline(t *testing.T) {
	dir := t.TempDir()
	res, err := runner.Run(runner.Options{Notebook: "../../notebooks/00-welcome.ipynb", HTML: filepath.Join(dir, "welcome.html")})
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(res.HTML)
	if err != nil {
		t.Fatal(err)
	}
	// Self-contained: no script from the network, nor from this machine's
	// files (Debian's nbconvert pointed at file:///usr/share/javascript).
	if m := regexp.MustCompile(`<script[^>]+src="[^"]*"`).FindAll(page, -1); len(m) > 0 {
		t.Errorf("report loads scripts from elsewhere: %q", m)
	}
	for _, want := range []string{"Run manifest", "GoMLX backend", "github.com/gomlx/gomlx", "v0.28.16", "machine", "00-welcome.ipynb"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report manifest lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "welcome.manifest.json")); err != nil {
		t.Errorf("no manifest JSON next to the report: %v", err)
	}
	p, err := headless.Open(res.HTML, headless.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := headless.SaveArtifact("welcome.png", p.PNG); err != nil {
		t.Log(err)
	}
	divs := chartDiv.FindAllString(p.DOM, -1)
	if len(divs) != 1 {
		t.Fatalf("found %d chart elements in the rendered report, want 1", len(divs))
	}
	for _, d := range divs {
		if !strings.Contains(d, "_echarts_instance_") {
			t.Errorf("chart not drawn by echarts: %s", d)
		}
	}
	if !strings.Contains(p.DOM, "<canvas") {
		t.Error("no canvas in the rendered report")
	}
	if ink := p.InkFraction(); ink < 0.02 {
		t.Errorf("screenshot is %.3f ink: nearly blank", ink)
	}
	if n := p.DistinctColors(); n < 50 {
		t.Errorf("screenshot has %d colours: the chart's coloured lines are missing", n)
	}
}
