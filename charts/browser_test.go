package charts

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/kernel/headless"
)

// The browser tests render chart outputs the way JupyterLab's renderHTML
// does (renderers.ts in @jupyterlab/rendermime 4.6): the output's HTML is
// set as a detached host's innerHTML, each <script> is re-created
// (evalInnerHTMLScriptTags) and runs when the host is attached; an update
// of a display (update_display_data) renders into the same host again.
// A probe then reads the page's state into <pre id="probe-N">, which the
// test reads from the DOM Chromium dumps.

// step is one thing the page does at a time (virtual milliseconds): render
// HTML into output host Host (a new one, or an update of an earlier host),
// or probe.
type step struct {
	At    int    `json:"at"`
	Host  int    `json:"host"`
	HTML  string `json:"html,omitempty"`
	Probe int    `json:"probe,omitempty"` // > 0: write probe number Probe
}

const harness = `<!doctype html>
<html><head><meta charset="utf-8"><title>tlx charts harness</title>%s</head>
<body style="margin:8px;width:1000px">
<div id="out"></div>
<script>
var hosts = {};
function render(html, n) {
  var host = hosts[n], fresh = !host;
  if (fresh) { host = hosts[n] = document.createElement("div"); host.className = "output-" + n; }
  host.innerHTML = html;
  Array.from(host.getElementsByTagName("script")).forEach(function (s) {
    var c = document.createElement("script");
    Array.from(s.attributes).forEach(function (a) { c.setAttribute(a.name, a.value); });
    c.textContent = s.textContent;
    s.parentNode.replaceChild(c, s);
  });
  if (fresh) { document.getElementById("out").appendChild(host); }
}
function ink(canvas) {
  var d = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data, n = 0;
  for (var i = 0; i < d.length; i += 4) { if (d[i + 3] > 0 && (d[i] < 230 || d[i + 1] < 230 || d[i + 2] < 230)) { n++; } }
  return n;
}
function probe(n) {
  var charts = Array.from(document.querySelectorAll('div[id^="tlx-chart-"]')).map(function (el) {
    var inst = window.echarts && window.echarts.getInstanceByDom ? window.echarts.getInstanceByDom(el) : null;
    var img = document.querySelector('img.tlx-preview[data-tlx-for="' + el.id + '"]');
    var note = document.querySelector('.tlx-note[data-tlx-for="' + el.id + '"]');
    var series = inst ? inst.getOption().series : [];
    return {
      id: el.id, host: el.closest("[class^=output-]").className, state: el.getAttribute("data-tlx"),
      instance: !!el.getAttribute("_echarts_instance_"),
      ink: Array.from(el.querySelectorAll("canvas")).reduce(function (s, c) { return s + ink(c); }, 0),
      preview: img ? {width: img.naturalWidth, shown: img.offsetHeight} : null,
      note: note ? note.textContent : "",
      points: series.length ? series[0].data.length : 0
    };
  });
  var imgs = Array.from(document.querySelectorAll("img")).map(function (i) { return {width: i.naturalWidth, shown: i.offsetHeight, src: i.src.slice(0, 26)}; });
  var p = document.createElement("pre");
  p.id = "probe-" + n;
  p.textContent = JSON.stringify({
    echarts: typeof window.echarts, amd: typeof window.define === "function" && !!window.define.amd,
    live: (window.__tlxLive || []).length, queued: (window.__tlxQueue || []).length,
    charts: charts, images: imgs, text: document.getElementById("out").innerText.trim()
  });
  document.body.appendChild(p);
}
var steps = %s;
steps.forEach(function (s) {
  setTimeout(function () { if (s.probe) { probe(s.probe); } else { render(s.html, s.host); } }, s.at);
});
</script>
</body></html>
`

// probed is what probe(n) recorded.
type probed struct {
	Echarts string
	AMD     bool
	Live    int
	Queued  int
	Charts  []struct {
		ID, Host, State, Note string
		Instance              bool
		Ink                   int
		Preview               *struct{ Width, Shown int }
		Points                int
	}
	Images []struct {
		Width, Shown int
		Src          string
	}
	Text string
}

var probeRE = regexp.MustCompile(`(?s)<pre id="probe-(\d+)">(.*?)</pre>`)

// openHarness renders the steps in headless Chromium and returns each
// probe's record, by number.
func openHarness(t *testing.T, name, head string, steps []step) map[int]probed {
	t.Helper()
	js, err := json.Marshal(steps) // escapes <, > and &: no "</script>" inside
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), name+".html")
	if err := os.WriteFile(page, fmt.Appendf(nil, harness, head, js), 0o644); err != nil {
		t.Fatal(err)
	}
	last := 0
	for _, s := range steps {
		last = max(last, s.At)
	}
	p, err := headless.Open(page, headless.Options{Width: 1100, Height: 2400, BudgetMS: last + 3000})
	if err != nil {
		t.Fatal(err)
	}
	_ = headless.SaveArtifact("charts-"+name+".png", p.PNG)
	out := map[int]probed{}
	for _, m := range probeRE.FindAllStringSubmatch(p.DOM, -1) {
		var r probed
		if err := json.Unmarshal([]byte(html.UnescapeString(m[2])), &r); err != nil {
			t.Fatalf("probe %s: %v\n%s", m[1], err, m[2])
		}
		var n int
		fmt.Sscan(m[1], &n)
		out[n] = r
	}
	if len(out) == 0 {
		t.Fatalf("the page recorded no probe; DOM:\n%.3000s", p.DOM)
	}
	return out
}

// requireRoot points TLX_ROOT at this tree when unset: the library and
// the previews come from its .tlx/npm.
func requireRoot(t *testing.T) {
	t.Helper()
	if _, err := Library(); err != nil {
		t.Fatalf("the echarts library is needed: %v", err)
	}
	if nodeFound == "" {
		t.Fatal("node is needed for the static previews: run scripts/setup.sh")
	}
	if _, err := os.Stat(headless.Browser); err != nil {
		t.Fatalf("headless Chromium: %v", err)
	}
}

// drawnChart fails unless chart c of record r drew on its canvas and its
// preview and note are gone.
func drawnChart(t *testing.T, what string, r probed, i int) {
	t.Helper()
	if i >= len(r.Charts) {
		t.Fatalf("%s: %d charts on the page, want at least %d", what, len(r.Charts), i+1)
	}
	c := r.Charts[i]
	if c.State != "drawn" || !c.Instance {
		t.Errorf("%s: chart %s is %q (echarts instance %v), want drawn", what, c.ID, c.State, c.Instance)
	}
	if c.Ink < 2000 {
		t.Errorf("%s: chart %s has %d inked canvas pixels: blank", what, c.ID, c.Ink)
	}
	if c.Preview != nil || c.Note != "" {
		t.Errorf("%s: chart %s drew but kept its preview (%v) or note %q", what, c.ID, c.Preview, c.Note)
	}
}

func curves(name string, n int) Chart {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1 / float64(i+1)
	}
	return Curves(name, Series{Name: "loss", Values: v}, Series{Name: "accuracy", Values: []float64{0.2, 0.5, 0.7, 0.8, 0.85}})
}

// chartHTML is HTML(c), or live is LiveHTML(c); either fails the test on an error.
func chartHTML(t *testing.T, c Chart, live bool) string {
	t.Helper()
	render := HTML
	if live {
		render = LiveHTML
	}
	html, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	return html
}

// Three outputs of one kernel session: a chart rendered before the library
// reached the page (a cell above, re-rendered first), the session's first
// chart with the library, a third without. Each draws once the library
// arrives, and the library travels once.
func TestBrowserLibraryOnceAndQueue(t *testing.T) {
	requireRoot(t)
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	early := chartHTML(t, curves("early", 10), false)
	first := chartHTML(t, curves("first", 20), false)
	first = SessionLibrary(chartID(first)) + first
	third := chartHTML(t, Confusion("third", []string{"a", "b"}, [][]int{{8, 2}, {1, 9}}), false)
	third = SessionLibrary(chartID(third)) + third
	if n := strings.Count(early+first+third, libraryMarker); n != 1 || !strings.Contains(first, libraryMarker) {
		t.Fatalf("library sent %d times (in the first chart: %v), want once, with the first", n, strings.Contains(first, libraryMarker))
	}
	r := openHarness(t, "queue", "", []step{
		{At: 0, Host: 1, HTML: early}, {At: 100, Probe: 1},
		{At: 300, Host: 2, HTML: first}, {At: 500, Host: 3, HTML: third}, {At: 2500, Probe: 2},
	})
	before := r[1]
	if before.Echarts != "undefined" || before.Queued != 1 || len(before.Charts) != 1 {
		t.Fatalf("before the library: echarts %s, %d queued, %d charts; want undefined, 1, 1", before.Echarts, before.Queued, len(before.Charts))
	}
	if c := before.Charts[0]; c.State != "waiting" || c.Preview == nil || c.Preview.Width == 0 || c.Preview.Shown < 100 || c.Note == "" {
		t.Errorf("waiting chart: %+v, want its preview shown with a note", c)
	}
	after := r[2]
	if after.Echarts != "object" || after.Queued != 0 || len(after.Charts) != 3 {
		t.Fatalf("after the library: echarts %s, %d queued, %d charts; want object, 0, 3", after.Echarts, after.Queued, len(after.Charts))
	}
	for i := range after.Charts {
		drawnChart(t, "after the library", after, i)
	}
}

// A page with RequireJS (as classic Notebook, VS Code's renderers and
// nbconvert's pages have): echarts' bundle on its own registers with define
// and leaves window.echarts unset; the library's script still sets it, and
// leaves RequireJS working.
func TestBrowserRequireJSPage(t *testing.T) {
	requireRoot(t)
	head := "<script>window.define = function (deps, f) { window.__amdDefined = true; }; window.define.amd = {};</script>"
	if js, err := os.ReadFile("/usr/share/javascript/requirejs/require.js"); err == nil {
		head = "<script>" + string(js) + "</script>"
	} else {
		t.Logf("no Debian requirejs (%v): using a define stub", err)
	}
	path, err := EchartsPath()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	chart := chartHTML(t, curves("requirejs", 12), false)
	r := openHarness(t, "requirejs", head, []step{
		{At: 0, Host: 1, HTML: "<script>" + string(raw) + "</script>"}, {At: 200, Probe: 1},
		{At: 400, Host: 2, HTML: lib + chart}, {At: 2500, Probe: 2},
	})
	if r[1].Echarts != "undefined" || !r[1].AMD {
		t.Fatalf("control: the bare bundle left window.echarts %s on a page with define.amd %v; want undefined, true (else this page tests nothing)", r[1].Echarts, r[1].AMD)
	}
	if r[2].Echarts != "object" || !r[2].AMD {
		t.Fatalf("with the library's script: window.echarts %s, define.amd %v; want object, true", r[2].Echarts, r[2].AMD)
	}
	drawnChart(t, "RequireJS page", r[2], 0)
}

// labSanitize does to an untrusted output what JupyterLab's sanitizer does
// to a chart's: it removes <script> and inline <svg> elements.
func labSanitize(s string) string {
	s = regexp.MustCompile(`(?is)<script\b.*?</script>`).ReplaceAllString(s, "")
	return regexp.MustCompile(`(?is)<svg\b.*?</svg>`).ReplaceAllString(s, "")
}

// A notebook reopened untrusted: no scripts run and inline SVG is gone;
// the chart's output still shows its preview picture and no loose text.
func TestBrowserUntrustedShowsPreview(t *testing.T) {
	requireRoot(t)
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	var pts []Point
	for i := range 300 {
		pts = append(pts, Point{X: float64(i%17) / 3, Y: float64(i%29) / 5, Group: []string{"source", "target"}[i%2]})
	}
	out := labSanitize(lib + chartHTML(t, curves("untrusted curves", 8), false) + chartHTML(t, Embedding("untrusted scatter", pts), false))
	r := openHarness(t, "untrusted", "", []step{{At: 0, Host: 1, HTML: out}, {At: 500, Probe: 1}})[1]
	if len(r.Images) != 2 {
		t.Fatalf("%d images on the untrusted page, want 2 previews", len(r.Images))
	}
	for _, img := range r.Images {
		if img.Src != "data:image/svg+xml;base64," || img.Width != FallbackWidth || img.Shown < 100 {
			t.Errorf("preview %+v: want a decoded %d-pixel-wide SVG data image, shown", img, FallbackWidth)
		}
	}
	for _, c := range r.Charts {
		if c.Ink > 0 || c.Instance {
			t.Errorf("untrusted chart %s drew: %+v", c.ID, c)
		}
	}
	if r.Text != "" {
		t.Errorf("untrusted page shows loose text %q where the charts are", r.Text)
	}
}

// The live view: one output updated in place (as Lab renders each
// update_display_data into the same host), the library in an output of its
// own. Each update draws, and replaced charts are disposed of.
func TestBrowserLiveUpdates(t *testing.T) {
	requireRoot(t)
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	steps := []step{{At: 0, Host: 1, HTML: lib}}
	for i := 1; i <= 6; i++ {
		live := chartHTML(t, curves("live", i), true)
		if strings.Contains(live, "<img") {
			t.Fatal("live chart carries a preview")
		}
		steps = append(steps, step{At: 200 * i, Host: 2, HTML: fmt.Sprintf("<div>epoch %d</div>", i) + live})
		if i == 3 {
			steps = append(steps, step{At: 200*i + 100, Probe: 1})
		}
	}
	steps = append(steps, step{At: 2000, Probe: 2})
	r := openHarness(t, "live", "", steps)
	for n, want := range map[int]int{1: 3, 2: 6} {
		p := r[n]
		if len(p.Charts) != 1 || p.Live != 1 {
			t.Fatalf("probe %d: %d chart elements, %d live instances; want 1 and 1 (replaced ones disposed)", n, len(p.Charts), p.Live)
		}
		drawnChart(t, fmt.Sprintf("update %d", want), p, 0)
		if p.Charts[0].Points != want {
			t.Errorf("probe %d: the drawn chart has %d points, want the update's %d", n, p.Charts[0].Points, want)
		}
	}
}

// A chart whose options echarts rejects (an axis type it lacks) keeps its
// preview, with a note.
func TestBrowserFailureKeepsPreview(t *testing.T) {
	requireRoot(t)
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	good := chartHTML(t, curves("fails", 5), false)
	bad := strings.Replace(good, `"type":"category"`, `"type":"nosuchaxis"`, 1)
	if bad == good {
		t.Fatal("no category axis to break in the curves' options")
	}
	r := openHarness(t, "failure", "", []step{{At: 0, Host: 1, HTML: lib + bad}, {At: 1000, Probe: 1}})[1]
	if len(r.Charts) != 1 {
		t.Fatalf("%d charts, want 1", len(r.Charts))
	}
	c := r.Charts[0]
	if c.State != "failed" || c.Preview == nil || c.Preview.Shown < 100 || !strings.Contains(c.Note, "could not draw") {
		t.Errorf("failed chart: %+v, want its preview shown with a note", c)
	}
}
