package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tlx-go/tlx/tlx/manifest"
)

func imgPerS(r result) float64 { return r.ImgPerS }
func wallS(r result) float64   { return r.WallS }

// header is the results' dated heading: machine, CPU path, load, versions
// as the runs reported them.
func header(start time.Time, reps, iters int, load0, load1 string, sides []side, runs map[string][][]result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## %s — %s, %d cores, Go backend path %s\n\n", start.Format("2006-01-02 15:04 UTC"), manifest.CPUModel(), runtime.NumCPU(), manifest.SIMDPath())
	var seen []string
	for i, s := range sides {
		for _, rs := range runs {
			if r, ok := median(rs[i], imgPerS); ok && r.Backend != "" {
				seen = append(seen, fmt.Sprintf("%s = %s", s.name, r.Backend))
				break
			}
		}
	}
	fmt.Fprintf(&b, "%s; gomlx v0.28.16, compute v0.1.14 (GOEXPERIMENT=simd), ONNX Runtime 1.30.0 (npm onnxruntime-node), XLA CPU PJRT (PyPI lammps-jax-pjrt-cpu 0.11.2), %s. ", strings.Join(seen, ", "), runtime.Version())
	fmt.Fprintf(&b, "%d repetitions interleaved, each run a fresh process, %d timed steps per run after the first step and one warm-up; medians. Load average (1, 5, 15 min) %s at the start, %s at the end.\n", reps, iters, load0, load1)
	return b.String()
}

// stepTable is the per-step workloads' table: img/s per side, the best tlx
// backend against the first PyTorch side (2.x when present).
func stepTable(order []string, sides []side, nTorch int, runs map[string][][]result) string {
	if !slices.ContainsFunc(order, func(w string) bool { return w != "W8" }) {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n| workload |")
	for _, s := range sides {
		fmt.Fprintf(&b, " %s img/s |", s.name)
	}
	ref := "PyTorch"
	if nTorch > 0 {
		ref = sides[0].name
	}
	fmt.Fprintf(&b, " best tlx / %s | first step, compile included (s) | peak RSS (MB) | other CPU (s) | notes |\n|---|", ref)
	for range len(sides) + 5 {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, w := range order {
		if w == "W8" {
			continue
		}
		var first, rss, notes []string
		var other, best float64
		bestName := ""
		fmt.Fprintf(&b, "| %s %s |", w, descriptions[w])
		for i, s := range sides {
			for _, r := range runs[w][i] {
				other += r.OtherCPU
			}
			r, ok := median(runs[w][i], imgPerS)
			if !ok {
				b.WriteString(" – |")
				first, rss = append(first, "–"), append(rss, "–")
				if err := firstErr(runs[w][i]); err != nil {
					notes = append(notes, fmt.Sprintf("%s failed: %.160s", s.name, err))
				}
				continue
			}
			fmt.Fprintf(&b, " %.1f |", r.ImgPerS)
			first, rss = append(first, fmt.Sprintf("%.2f", r.FirstStep)), append(rss, fmt.Sprintf("%.0f", r.PeakRSSMB))
			if i >= nTorch && r.ImgPerS > best {
				best, bestName = r.ImgPerS, s.name
			}
			if r.Extra != "" {
				notes = append(notes, s.name+": "+r.Extra)
			}
		}
		ratio := "–"
		if t, ok := median(runs[w][0], imgPerS); ok && nTorch > 0 && best > 0 {
			ratio = fmt.Sprintf("**%.2fx** (%s)", best/t.ImgPerS, strings.TrimPrefix(bestName, "tlx "))
		}
		fmt.Fprintf(&b, " %s | %s | %s | %.1f | %s |\n", ratio, strings.Join(first, " / "), strings.Join(rss, " / "), other, strings.Join(notes, "; "))
	}
	return b.String()
}

// recipeTable is W8's table: one row per side that ran it; start says
// where the weights came from.
func recipeTable(order []string, sides []side, runs map[string][][]result, n, nTest int, epochs, start string) string {
	rs, ok := runs["W8"]
	if !ok {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nW8: the 3-stage recipe end to end (ResNet-18 at 224², %d training and %d test images of Fashion-MNIST classes 5–9, epochs head,top,all = %s; %s; see bench/tlxbench/recipe.go): wall time from the raw files to the trained model (the final evaluation not included).\n\n", n, nTest, epochs, start)
	b.WriteString("| side | wall time (s) | test accuracy (each run) | time by stage (median run) | peak RSS (MB) | other CPU (s) | speed-up over the first row |\n|---|---|---|---|---|---|---|\n")
	var ref float64
	for i, s := range sides {
		if len(rs[i]) == 0 {
			continue
		}
		r, ok := median(rs[i], wallS)
		if !ok {
			fmt.Fprintf(&b, "| %s | failed: %.200s | | | | | |\n", s.name, firstErr(rs[i]))
			continue
		}
		var accs []string
		var other float64
		for _, x := range rs[i] {
			if x.Err == nil {
				accs = append(accs, fmt.Sprintf("%.3f", x.Accuracy))
			}
			other += x.OtherCPU
		}
		vs := "1x"
		if ref == 0 {
			ref = r.WallS
		} else {
			vs = fmt.Sprintf("**%.2fx**", ref/r.WallS)
		}
		fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %.0f | %.0f | %s |\n", s.name, r.WallS, strings.Join(accs, ", "), r.Extra, r.PeakRSSMB, other, vs)
	}
	return b.String()
}
