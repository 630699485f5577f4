package retain

import (
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/study"
)

// Source task digits 0-4, target 5-9, one shared body. Naive fine-tuning
// forgets the source; L2-SP, EWC and LwF must keep more of it. An effect
// over seeds: each seed draws the splits, the initialisation and the batch
// order, and every method's paired gain over naive must exceed 2 standard
// errors (and 2 points).
func TestPenaltiesReduceForgetting(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	src, _ := d.KeepClasses(0, 1, 2, 3, 4)
	tgt, _ := d.KeepClasses(5, 6, 7, 8, 9)
	mlp := func(seed uint64) *net.Model {
		m := arch.MLP("mlp", []int{64}, 5, 8, 8, 1)
		m.Seed = int64(seed)
		return m
	}
	r, err := study.Repeat([]uint64{1, 2, 3, 4, 5}, func(seed uint64) (map[string]float64, error) {
		srcTrain, srcVal := src.Split(0.3, seed)
		tgtTrain, tgtVal := tgt.Split(0.3, seed)
		source := mlp(seed)
		if _, err := fit.Fit(source, srcTrain, fit.Config{Epochs: 15, LR: 1e-2, Seed: seed}); err != nil {
			return nil, err
		}
		fisher, err := Fisher(source, srcTrain, 20)
		if err != nil {
			return nil, err
		}
		out := map[string]float64{}
		run := func(name string, penalty func(m *net.Model) (Penalty, error), objective ...fit.Objective) error {
			m := mlp(seed)
			if err := net.CopyWeights(m, source); err != nil {
				return err
			}
			if err := m.ReplaceHead(5); err != nil {
				return err
			}
			cfg := fit.Config{Epochs: 25, LR: 3e-2, Val: tgtVal, Seed: seed}
			if penalty != nil {
				if cfg.Penalty, err = penalty(m); err != nil {
					return err
				}
			}
			if len(objective) > 0 {
				cfg.Objective = objective[0]
			}
			h, err := fit.Fit(m, tgtTrain, cfg)
			if err != nil {
				return err
			}
			probe := mlp(seed)
			if err := net.CopyWeights(probe, source); err != nil {
				return err
			}
			if err := net.CopyWeights(probe, m, net.HeadName); err != nil {
				return err
			}
			s, err := fit.Evaluate(probe, srcVal)
			if err != nil {
				return err
			}
			out[name+" source"], out[name+" target"] = s.Accuracy, h.Last().ValAccuracy
			return nil
		}
		if err := run("naive", nil); err != nil {
			return nil, err
		}
		if err := run("L2-SP", func(m *net.Model) (Penalty, error) { return L2SP(m, 1, 0) }); err != nil {
			return nil, err
		}
		if err := run("EWC", func(*net.Model) (Penalty, error) { return EWC(fisher, 2000), nil }); err != nil {
			return nil, err
		}
		lwf, err := LwF(source, tgtTrain, LwFConfig{Weight: 3})
		if err != nil {
			return nil, err
		}
		if err := run("LwF", nil, lwf); err != nil {
			return nil, err
		}
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range r.Names() {
		s, _ := r.Stat(name)
		t.Logf("%-13s %v %.3f", name, s, s.Values)
	}
	for _, name := range []string{"L2-SP", "EWC", "LwF"} {
		gain, _ := r.Effect(name+" source", "naive source")
		if !gain.Exceeds(0.02, 2) {
			t.Errorf("%s: source accuracy over naive %v: want a gain of more than 2 points by 2 standard errors", name, gain)
		}
	}
	for _, name := range []string{"naive", "L2-SP", "EWC", "LwF"} {
		s, _ := r.Stat(name + " target")
		if s.Mean < 0.85 || s.Mean-2*s.SD < 0.8 {
			t.Errorf("%s: target accuracy %v: want a mean of at least 0.85, every seed near 0.8 or more", name, s)
		}
	}
}
