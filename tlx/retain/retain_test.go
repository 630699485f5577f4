package retain

import (
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Source task digits 0-4, target 5-9, one shared body. Naive fine-tuning
// forgets the source; L2-SP and EWC must keep more of it.
func TestPenaltiesReduceForgetting(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	src, _ := d.KeepClasses(0, 1, 2, 3, 4)
	tgt, _ := d.KeepClasses(5, 6, 7, 8, 9)
	srcTrain, srcVal := src.Split(0.3, 1)
	tgtTrain, tgtVal := tgt.Split(0.3, 1)
	source := arch.MLP("mlp", []int{64}, 5, 8, 8, 1)
	if _, err := fit.Fit(source, srcTrain, fit.Config{Epochs: 15, LR: 1e-2}); err != nil {
		t.Fatal(err)
	}
	base, _ := fit.Evaluate(source, srcVal)
	fisher, err := Fisher(source, srcTrain, 20)
	if err != nil {
		t.Fatal(err)
	}
	run := func(name string, penalty func(m *net.Model) Penalty, objective ...fit.Objective) (srcAcc, tgtAcc float64) {
		m := arch.MLP("mlp", []int{64}, 5, 8, 8, 1)
		if err := net.CopyWeights(m, source); err != nil {
			t.Fatal(err)
		}
		if err := m.ReplaceHead(5); err != nil {
			t.Fatal(err)
		}
		cfg := fit.Config{Epochs: 25, LR: 3e-2, Val: tgtVal}
		if penalty != nil {
			cfg.Penalty = penalty(m)
		}
		if len(objective) > 0 {
			cfg.Objective = objective[0]
		}
		h, err := fit.Fit(m, tgtTrain, cfg)
		if err != nil {
			t.Fatal(err)
		}
		probe := arch.MLP("mlp", []int{64}, 5, 8, 8, 1)
		if err := net.CopyWeights(probe, source); err != nil {
			t.Fatal(err)
		}
		if err := net.CopyWeights(probe, m, net.HeadName); err != nil {
			t.Fatal(err)
		}
		s, _ := fit.Evaluate(probe, srcVal)
		t.Logf("%-6s source acc %.3f (before %.3f), target acc %.3f", name, s.Accuracy, base.Accuracy, h.Last().ValAccuracy)
		return s.Accuracy, h.Last().ValAccuracy
	}
	naiveSrc, naiveTgt := run("naive", nil)
	l2spSrc, l2spTgt := run("L2-SP", func(m *net.Model) Penalty {
		p, err := L2SP(m, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		return p
	})
	ewcSrc, ewcTgt := run("EWC", func(*net.Model) Penalty { return EWC(fisher, 2000) })
	lwf, err := LwF(source, tgtTrain, LwFConfig{Weight: 3})
	if err != nil {
		t.Fatal(err)
	}
	lwfSrc, lwfTgt := run("LwF", nil, lwf)
	if l2spSrc < naiveSrc+0.03 || ewcSrc < naiveSrc+0.03 || lwfSrc < naiveSrc+0.03 {
		t.Errorf("source accuracy after fine-tuning: naive %.3f, L2-SP %.3f, EWC %.3f, LwF %.3f: want every method 3+ points above naive", naiveSrc, l2spSrc, ewcSrc, lwfSrc)
	}
	if l2spTgt < 0.8 || ewcTgt < 0.8 || naiveTgt < 0.8 || lwfTgt < 0.8 {
		t.Errorf("target accuracy naive %.3f, L2-SP %.3f, EWC %.3f, LwF %.3f: want all >= 0.8", naiveTgt, l2spTgt, ewcTgt, lwfTgt)
	}
}
