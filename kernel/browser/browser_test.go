package browser_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tlx-go/tlx/kernel/headless"
	"github.com/tlx-go/tlx/kernel/kerneltest"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m.Run)) }

// The fixture's cells (testdata/fixture.ipynb), by position.
const (
	cellFineTune = 2                                           // tlx.FineTune: the live view (its final state is a summary line, no chart)
	cellViews    = 3                                           // the run restored: ShowCurves, ShowEmbedding, ShowConfusion
	cellPanic    = 4                                           // panics
	liveMarker   = "browser-fixture:"                          // the run's name opens each status line of its live view
	panicMessage = "the fixture's last cell panics on purpose" // what cellPanic panics with
)

// chartsPerCell is how many charts each fixture cell draws.
var chartsPerCell = map[int]int{cellFineTune: 0, cellViews: 3}

func TestJupyterLab(t *testing.T) { frontEnd(t, "lab", "lab") }

func TestNotebook7(t *testing.T) { frontEnd(t, "notebook", "notebook7") }

// frontEnd runs the fixture in app, checks what the browser saw, then
// reopens the saved notebook as an untrusted copy and checks its previews.
func frontEnd(t *testing.T, app, name string) {
	start := time.Now()
	root := t.TempDir()
	fixture, err := os.ReadFile("testdata/fixture.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root+"/fixture.ipynb", fixture, 0o644); err != nil {
		t.Fatal(err)
	}
	// Runs and cached features in fresh folders: the fixture trains here.
	s := startJupyter(t, app, root, "TLX_QUICK=1", "TLX_RUNS="+t.TempDir(), "TLX_CACHE="+t.TempDir())
	t.Logf("%s ready in %.1fs", app, time.Since(start).Seconds())

	ran := drive(t, s, app, "fixture.ipynb", "run", name+"-fixture.png", 6*time.Minute)
	t.Logf("%s: ran the fixture in %.1fs: %s", app, time.Since(start).Seconds(), strings.Join(ran.Steps, "; "))
	checkLoopback(t, ran)
	checkRun(t, ran)

	saved := readNotebook(t, root+"/fixture.ipynb")
	if data, err := os.ReadFile(root + "/fixture.ipynb"); err == nil {
		if err := headless.SaveArtifact(name+"-fixture.ipynb", data); err != nil {
			t.Log(err)
		}
	}
	want := 0
	for _, n := range chartsPerCell {
		want += n
	}
	if got := saved.charts(); got != want {
		t.Errorf("saved notebook holds %d chart outputs, want %d (were the outputs saved?)", got, want)
	}
	// A copy that someone else opens: its content no longer matches the
	// signature Jupyter recorded when it saved, so it opens untrusted.
	if err := saved.writeCopy(root+"/reopened.ipynb", "a copy reopened by the browser test"); err != nil {
		t.Fatal(err)
	}
	opened := drive(t, s, app, "reopened.ipynb", "open", name+"-untrusted.png", 2*time.Minute)
	checkLoopback(t, opened)
	checkUntrusted(t, opened, want)
	t.Logf("%s: browser test took %.1fs", app, time.Since(start).Seconds())
}

// checkRun asserts what a person sees after running all cells: every chart
// drawn on a canvas (no preview left), the live view updated while it
// trained, and the panic as the cell's error.
func checkRun(t *testing.T, r *report) {
	t.Helper()
	perCell := map[int]int{}
	for _, c := range r.Charts {
		perCell[c.Cell]++
		t.Logf("chart %s (cell %d): %d canvases, %d of %d pixels inked, state %q", c.ID, c.Cell, c.Canvases, c.CanvasInked, c.CanvasPixels, c.State)
		switch {
		case c.Canvases == 0:
			t.Errorf("chart %s (cell %d) has no canvas: state %q, text %q, notes %q", c.ID, c.Cell, c.State, c.Text, r.Notes)
		case c.CanvasPixels == 0 || float64(c.CanvasInked)/float64(c.CanvasPixels) < 0.005:
			t.Errorf("chart %s (cell %d): canvas is blank (%d of %d pixels inked)", c.ID, c.Cell, c.CanvasInked, c.CanvasPixels)
		}
		if c.PreviewsShown > 0 || c.InlineSVGs > 0 {
			t.Errorf("chart %s (cell %d) still shows its preview (%d images, %d inline SVGs)", c.ID, c.Cell, c.PreviewsShown, c.InlineSVGs)
		}
	}
	for cell, n := range chartsPerCell {
		if perCell[cell] != n {
			t.Errorf("cell %d shows %d charts, want %d", cell, perCell[cell], n)
		}
	}
	var training []string
	for _, s := range r.LiveStates {
		if !strings.Contains(s, "done,") {
			training = append(training, s)
		}
	}
	t.Logf("live view: %d distinct states while running (%d while training); its chart's canvas had at most %d of %d pixels inked (%d samples)",
		len(r.LiveStates), len(training), r.LiveInk.Inked, r.LiveInk.Pixels, r.LiveInk.Samples)
	if r.LiveInk.Pixels == 0 || float64(r.LiveInk.Inked)/float64(r.LiveInk.Pixels) < 0.005 {
		t.Errorf("the live view's curves never drew on a canvas while training (%d of %d pixels inked at most; %d canvases, %d chart elements seen, states %q %s)",
			r.LiveInk.Inked, r.LiveInk.Pixels, r.LiveInk.Samples, r.LiveInk.Charts, r.LiveInk.States, r.LiveInk.Error)
		t.Logf("%d samples taken; the live output in its second epoch:\n%s", r.LiveInk.Ticks, r.LiveInk.HTML)
	}
	// The first state is the view's first display; two more are updates.
	if len(training) < 3 {
		t.Errorf("live view showed %d states while training, want at least 3 (first display + 2 updates): %q", len(training), r.LiveStates)
	}
	for _, c := range r.Cells {
		if c.Type != "code" {
			continue
		}
		if c.Index == cellFineTune && c.LiveOutputs != 1 {
			t.Errorf("the fine-tuning cell shows its live view in %d outputs, want 1 (updated in place)", c.LiveOutputs)
		}
		var errs []output
		for _, o := range c.Outputs {
			if o.Type == "error" {
				errs = append(errs, o)
			}
		}
		if c.Index != cellPanic {
			if len(errs) > 0 {
				t.Errorf("cell %d failed: %+v", c.Index, errs)
			}
			continue
		}
		if len(errs) != 1 || errs[0].Ename != "panic" || !strings.Contains(errs[0].Evalue, panicMessage) {
			t.Errorf("panicking cell's outputs = %+v, want one error output, ename panic, evalue %q", c.Outputs, panicMessage)
		}
		shown := false
		for _, e := range c.ErrorsShown {
			shown = shown || strings.Contains(e, panicMessage)
		}
		if !shown {
			t.Errorf("panicking cell shows no error with %q: %q", panicMessage, c.ErrorsShown)
		}
	}
	if len(r.Console) > 0 {
		t.Logf("browser console errors: %q", r.Console)
	}
}

// checkUntrusted asserts that an untrusted notebook shows each chart's
// static preview picture and runs no chart script.
func checkUntrusted(t *testing.T, r *report, charts int) {
	t.Helper()
	for _, c := range r.Cells {
		if c.Type == "code" && len(c.Outputs) > 0 && c.Trusted {
			t.Errorf("cell %d of the reopened copy is trusted: the test did not reopen it untrusted", c.Index)
		}
	}
	if r.Canvases > 0 {
		t.Errorf("untrusted notebook drew %d canvases: chart scripts ran", r.Canvases)
	}
	shown := 0
	for _, p := range r.Previews {
		if p.Shown {
			shown++
		}
	}
	t.Logf("untrusted: %d preview images shown of %d, %d canvases", shown, len(r.Previews), r.Canvases)
	if shown != charts {
		t.Errorf("untrusted notebook shows %d preview images (of %d found), want %d: charts %+v", shown, len(r.Previews), charts, r.Charts)
	}
}

func checkLoopback(t *testing.T, r *report) {
	t.Helper()
	if len(r.Blocked) > 0 {
		t.Errorf("the page asked for addresses off loopback (refused): %q", r.Blocked)
	}
}
