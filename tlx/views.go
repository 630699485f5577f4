package tlx

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/embed"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// PlanView is the freeze plan as a table: one row per group, one column per
// stage, each cell "frozen" or "train ×LR" with the BatchNorm mode.
type PlanView struct {
	Groups []string
	Stages []string
	Cells  [][]string // [group][stage]
}

// NewPlanView works out what each stage of plan does to each group of m
// (m's own settings are left as they were).
func NewPlanView(m *net.Model, plan fit.Plan) (*PlanView, error) {
	saved := make([]net.Group, len(m.Groups))
	for i, g := range m.Groups {
		saved[i] = *g
	}
	defer func() {
		for i, g := range m.Groups {
			*g = saved[i]
		}
	}()
	v := &PlanView{Groups: m.GroupNames()}
	v.Cells = make([][]string, len(m.Groups))
	for si, s := range plan {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("stage%d", si+1)
		}
		v.Stages = append(v.Stages, fmt.Sprintf("%s (%d ep)", name, s.Epochs))
		if err := s.Apply(m); err != nil {
			return nil, err
		}
		for gi, g := range m.Groups {
			cell := "frozen"
			if !g.Frozen {
				cell = fmt.Sprintf("train, LR %.2g", s.LR*g.LR())
			}
			if g.BN != net.BNAuto {
				cell += ", BN " + g.BN.String()
			}
			v.Cells[gi] = append(v.Cells[gi], cell)
		}
	}
	return v, nil
}

// HTML renders the plan; frozen cells grey, trained cells shaded by learning rate.
func (v *PlanView) HTML() string {
	var b strings.Builder
	b.WriteString(`<table class="tlx-plan" style="border-collapse:collapse;font-family:monospace"><tr><th>group</th>`)
	for _, s := range v.Stages {
		fmt.Fprintf(&b, `<th style="padding:2px 10px">%s</th>`, html.EscapeString(s))
	}
	b.WriteString("</tr>")
	for gi, g := range v.Groups {
		fmt.Fprintf(&b, `<tr><td>%s</td>`, html.EscapeString(g))
		for _, c := range v.Cells[gi] {
			style := "background:#eee;color:#888"
			if strings.HasPrefix(c, "train") {
				style = "background:#dff0d8"
			}
			fmt.Fprintf(&b, `<td style="padding:2px 10px;%s">%s</td>`, style, html.EscapeString(c))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// String is the plan view as a plain-text table (groups × stages).
func (v *PlanView) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s", "group")
	for _, s := range v.Stages {
		fmt.Fprintf(&b, " | %-22s", s)
	}
	b.WriteString("\n")
	for gi, g := range v.Groups {
		fmt.Fprintf(&b, "%-10s", g)
		for _, c := range v.Cells[gi] {
			fmt.Fprintf(&b, " | %-22s", c)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// WeightDrift returns, per group, how far fine-tuning moved the weights:
// ||w - w0|| / ||w0|| over the group's parameters (BatchNorm statistics
// excluded), with before holding w0 (e.g. the pretrained model).
func WeightDrift(before, after *net.Model) ([]float64, error) {
	var out []float64
	for _, g := range after.GroupNames() {
		a, err := after.GroupValues(g)
		if err != nil {
			return nil, err
		}
		b, err := before.GroupValues(g)
		if err != nil {
			return nil, err
		}
		var diff, base float64
		paths := make([]string, 0, len(a))
		for path := range a {
			paths = append(paths, path)
		}
		sort.Strings(paths) // a fixed summation order: the same weights give the same digits
		for _, path := range paths {
			wa := a[path]
			if strings.HasSuffix(path, "/mean") || strings.HasSuffix(path, "/variance") {
				continue
			}
			wb, ok := b[path]
			if !ok || len(wb) != len(wa) {
				return nil, fmt.Errorf("weight drift: %s differs in shape between the models (was the head replaced?)", path)
			}
			for i := range wa {
				d := float64(wa[i] - wb[i])
				diff += d * d
				base += float64(wb[i]) * float64(wb[i])
			}
		}
		if base == 0 {
			out = append(out, 0)
			continue
		}
		out = append(out, math.Sqrt(diff/base))
	}
	return out, nil
}

// ShowEmbedding projects the representation of d at group of m to 2-D
// (embed.MethodPCA, MethodTSNE or MethodUMAP) and plots it coloured by class.
func ShowEmbedding(title string, m *net.Model, d *data.Dataset, group string, method embed.Method, seed uint64) error {
	points, err := EmbeddingPoints(m, d, group, method, seed)
	if err != nil {
		return err
	}
	return Show(charts.Embedding(title, points))
}

// EmbeddingPoints is what ShowEmbedding draws: one point per example of d,
// its group and label the example's class.
func EmbeddingPoints(m *net.Model, d *data.Dataset, group string, method embed.Method, seed uint64) ([]charts.Point, error) {
	e, err := embed.Extract(m, d, group)
	if err != nil {
		return nil, err
	}
	xy, err := method.Project(e, seed)
	if err != nil {
		return nil, err
	}
	points := make([]charts.Point, d.Len())
	for i := range points {
		c := d.Classes[d.Y[i]]
		points[i] = charts.Point{X: xy.Row(i)[0], Y: xy.Row(i)[1], Group: c, Label: c}
	}
	return points, nil
}

// ShowConfusion evaluates m on d and draws the confusion matrix.
func ShowConfusion(title string, m *net.Model, d *data.Dataset) (fit.Scores, error) {
	s, err := fit.Evaluate(m, d)
	if err != nil {
		return s, err
	}
	return s, Show(charts.Confusion(fmt.Sprintf("%s (accuracy %.3f)", title, s.Accuracy), d.Classes, s.Confusion))
}

// ShowDomains projects two datasets' representations at group of m
// together (embed.MethodPCA, MethodTSNE or MethodUMAP) and plots them coloured by
// domain: how far apart source and target lie, before or after adaptation.
func ShowDomains(title string, m *net.Model, group string, method embed.Method, seed uint64, domains map[string]*data.Dataset) error {
	points, err := DomainPoints(m, group, method, seed, domains)
	if err != nil {
		return err
	}
	return Show(charts.Embedding(title, points))
}

// DomainPoints is what ShowDomains draws: one point per example of every
// dataset (domains in name order), its group the domain's name and its
// label "domain: class".
func DomainPoints(m *net.Model, group string, method embed.Method, seed uint64, domains map[string]*data.Dataset) ([]charts.Point, error) {
	names := make([]string, 0, len(domains))
	for n := range domains {
		names = append(names, n)
	}
	sort.Strings(names)
	var all *embed.Matrix
	var labels, classes []string
	for _, n := range names {
		d := domains[n]
		e, err := embed.Extract(m, d, group)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = &embed.Matrix{Dim: e.Dim}
		}
		if e.Dim != all.Dim {
			return nil, fmt.Errorf("tlx.DomainPoints: %s gives %d values per example at %s, %s gives %d", n, e.Dim, group, names[0], all.Dim)
		}
		all.Data = append(all.Data, e.Data...)
		all.N += e.N
		for i := range d.Len() {
			labels = append(labels, n)
			classes = append(classes, d.Classes[d.Y[i]])
		}
	}
	if all == nil {
		return nil, fmt.Errorf("tlx.DomainPoints: no datasets")
	}
	xy, err := method.Project(all, seed)
	if err != nil {
		return nil, err
	}
	points := make([]charts.Point, all.N)
	for i := range points {
		points[i] = charts.Point{X: xy.Row(i)[0], Y: xy.Row(i)[1], Group: labels[i], Label: labels[i] + ": " + classes[i]}
	}
	return points, nil
}
