package fit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Schedule shapes the learning rate over a training: At gives the
// multiplier of the base rate for each step. The zero value is Constant,
// so a Stage or Config that names none keeps its rate. Build one with
// Constant, Cosine, OneCycle or NewSchedule; its Name is what plans print
// and what run keys record.
//
//	fit.Stage{Name: "all", Epochs: 3, LR: 2e-3, Schedule: fit.OneCycle()}
type Schedule struct {
	name string
	f    func(step, total int) float64 // nil: constant
}

// Constant keeps the learning rate.
func Constant() Schedule { return Schedule{} }

// Cosine rises linearly over the first warmup fraction of the steps, then
// follows a half cosine down to 0 (WarmupCosine before).
func Cosine(warmup float64) Schedule {
	name := "cosine"
	if warmup != 0.1 {
		name = "cosine(" + strconv.FormatFloat(warmup, 'g', -1, 64) + ")"
	}
	return Schedule{name: name, f: func(step, total int) float64 {
		w := int(warmup * float64(total))
		if step < w {
			return float64(step+1) / float64(w)
		}
		p := float64(step-w) / float64(max(total-w, 1))
		return 0.5 * (1 + math.Cos(math.Pi*p))
	}}
}

// OneCycle is fastai's one-cycle policy: from 1/25 of the rate up to the
// full rate over the first 25% of the steps (cosine), then down to 1/1e5
// (cosine).
func OneCycle() Schedule {
	const pct, div, finalDiv = 0.25, 25.0, 1e5
	cosine := func(a, b, p float64) float64 { return b + (a-b)*(1+math.Cos(math.Pi*p))/2 }
	return Schedule{name: "onecycle", f: func(step, total int) float64 {
		up := int(pct * float64(total))
		if step < up {
			return cosine(1/div, 1, float64(step)/float64(max(up, 1)))
		}
		return cosine(1, 1/finalDiv, float64(step-up)/float64(max(total-up, 1)))
	}}
}

// NewSchedule is a schedule of one's own: f gives the multiplier for step
// (0-based) of total. The name identifies it in plans and run keys: give
// two different shapes different names.
func NewSchedule(name string, f func(step, total int) float64) (Schedule, error) {
	if name == "" || f == nil {
		return Schedule{}, fmt.Errorf("fit.NewSchedule(%q): want a name and a function", name)
	}
	if _, err := ParseSchedule(name); err == nil {
		return Schedule{}, fmt.Errorf("fit.NewSchedule(%q): the name of a built-in schedule", name)
	}
	return Schedule{name: name, f: f}, nil
}

// At is the multiplier of the base learning rate at step (0-based) of total.
func (s Schedule) At(step, total int) float64 {
	if s.f == nil {
		return 1
	}
	return s.f(step, total)
}

// Name is "constant", "cosine" (10% warm-up; "cosine(W)" for another
// warm-up fraction W), "onecycle" or a NewSchedule's name.
func (s Schedule) Name() string {
	if s.name == "" {
		return "constant"
	}
	return s.name
}

// String is Name.
func (s Schedule) String() string { return s.Name() }

// MarshalText writes the schedule's name (a Plan saved as JSON).
func (s Schedule) MarshalText() ([]byte, error) {
	if _, err := ParseSchedule(s.Name()); err != nil {
		return nil, fmt.Errorf("schedule %q: only built-in schedules can be saved as text", s.Name())
	}
	return []byte(s.Name()), nil
}

// UnmarshalText reads what MarshalText wrote.
func (s *Schedule) UnmarshalText(b []byte) error {
	v, err := ParseSchedule(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSchedule reads a built-in schedule's Name back ("constant",
// "cosine", "cosine(0.2)", "onecycle"): for plans kept as text, not for code,
// which names the constructors.
func ParseSchedule(name string) (Schedule, error) {
	switch name {
	case "constant":
		return Constant(), nil
	case "cosine":
		return Cosine(0.1), nil
	case "onecycle":
		return OneCycle(), nil
	}
	if w, ok := strings.CutPrefix(name, "cosine("); ok && strings.HasSuffix(w, ")") {
		v, err := strconv.ParseFloat(strings.TrimSuffix(w, ")"), 64)
		if err == nil && v >= 0 && v < 1 {
			return Cosine(v), nil
		}
	}
	return Schedule{}, fmt.Errorf("schedule %q: want constant, cosine, cosine(W) with 0 <= W < 1, or onecycle", name)
}

// LRs spreads learning rates geometrically from lo (first group) to hi
// (last group), as fastai's slice(lo, hi).
func LRs(lo, hi float64, groups int) []float64 {
	out := make([]float64, groups)
	for i := range out {
		if groups == 1 {
			out[i] = hi
			continue
		}
		out[i] = lo * math.Pow(hi/lo, float64(i)/float64(groups-1))
	}
	return out
}
