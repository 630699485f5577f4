package study

import (
	"math"
	"strings"
	"testing"
)

func TestStatMatchesTextbook(t *testing.T) {
	s := NewStat([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	// mean 5, sample variance 32/7.
	if s.Mean != 5 || math.Abs(s.SD-math.Sqrt(32.0/7)) > 1e-12 || math.Abs(s.SE-s.SD/math.Sqrt(8)) > 1e-12 {
		t.Errorf("got mean %v sd %v se %v", s.Mean, s.SD, s.SE)
	}
	if one := NewStat([]float64{3}); one.SD != 0 || one.Exceeds(0, 2) {
		t.Errorf("one value: %+v; Exceeds must refuse a claim from one seed", one)
	}
	if !s.Exceeds(3, 2) || s.Exceeds(4.5, 2) {
		t.Errorf("Exceeds: 5 - 2·%.3f against 3 and 4.5", s.SE)
	}
}

func TestRepeatPairsSeeds(t *testing.T) {
	r, err := Repeat([]uint64{1, 2, 3}, func(seed uint64) (map[string]float64, error) {
		// b moves with the seed as much as a does: the paired effect has no spread.
		return map[string]float64{"a": float64(seed) + 0.5, "b": float64(seed)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Effect("a", "b")
	if err != nil {
		t.Fatal(err)
	}
	if e.Mean != 0.5 || e.SD != 0 {
		t.Errorf("paired effect %v, want 0.5 ± 0", e)
	}
	if _, err := r.Stat("typo"); err == nil || !strings.Contains(err.Error(), `"typo"`) {
		t.Errorf("unknown name: %v", err)
	}
	if tab := r.Table("a"); !strings.Contains(tab, "seed 3") || !strings.Contains(tab, "2.500 ± 1.000") {
		t.Errorf("table: %s", tab)
	}
	_, err = Repeat([]uint64{1, 2}, func(seed uint64) (map[string]float64, error) {
		if seed == 2 {
			return map[string]float64{"c": 1}, nil
		}
		return map[string]float64{"a": 1}, nil
	})
	if err == nil {
		t.Error("names that change between seeds must be an error")
	}
}
