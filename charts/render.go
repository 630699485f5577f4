package charts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// HTML returns the markup that draws c offline: its div, a static preview
// (echarts' own server-side SVG, as an <img> that pages without scripts
// show; see StaticSVG) and a small script that draws with the page's
// echarts library once it is there (see Library and SessionLibrary; Display
// sends the library with a session's first chart). The id is derived from
// the chart's options and its position in the process, so the same
// notebook gives byte-identical output each time it runs.
func HTML(c Chart) (string, error) { return markup(c, true) }

// LiveHTML is HTML for charts redrawn many times a second while training:
// no static preview (rendering one would cost more than training), no
// animation, and each drawing disposes of the one its update replaced.
func LiveHTML(c Chart) (string, error) { return markup(c, false) }

func markup(c Chart, final bool) (string, error) {
	snippet := c.RenderSnippet()
	option := strings.TrimSpace(snippet.Option)
	if option == "" {
		return "", fmt.Errorf("chart rendered no options")
	}
	sum := sha256.Sum256([]byte(option))
	id := fmt.Sprintf("tlx-chart-%s-%d", hex.EncodeToString(sum[:6]), drawn.Add(1))
	var preview template.HTML
	if final {
		if svg, err := StaticSVG([]byte(option)); err == nil {
			preview = previewImg(id, title(option), svg)
		}
	}
	var b strings.Builder
	err := loader.Execute(&b, struct {
		ID, Width, Height string
		Live              bool
		Option            template.JS
		Preview           template.HTML
	}{id, DefaultWidth, DefaultHeight, !final, template.JS(option), preview})
	if err != nil {
		return "", fmt.Errorf("rendering chart markup: %w", err)
	}
	return b.String(), nil
}

// title is the chart's title text from its options, or "chart".
func title(option string) string {
	var o struct {
		Title json.RawMessage `json:"title"`
	}
	if json.Unmarshal([]byte(option), &o) == nil && len(o.Title) > 0 {
		var one struct{ Text string }
		var many []struct{ Text string }
		if json.Unmarshal(o.Title, &one) == nil && one.Text != "" {
			return one.Text
		}
		if json.Unmarshal(o.Title, &many) == nil && len(many) > 0 && many[0].Text != "" {
			return many[0].Text
		}
	}
	return "chart"
}

// chartID is the element id in a chart's markup.
func chartID(html string) string {
	_, rest, _ := strings.Cut(html, `id="`)
	id, _, _ := strings.Cut(rest, `"`)
	return id
}

func escape(s string) string { return template.HTMLEscapeString(s) }

// Display shows c in the notebook cell (or, outside a notebook, writes its
// markup to stdout). The first chart of a kernel session carries the
// echarts library (see SessionLibrary).
func Display(c Chart) error {
	html, err := HTML(c)
	if err != nil {
		return err
	}
	html = SessionLibrary(chartID(html)) + html
	if !gonbui.IsNotebook {
		_, err = fmt.Fprintln(os.Stdout, html)
		return err
	}
	gonbui.DisplayHTML(html)
	gonbui.Sync() // a display sent as a program's last act can otherwise be lost
	return nil
}
