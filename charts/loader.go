package charts

import (
	"encoding/base64"
	"fmt"
	"html/template"
)

// loader is one chart's markup: its div (class tlx-chart), which echarts
// draws into; the static preview as an <img> (what a page without scripts
// shows: Lab's sanitizer keeps data: images but strips inline <svg>); and a
// script. (nbconvert 7 writes attributes sorted by name, so in reports the
// class comes before the id.)
//
// The script finds its div by id (the first one not yet claimed: the same
// chart can appear in several outputs, and classic Notebook runs scripts
// away from their markup) and draws it with window.echarts; when the
// library is not on the page yet the drawing waits in window.__tlxQueue,
// which the library's script empties when it arrives (see Library). The
// preview is removed only once setOption succeeded; on a failure it stays
// with a short note. Live charts (redrawn on every update of a live view,
// whose old markup the front end replaced) draw without animation and
// dispose of their replaced predecessors; every chart follows its div's
// size with a ResizeObserver.
var loader = template.Must(template.New("chart").Parse(
	`<div id="{{.ID}}" class="tlx-chart" style="width:{{.Width}};height:{{.Height}};{{if .Preview}}display:none;{{end}}"></div>
{{- if .Preview}}
{{.Preview}}
{{- end}}
<script type="text/javascript">
(function () {
  var id = {{.ID}}, live = {{.Live}};
  var option = {{.Option}};
  var nodes = document.querySelectorAll('[id="' + id + '"]'), el = null;
  for (var i = 0; i < nodes.length && !el; i++) { if (!nodes[i].hasAttribute("data-tlx")) { el = nodes[i]; } }
  if (!el) { return; }
  el.setAttribute("data-tlx", "waiting");
  var img = el.nextElementSibling;
  if (!img || img.getAttribute("data-tlx-for") !== id) { img = null; }
  function note(text) {
    var old = el.parentNode && el.parentNode.querySelector('.tlx-note[data-tlx-for="' + id + '"]');
    if (old) { old.remove(); }
    if (!text) { return; }
    var n = document.createElement("div");
    n.className = "tlx-note";
    n.setAttribute("data-tlx-for", id);
    n.style.cssText = "color:#888;font-size:85%";
    n.textContent = text;
    (img || el).insertAdjacentElement("afterend", n);
  }
  function draw(echarts) {
    if (!el.isConnected) { return; }
    el.style.display = "block";
    if (!el.clientWidth && window.ResizeObserver) {
      var wait = new ResizeObserver(function () { if (el.clientWidth) { wait.disconnect(); draw(echarts); } });
      wait.observe(el);
      return;
    }
    var chart = null;
    try {
      if (live) { option.animation = false; }
      chart = echarts.init(el, null, {renderer: "canvas"});
      chart.setOption(option);
    } catch (e) {
      if (chart) { chart.dispose(); }
      if (img) { el.style.display = "none"; }
      el.setAttribute("data-tlx", "failed");
      note("static preview: echarts could not draw this chart (" + e + ")");
      return;
    }
    if (img) { img.remove(); }
    note("");
    el.setAttribute("data-tlx", "drawn");
    if (window.ResizeObserver) { chart.__tlxResize = new ResizeObserver(function () { if (!chart.isDisposed() && el.isConnected && el.clientWidth) { chart.resize(); } }); chart.__tlxResize.observe(el); }
    if (live) {
      window.__tlxLive = (window.__tlxLive || []).filter(function (c) {
        if (c.getDom().isConnected) { return true; }
        if (c.__tlxResize) { c.__tlxResize.disconnect(); }
        c.dispose();
        return false;
      });
      window.__tlxLive.push(chart);
    }
  }
  if (window.echarts && window.echarts.init) { draw(window.echarts); return; }
  (window.__tlxQueue = window.__tlxQueue || []).push(draw);
  note("static preview: the echarts library is not on this page (it comes with the first chart of a kernel session: run the notebook to draw)");
})();
</script>`))

// previewImg is the <img> that shows the static preview svg. It is built
// outside the template, whose attribute escaping would spell each "+" of
// the base64 text as "&#43;".
func previewImg(id, title string, svg []byte) template.HTML {
	return template.HTML(fmt.Sprintf(`<img class="tlx-preview" data-tlx-for="%s" alt="%s (static preview)" width="%d" height="%d" style="display:block;max-width:100%%;height:auto" src="data:image/svg+xml;base64,%s">`,
		escape(id), escape(title), FallbackWidth, FallbackHeight, base64.StdEncoding.EncodeToString(svg)))
}
