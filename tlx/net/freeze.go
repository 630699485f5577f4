package net

import (
	"fmt"
	"math"
)

// Freeze stops training the groups matching the patterns (names or globs
// such as "layer*"); with no pattern it freezes every group.
func (m *Model) Freeze(patterns ...string) error { return m.setFrozen(true, patterns) }

// Unfreeze trains the groups matching the patterns again; with no pattern
// it unfreezes every group.
func (m *Model) Unfreeze(patterns ...string) error { return m.setFrozen(false, patterns) }

func (m *Model) setFrozen(frozen bool, patterns []string) error {
	groups := m.Groups
	if len(patterns) > 0 {
		var err error
		if groups, err = m.match(patterns); err != nil {
			return err
		}
	}
	for _, g := range groups {
		g.Frozen = frozen
	}
	return nil
}

// FreezeTo freezes the first n groups and unfreezes the rest, as fastai's
// freeze_to: FreezeTo(len-1) trains only the head; a negative n counts from
// the end (FreezeTo(-1): all but the last group frozen).
func (m *Model) FreezeTo(n int) error {
	if n < 0 {
		n += len(m.Groups)
	}
	if n < 0 || n > len(m.Groups) {
		return fmt.Errorf("FreezeTo(%d): model %s has %d groups", n, m.Name, len(m.Groups))
	}
	for i, g := range m.Groups {
		g.Frozen = i < n
	}
	return nil
}

// SetLRMults gives the groups their learning-rate multipliers, one per
// group in order (see fit.LRs for a geometric spread). Each must be
// positive: to keep a group's weights, Freeze it.
func (m *Model) SetLRMults(mults []float64) error {
	if len(mults) != len(m.Groups) {
		return fmt.Errorf("SetLRMults: %d multipliers for %d groups (%v)", len(mults), len(m.Groups), m.GroupNames())
	}
	for i, g := range m.Groups {
		if !(mults[i] > 0) || math.IsInf(mults[i], 0) {
			return fmt.Errorf("SetLRMults: group %s gets %g, want a finite multiplier > 0 (Freeze the group to keep its weights)", g.Name, mults[i])
		}
	}
	for i, g := range m.Groups {
		g.LRMult = mults[i]
	}
	return nil
}

// ApplyTrainable marks each variable trainable or not according to its
// group. BatchNorm's moving averages are never trainable.
func (m *Model) ApplyTrainable() {
	for _, g := range m.Groups {
		for _, v := range m.Variables(g.Name) {
			v.Trainable = !g.Frozen && !isStatistic(v.Name()) && !m.Statistics[v.Path()]
		}
	}
}

// isStatistic reports variables that are state, not parameters.
func isStatistic(name string) bool { return name == "mean" || name == "variance" }

// GroupOf returns the group that owns a variable path, or nil.
func (m *Model) GroupOf(varPath string) *Group {
	for _, g := range m.Groups {
		if len(varPath) > len(g.Name)+1 && varPath[1:len(g.Name)+1] == g.Name && varPath[len(g.Name)+1] == '/' {
			return g
		}
	}
	return nil
}
