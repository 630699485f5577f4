package charts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"os"
	"strings"
	"sync/atomic"

	"github.com/go-echarts/go-echarts/v2/render"
	"github.com/janpfeifer/gonb/gonbui"
)

// Chart is what every go-echarts chart type (Line, Scatter, HeatMap, ...) is.
type Chart interface {
	RenderSnippet() render.ChartSnippet
}

// Size of a chart's area, in CSS units.
var (
	DefaultWidth  = "100%"
	DefaultHeight = "360px"
)

// drawn counts charts of this process, so that equal charts in one cell
// still get different element ids.
var drawn atomic.Int64

// loader draws one chart. It finds the chart's div next to it (or by id
// when the notebook inserts the markup with innerHTML), then echarts: the
// page's own, else the notebook server's extension through RequireJS.
var loader = template.Must(template.New("chart").Parse(
	`<div id="{{.ID}}" class="tlx-chart" style="width:{{.Width}};height:{{.Height}};">{{.Fallback}}</div>
<script type="text/javascript">
(function() {
  var id = {{.ID}};
  var option = {{.Option}};
  var nodes = document.querySelectorAll('[id="' + id + '"]');
  var el = null;
  for (var i = 0; i < nodes.length; i++) { if (!nodes[i].getAttribute("_echarts_instance_")) { el = nodes[i]; break; } }
  if (!el) { return; }
  function draw(echarts) {
    el.innerHTML = "";
    var chart = echarts.init(el, null, {renderer: "canvas"});
    chart.setOption(option);
    window.addEventListener("resize", function() { chart.resize(); });
  }
  function missing() {
    el.style.height = "auto";
    var note = document.createElement("div");
    note.style.cssText = "color:#888;font-size:85%";
    note.textContent = "static preview: the echarts library is not on this page (open the notebook in Jupyter with the tlx kernel, or export it with tlx-run)";
    el.appendChild(note);
  }
  if (window.echarts) { draw(window.echarts); return; }
  if (typeof window.require === "function" && window.requirejs) {
    window.require(["nbextensions/tlx/echarts.min"], function(echarts) { window.echarts = echarts; draw(echarts); }, missing);
    return;
  }
  missing();
})();
</script>`))

// HTML returns the markup that draws c offline, with a static SVG preview
// inside for viewers that run no JavaScript (see StaticSVG). The id is
// derived from the chart's options and its position in the process, so the
// same notebook gives byte-identical output each time it runs.
func HTML(c Chart) (string, error) { return markup(c, true) }

// LiveHTML is HTML without the static preview: for charts redrawn many
// times a second while training, where rendering previews would cost more
// than training.
func LiveHTML(c Chart) (string, error) { return markup(c, false) }

func markup(c Chart, preview bool) (string, error) {
	snippet := c.RenderSnippet()
	option := strings.TrimSpace(snippet.Option)
	if option == "" {
		return "", fmt.Errorf("chart rendered no options")
	}
	sum := sha256.Sum256([]byte(option))
	id := fmt.Sprintf("tlx-chart-%s-%d", hex.EncodeToString(sum[:6]), drawn.Add(1))
	var fallback template.HTML
	if preview {
		if svg, err := StaticSVG([]byte(option)); err == nil {
			fallback = template.HTML(svg)
		}
	}
	var b strings.Builder
	err := loader.Execute(&b, struct {
		ID, Width, Height string
		Option            template.JS
		Fallback          template.HTML
	}{id, DefaultWidth, DefaultHeight, template.JS(option), fallback})
	if err != nil {
		return "", fmt.Errorf("rendering chart markup: %w", err)
	}
	return b.String(), nil
}

func escape(s string) string { return template.HTMLEscapeString(s) }

// Display shows c in the notebook cell (or, outside a notebook, writes its
// markup to stdout).
func Display(c Chart) error {
	html, err := HTML(c)
	if err != nil {
		return err
	}
	if !gonbui.IsNotebook {
		_, err = fmt.Fprintln(os.Stdout, html)
		return err
	}
	gonbui.DisplayHTML(html)
	gonbui.Sync() // a display sent as a program's last act can otherwise be lost
	return nil
}
