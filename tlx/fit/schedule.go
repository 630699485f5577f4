package fit

import (
	"fmt"
	"math"
)

// Schedule gives the learning-rate multiplier for step (0-based) of total.
type Schedule func(step, total int) float64

// Constant keeps the learning rate.
func Constant() Schedule { return func(int, int) float64 { return 1 } }

// WarmupCosine rises linearly over the first warmup fraction of the steps,
// then follows a half cosine down to 0.
func WarmupCosine(warmup float64) Schedule {
	return func(step, total int) float64 {
		w := int(warmup * float64(total))
		if step < w {
			return float64(step+1) / float64(w)
		}
		p := float64(step-w) / float64(max(total-w, 1))
		return 0.5 * (1 + math.Cos(math.Pi*p))
	}
}

// OneCycle is fastai's one-cycle policy: from 1/25 of the rate up to the
// full rate over the first 25% of the steps (cosine), then down to 1/1e5
// (cosine).
func OneCycle() Schedule {
	const pct, div, finalDiv = 0.25, 25.0, 1e5
	cosine := func(a, b, p float64) float64 { return b + (a-b)*(1+math.Cos(math.Pi*p))/2 }
	return func(step, total int) float64 {
		up := int(pct * float64(total))
		if step < up {
			return cosine(1/div, 1, float64(step)/float64(max(up, 1)))
		}
		return cosine(1, 1/finalDiv, float64(step-up)/float64(max(total-up, 1)))
	}
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

// ScheduleByName returns "constant", "cosine" (10% warm-up) or "onecycle".
func ScheduleByName(name string) (Schedule, error) {
	switch name {
	case "", "constant":
		return Constant(), nil
	case "cosine":
		return WarmupCosine(0.1), nil
	case "onecycle":
		return OneCycle(), nil
	}
	return nil, fmt.Errorf("schedule %q: want constant, cosine or onecycle", name)
}
