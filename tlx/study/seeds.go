package study

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/tlx-go/tlx/charts"
)

// Stat summarises one measurement repeated over seeds.
type Stat struct {
	Values []float64 // one per seed, in seed order
	Mean   float64
	SD     float64 // sample standard deviation (n-1); 0 for one value
	SE     float64 // standard error of the mean, SD/√n
}

// NewStat summarises values.
func NewStat(values []float64) Stat {
	s := Stat{Values: append([]float64(nil), values...)}
	n := float64(len(values))
	if n == 0 {
		return s
	}
	for _, v := range values {
		s.Mean += v / n
	}
	if n > 1 {
		var ss float64
		for _, v := range values {
			ss += (v - s.Mean) * (v - s.Mean)
		}
		s.SD = math.Sqrt(ss / (n - 1))
		s.SE = s.SD / math.Sqrt(n)
	}
	return s
}

// String is "mean ± sd (n=N)".
func (s Stat) String() string {
	return fmt.Sprintf("%.3f ± %.3f (n=%d)", s.Mean, s.SD, len(s.Values))
}

// Exceeds reports whether the mean is above threshold by more than k
// standard errors: the strength at which a notebook may claim an effect.
func (s Stat) Exceeds(threshold, k float64) bool {
	return len(s.Values) > 1 && s.Mean-k*s.SE > threshold
}

// Effect is the paired difference a - b per seed (both measured with the
// same seeds, so the spread of what the seed changes for both cancels).
func Effect(a, b Stat) (Stat, error) {
	if len(a.Values) != len(b.Values) {
		return Stat{}, fmt.Errorf("study.Effect: %d values against %d: pair the same seeds", len(a.Values), len(b.Values))
	}
	d := make([]float64, len(a.Values))
	for i := range d {
		d[i] = a.Values[i] - b.Values[i]
	}
	return NewStat(d), nil
}

// Repeated is named measurements repeated over seeds: Results[name] holds
// one value per seed, in the order of Seeds.
type Repeated struct {
	Seeds   []uint64
	Results map[string][]float64
}

// Repeat calls measure once per seed; each call returns named values (for
// example the accuracy of each method trained with that seed's data split
// and initialisation). Every call must return the same names.
func Repeat(seeds []uint64, measure func(seed uint64) (map[string]float64, error)) (*Repeated, error) {
	if len(seeds) == 0 {
		return nil, fmt.Errorf("study.Repeat: no seeds")
	}
	r := &Repeated{Seeds: seeds, Results: map[string][]float64{}}
	for i, seed := range seeds {
		got, err := measure(seed)
		if err != nil {
			return nil, fmt.Errorf("study.Repeat: seed %d: %w", seed, err)
		}
		if i > 0 && len(got) != len(r.Results) {
			return nil, fmt.Errorf("study.Repeat: seed %d returned %d values, seed %d returned %d", seed, len(got), seeds[0], len(r.Results))
		}
		for name, v := range got {
			if i > 0 {
				if _, ok := r.Results[name]; !ok {
					return nil, fmt.Errorf("study.Repeat: seed %d returned %q, which seed %d did not", seed, name, seeds[0])
				}
			}
			r.Results[name] = append(r.Results[name], v)
		}
	}
	return r, nil
}

// Stat summarises one named measurement; an unknown name is an error.
func (r *Repeated) Stat(name string) (Stat, error) {
	v, ok := r.Results[name]
	if !ok {
		return Stat{}, fmt.Errorf("study: no measurement %q (have %s)", name, strings.Join(r.Names(), ", "))
	}
	return NewStat(v), nil
}

// Effect is the paired difference of two named measurements, a - b.
func (r *Repeated) Effect(a, b string) (Stat, error) {
	sa, err := r.Stat(a)
	if err != nil {
		return Stat{}, err
	}
	sb, err := r.Stat(b)
	if err != nil {
		return Stat{}, err
	}
	return Effect(sa, sb)
}

// Names lists the measurements, sorted.
func (r *Repeated) Names() []string {
	var names []string
	for n := range r.Results {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Table is an HTML table of the given measurements (all, sorted, when
// none are named): mean ± standard deviation, then each seed's value.
func (r *Repeated) Table(names ...string) string {
	if len(names) == 0 {
		names = r.Names()
	}
	header := []string{"measurement", fmt.Sprintf("mean ± sd over %d seeds", len(r.Seeds))}
	for _, s := range r.Seeds {
		header = append(header, fmt.Sprintf("seed %d", s))
	}
	var rows [][]string
	for _, name := range names {
		s := NewStat(r.Results[name])
		row := []string{name, fmt.Sprintf("%.3f ± %.3f", s.Mean, s.SD)}
		for _, v := range s.Values {
			row = append(row, fmt.Sprintf("%.3f", v))
		}
		rows = append(rows, row)
	}
	return charts.Table(header, rows)
}
