package net

import (
	"fmt"
	"html"
	"strings"
)

// GroupSummary describes one group.
type GroupSummary struct {
	Name        string
	OutputShape []int // batch first (the batch is 2 in Init's probe)
	Params      int   // trainable-kind parameters (weights, biases, BatchNorm scale/shift)
	State       int   // non-parameter state (BatchNorm moving averages)
	Frozen      bool
	LRMult      float64
	BN          string // BatchNorm mode while training: "batch stats", "frozen stats" or "-"
}

// Summary describes a model group by group.
type Summary struct {
	Model             string
	Groups            []GroupSummary
	Params, Trainable int
}

// Summarize initialises the model if needed and describes each group.
func (m *Model) Summarize() (*Summary, error) {
	shapes, err := m.Init()
	if err != nil {
		return nil, err
	}
	s := &Summary{Model: m.Name}
	for i, g := range m.Groups {
		gs := GroupSummary{Name: g.Name, OutputShape: shapes[i], Frozen: g.Frozen, LRMult: g.LR(), BN: "-"}
		hasBN := false
		for _, v := range m.Variables(g.Name) {
			n := v.Shape().Size()
			if isStatistic(v.Name()) || m.Statistics[v.Path()] {
				gs.State += n
				hasBN = true
			} else {
				gs.Params += n
			}
		}
		if hasBN {
			gs.BN = "frozen stats"
			if g.batchStats(true) {
				gs.BN = "batch stats"
			}
		}
		s.Params += gs.Params
		if !g.Frozen {
			s.Trainable += gs.Params
		}
		s.Groups = append(s.Groups, gs)
	}
	return s, nil
}

// Summary is Summarize for display: on error it returns a summary whose
// text is the error.
func (m *Model) Summary() *Summary {
	s, err := m.Summarize()
	if err != nil {
		return &Summary{Model: fmt.Sprintf("%s (summary failed: %v)", m.Name, err)}
	}
	return s
}

func (gs GroupSummary) state() string {
	if gs.Frozen {
		return "frozen"
	}
	return "trainable"
}

func shapeString(dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = fmt.Sprint(d)
	}
	if len(parts) > 0 {
		parts[0] = "B"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// String renders the summary as a text table.
func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Model %s\n", s.Model)
	fmt.Fprintf(&b, "%-3s %-14s %-20s %10s  %-9s %5s  %s\n", "#", "group", "output", "params", "state", "LR×", "BatchNorm")
	for i, g := range s.Groups {
		fmt.Fprintf(&b, "%-3d %-14s %-20s %10d  %-9s %5.3g  %s\n", i, g.Name, shapeString(g.OutputShape), g.Params, g.state(), g.LRMult, g.BN)
	}
	fmt.Fprintf(&b, "params: %d, trainable: %d, frozen: %d\n", s.Params, s.Trainable, s.Params-s.Trainable)
	return b.String()
}

// HTML renders the summary as a table for a notebook, frozen groups greyed.
func (s *Summary) HTML() string {
	var b strings.Builder
	b.WriteString(`<table class="tlx-summary" style="border-collapse:collapse;font-family:monospace">`)
	fmt.Fprintf(&b, `<caption style="text-align:left;font-weight:bold">Model %s</caption>`, html.EscapeString(s.Model))
	b.WriteString(`<tr><th>#</th><th>group</th><th>output</th><th>params</th><th>state</th><th>LR×</th><th>BatchNorm</th></tr>`)
	for i, g := range s.Groups {
		style := ""
		if g.Frozen {
			style = ` style="color:#888;background:#f3f3f3"`
		}
		fmt.Fprintf(&b, `<tr%s><td>%d</td><td>%s</td><td>%s</td><td style="text-align:right">%d</td><td>%s</td><td>%.3g</td><td>%s</td></tr>`,
			style, i, html.EscapeString(g.Name), shapeString(g.OutputShape), g.Params, g.state(), g.LRMult, g.BN)
	}
	fmt.Fprintf(&b, `<tr><td colspan="7">params: %d, trainable: %d, frozen: %d</td></tr></table>`, s.Params, s.Trainable, s.Params-s.Trainable)
	return b.String()
}
