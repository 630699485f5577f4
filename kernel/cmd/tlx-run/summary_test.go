package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/kernel/runner"
)

func TestSummaryNamesTheFailingNotebookAndCell(t *testing.T) {
	var b strings.Builder
	failed := summarize(&b, []outcome{
		{Notebook: "notebooks/00-welcome.ipynb", Seconds: 6},
		{Notebook: "notebooks/14-lwf.ipynb", Seconds: 491, Err: &runner.CellError{Notebook: "14", Index: 5, Ename: "panic", Evalue: "lwf-l2sp: old task 0.298\nmore"}},
		{Notebook: "notebooks/15-base.ipynb", Seconds: 3, Err: errors.New("executing: kernel died\ntrace")},
	})
	out := b.String()
	if failed != 2 {
		t.Errorf("failed = %d, want 2", failed)
	}
	for _, want := range []string{"00-welcome.ipynb", "6s  ok", "14-lwf.ipynb", "FAILED in cell 5 (0-based): panic: lwf-l2sp: old task 0.298", "FAILED: executing: kernel died", "3 notebooks, 2 failed, 500s in all"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "more") || strings.Contains(out, "trace") {
		t.Errorf("summary lines carry more than the first line of an error:\n%s", out)
	}
}
