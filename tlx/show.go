package tlx

import (
	"fmt"
	"html"
	"os"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/tlx-go/tlx/charts"
)

// InNotebook reports whether the program runs as a notebook cell.
func InNotebook() bool { return gonbui.IsNotebook }

// Show displays v in the notebook cell: a chart draws, a value with an HTML
// method (a model summary, say) renders as HTML, anything else prints as
// text. Outside a notebook everything prints as text.
func Show(v any) error {
	switch x := v.(type) {
	case charts.Chart:
		return charts.Display(x)
	case interface{ HTML() string }:
		if InNotebook() {
			gonbui.DisplayHTML(x.HTML())
			gonbui.Sync()
			return nil
		}
	}
	_, err := fmt.Fprintln(os.Stdout, v)
	return err
}

// Note prints a short highlighted line (an HTML note in a notebook).
func Note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if InNotebook() {
		gonbui.DisplayHTML(`<div style="color:#555;font-size:90%">› ` + html.EscapeString(msg) + `</div>`)
		return
	}
	fmt.Println("note:", msg)
}

// bar renders a text progress bar of width cells.
func bar(done, total, width int) string {
	if total <= 0 {
		return strings.Repeat("░", width)
	}
	n := done * width / total
	return strings.Repeat("█", n) + strings.Repeat("░", width-n)
}

// HTML is markup for Show to render (a table from charts.Table, say).
type HTML string

// HTML returns the markup.
func (h HTML) HTML() string { return string(h) }

// String is the markup, for text outputs.
func (h HTML) String() string { return string(h) }
