package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tlx-go/tlx/kernel/runner"
)

// outcome is how one notebook's execution ended.
type outcome struct {
	Notebook string
	Seconds  float64
	Err      error
}

// summarize writes one line per notebook (time, and the failing cell of a
// failed one) and a total, and returns how many failed. A long batch ends
// with what went wrong in view, not scrolled away.
func summarize(w io.Writer, outcomes []outcome) int {
	if len(outcomes) < 2 {
		return countFailed(outcomes)
	}
	fmt.Fprintln(w, "\ntlx-run summary:")
	total := 0.0
	for _, o := range outcomes {
		total += o.Seconds
		status := "ok"
		if o.Err != nil {
			var ce *runner.CellError
			if errors.As(o.Err, &ce) {
				status = fmt.Sprintf("FAILED in cell %d (0-based): %s: %s", ce.Index, ce.Ename, firstLine(ce.Evalue))
			} else {
				status = "FAILED: " + firstLine(o.Err.Error())
			}
		}
		fmt.Fprintf(w, "  %-52s %7.0fs  %s\n", o.Notebook, o.Seconds, status)
	}
	failed := countFailed(outcomes)
	fmt.Fprintf(w, "  %d notebooks, %d failed, %.0fs in all\n", len(outcomes), failed, total)
	return failed
}

func countFailed(outcomes []outcome) int {
	n := 0
	for _, o := range outcomes {
		if o.Err != nil {
			n++
		}
	}
	return n
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
