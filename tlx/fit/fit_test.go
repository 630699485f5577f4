package fit_test

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

func digits(t *testing.T) (train, val *data.Dataset) {
	t.Helper()
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	return d.Split(0.25, 1)
}

func TestFitLearnsDigits(t *testing.T) {
	train, val := digits(t)
	m := arch.MLP("mlp", []int{64}, 10, 8, 8, 1)
	h, err := fit.Fit(m, train, fit.Config{Epochs: 8, LR: 3e-3, Val: val, Schedule: fit.OneCycle(), CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 8 {
		t.Fatalf("%d epochs logged", len(h.Epochs))
	}
	last := h.Last()
	if last.ValAccuracy < 0.9 || last.ValMacroF1 < 0.9 || last.ValTop5 < last.ValAccuracy {
		t.Errorf("after 8 epochs: %v", last)
	}
	if h.Epochs[0].TrainLoss <= last.TrainLoss {
		t.Errorf("training loss did not fall: %v", series(t, h, fit.MetricTrainLoss))
	}
	sc, err := fit.Evaluate(m, val)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(sc.Accuracy-last.ValAccuracy) > 1e-9 {
		t.Errorf("Evaluate accuracy %.4f differs from the last epoch's %.4f", sc.Accuracy, last.ValAccuracy)
	}
}

// A frozen group's weights must come out bit for bit the same, whether the
// feature cache is used or not.
func TestFrozenGroupsAreBitIdentical(t *testing.T) {
	train, _ := digits(t)
	for _, mode := range []fit.CacheMode{fit.CacheOff, fit.CacheAuto} {
		m := arch.CNN("cnn", 10, true, 8, 8, 1)
		if err := m.Freeze("block1"); err != nil {
			t.Fatal(err)
		}
		before, err := m.GroupValues("block1")
		if err != nil {
			t.Fatal(err)
		}
		trainedBefore, _ := m.GroupValues("block2")
		if _, err := fit.Fit(m, train, fit.Config{Epochs: 1, LR: 1e-2, FeatureCache: mode, CacheDir: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
		after, _ := m.GroupValues("block1")
		for path, v := range before {
			if !slices.Equal(v, after[path]) {
				t.Errorf("cache mode %d: frozen %s changed", mode, path)
			}
		}
		trainedAfter, _ := m.GroupValues("block2")
		if slices.Equal(trainedBefore["/block2/conv/weights"], trainedAfter["/block2/conv/weights"]) {
			t.Errorf("cache mode %d: trainable block2 did not change", mode)
		}
	}
}

// Under Adam the first step moves every weight by about lr × multiplier
// whatever its gradient's scale; the per-group multiplier must scale that.
func TestPerGroupLearningRatesUnderAdam(t *testing.T) {
	train, _ := digits(t)
	m := arch.MLP("mlp", []int{32, 32}, 10, 8, 8, 1)
	if err := m.SetLRMults([]float64{0.01, 0.1, 1}); err != nil {
		t.Fatal(err)
	}
	before := map[string]map[string][]float32{}
	for _, g := range m.GroupNames() {
		before[g], _ = m.GroupValues(g)
	}
	one := train.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7})
	const lr = 1e-3
	if _, err := fit.Fit(m, one, fit.Config{Epochs: 1, BatchSize: 8, LR: lr}); err != nil {
		t.Fatal(err)
	}
	for i, g := range m.GroupNames() {
		after, _ := m.GroupValues(g)
		path := "/" + g + "/weights"
		var sum float64
		var n int
		for j, w := range after[path] {
			if d := math.Abs(float64(w - before[g][path][j])); d > 0 {
				sum += d
				n++
			}
		}
		want := lr * []float64{0.01, 0.1, 1}[i]
		if mean := sum / float64(n); math.Abs(mean-want)/want > 0.05 {
			t.Errorf("group %s: mean step %.3g, want %.3g (lr × multiplier)", g, mean, want)
		}
	}
}

func TestFeatureCacheMatchesFullModelAndIsReused(t *testing.T) {
	train, val := digits(t)
	dir := t.TempDir()
	var results [][]float64
	var notes [][]string
	for _, mode := range []fit.CacheMode{fit.CacheOff, fit.CacheAuto, fit.CacheAuto} {
		m := arch.CNN("cnn", 10, true, 8, 8, 1)
		if err := m.FreezeTo(-1); err != nil {
			t.Fatal(err)
		}
		h, err := fit.Fit(m, train, fit.Config{Epochs: 2, LR: 1e-2, Val: val, Seed: 3, FeatureCache: mode, CacheDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, series(t, h, fit.MetricValLoss))
		notes = append(notes, h.Notes)
	}
	for i := range results[0] {
		if math.Abs(results[0][i]-results[1][i]) > 1e-4 {
			t.Errorf("epoch %d val loss: full model %.6f, cached features %.6f", i+1, results[0][i], results[1][i])
		}
	}
	if len(notes[1]) == 0 || !strings.Contains(notes[1][0], "computed and saved") {
		t.Errorf("first cached run notes: %v", notes[1])
	}
	if len(notes[2]) == 0 || !strings.Contains(notes[2][0], "loaded from disk") {
		t.Errorf("second cached run notes: %v", notes[2])
	}
	// Augmentation turns the cache off, with a note saying why.
	m := arch.CNN("cnn", 10, true, 8, 8, 1)
	_ = m.FreezeTo(-1)
	h, err := fit.Fit(m, train, fit.Config{Epochs: 1, Augment: fit.Augment{FlipHorizontal: true}, CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Notes) == 0 || !strings.Contains(h.Notes[0], "augmentation") {
		t.Errorf("augmented run notes: %v", h.Notes)
	}
}

func TestEarlyStoppingRestoresBestWeights(t *testing.T) {
	train, val := digits(t)
	small := train.FewShot(3, 1)
	m := arch.MLP("mlp", []int{256}, 10, 8, 8, 1)
	h, err := fit.Fit(m, small, fit.Config{Epochs: 40, LR: 3e-2, BatchSize: 10, Val: val, Patience: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) == 40 {
		t.Fatalf("no early stop in 40 epochs of a 30-example training set (val losses %v)", series(t, h, fit.MetricValLoss))
	}
	best := slices.Min(series(t, h, fit.MetricValLoss))
	sc, err := fit.Evaluate(m, val)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(sc.Loss-best) > 1e-4 {
		t.Errorf("after early stopping val loss is %.5f, want the best epoch's %.5f (notes %v)", sc.Loss, best, h.Notes)
	}
}

func TestFitRejectsBadInput(t *testing.T) {
	train, _ := digits(t)
	m := arch.MLP("mlp", []int{8}, 5, 8, 8, 1)
	if _, err := fit.Fit(m, train, fit.Config{}); err == nil || !strings.Contains(err.Error(), "ReplaceHead(10)") {
		t.Errorf("class mismatch error = %v", err)
	}
	m = arch.MLP("mlp", []int{8}, 10, 28, 28, 1)
	if _, err := fit.Fit(m, train, fit.Config{}); err == nil || !strings.Contains(err.Error(), "[8 8 1]") {
		t.Errorf("shape mismatch error = %v", err)
	}
	m = arch.MLP("mlp", []int{8}, 10, 8, 8, 1)
	_ = m.Freeze()
	if _, err := fit.Fit(m, train, fit.Config{}); err == nil || !strings.Contains(err.Error(), "every group is frozen") {
		t.Errorf("all frozen error = %v", err)
	}
	_ = m.Unfreeze()
	nan := func(scope *model.Scope, g *graph.Graph) *graph.Node {
		return graph.Scalar(g, dtypes.Float32, math.NaN())
	}
	if _, err := fit.Fit(m, train, fit.Config{Penalty: fit.PenaltyFunc("nan", nan)}); err == nil || !strings.Contains(err.Error(), "loss became NaN at epoch 1 step 1") {
		t.Errorf("NaN loss error = %v", err)
	}
	bad := train.Subset([]int{0, 1, 2})
	bad.X[5] = float32(math.Inf(1))
	if _, err := fit.Fit(m, bad, fit.Config{}); err == nil || !strings.Contains(err.Error(), "example 0 has a non-finite value") {
		t.Errorf("Inf input error = %v", err)
	}
	empty := &data.Dataset{Name: "empty", Shape: []int{8, 8, 1}, Classes: train.Classes}
	if _, err := fit.Fit(m, empty, fit.Config{}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty data error = %v", err)
	}
	if _, err := fit.Fit(m, train, fit.Config{Optimizer: fit.Optimizer{Kind: 7}}); err == nil || !strings.Contains(err.Error(), "OptimizerKind(7)") {
		t.Errorf("unknown optimizer error = %v", err)
	}
}

func TestSchedulesAndLRs(t *testing.T) {
	oc := fit.OneCycle()
	if v := oc.At(0, 100); math.Abs(v-1.0/25) > 1e-9 {
		t.Errorf("one-cycle start %g", v)
	}
	if v := oc.At(25, 100); math.Abs(v-1) > 1e-9 {
		t.Errorf("one-cycle peak %g", v)
	}
	if v := oc.At(99, 100); v > 1e-3 {
		t.Errorf("one-cycle end %g", v)
	}
	wc := fit.Cosine(0.1)
	if wc.At(4, 100) >= wc.At(9, 100) || wc.At(50, 100) >= wc.At(10, 100) {
		t.Error("warm-up cosine is not rising then falling")
	}
	lrs := fit.LRs(1e-5, 1e-3, 3)
	if math.Abs(lrs[1]-1e-4) > 1e-12 || lrs[0] != 1e-5 || math.Abs(lrs[2]-1e-3) > 1e-15 {
		t.Errorf("LRs = %v", lrs)
	}
}

func TestScore(t *testing.T) {
	logits := []float32{2, 1, 0, 0, 2, 1, 2, 0, 1, 0, 0, 3}
	labels := []int32{0, 1, 2, 2}
	s := fit.Score(logits, labels, 3)
	if s.Accuracy != 0.75 || s.Confusion[2][0] != 1 {
		t.Errorf("score %+v", s)
	}
	// F1: class 0 = 2/3, class 1 = 1, class 2 = 2/3.
	if want := (2.0/3 + 1 + 2.0/3) / 3; math.Abs(s.MacroF1-want) > 1e-12 {
		t.Errorf("macro F1 %.4f, want %.4f", s.MacroF1, want)
	}
	if top := fit.TopLosses(logits, labels, 3, 1); top[0] != 2 {
		t.Errorf("top loss example %v, want 2", top)
	}
	_ = net.HeadName
}

func TestFineTunePlanStagesAndLRs(t *testing.T) {
	train, val := digits(t)
	m := arch.MLP("mlp", []int{32, 32}, 10, 8, 8, 1)
	plan := fit.Plan{
		{Name: "head", TrainLast: 1, Epochs: 2, LR: 1e-2},
		{Name: "all", Epochs: 2, LR: 1e-3, LRLow: 1e-5, Schedule: fit.OneCycle()},
	}
	h, err := fit.FineTune(m, train, plan, fit.Config{Val: val, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 4 || len(h.Stages) != 2 || h.Stages[1].FirstEpoch != 3 || h.Epochs[3].Epoch != 4 {
		t.Fatalf("history: %d epochs, stages %+v", len(h.Epochs), h.Stages)
	}
	if !strings.Contains(h.Stages[1].Plan, "LR 1e-05..0.001 (geometric)") || !h.Epochs[0].Cached || h.Epochs[2].Cached {
		t.Errorf("stage log %q, cached %v/%v", h.Stages[1].Plan, h.Epochs[0].Cached, h.Epochs[2].Cached)
	}
	mults := []float64{m.Groups[0].LR(), m.Groups[1].LR(), m.Groups[2].LR()}
	if math.Abs(mults[0]-0.01) > 1e-12 || math.Abs(mults[1]-0.1) > 1e-12 || mults[2] != 1 {
		t.Errorf("LR multipliers after the last stage %v, want 0.01, 0.1, 1", mults)
	}
	if _, err := fit.FineTune(m, train, fit.Plan{{Name: "bad", Train: []string{"nope*"}, Epochs: 1, LR: 1}}, fit.Config{}); err == nil || !strings.Contains(err.Error(), "nope*") {
		t.Errorf("bad stage error = %v", err)
	}
}

func TestLRFindSuggestsAndRestores(t *testing.T) {
	train, _ := digits(t)
	m := arch.MLP("mlp", []int{32}, 10, 8, 8, 1)
	before, _ := m.WeightsHash()
	f, err := fit.LRFind(m, train, 1e-6, 10, 60, fit.Config{BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := m.WeightsHash(); after != before {
		t.Error("LRFind changed the weights")
	}
	if len(f.LRs) < 20 || f.Suggested <= 1e-6 || f.Suggested >= 10 || f.Minimum <= 0 {
		t.Errorf("finding: %d points, suggested %g, minimum %g", len(f.LRs), f.Suggested, f.Minimum)
	}
	// Up to lr 10 Adam diverges: the sweep must see the loss rise well past
	// its minimum, and suggest a rate on the falling side, below the
	// minimum's.
	minAt := slices.Index(f.Losses, slices.Min(f.Losses))
	if last := f.Losses[len(f.Losses)-1]; last < 1.5*f.Losses[minAt] {
		t.Errorf("the loss did not explode up to lr %.3g: last %.3f, minimum %.3f at lr %.3g (losses %.3f)", f.LRs[len(f.LRs)-1], last, f.Losses[minAt], f.LRs[minAt], f.Losses)
	}
	if at := slices.Index(f.LRs, f.Suggested); at < 0 || at > minAt || f.Losses[at] <= f.Losses[minAt] || f.Suggested >= f.LRs[minAt] {
		t.Errorf("suggested lr %.3g (point %d) is not on the falling side before the minimum (lr %.3g, point %d)", f.Suggested, at, f.LRs[minAt], minAt)
	}
	// Further up the loss explodes past 4× its minimum: the finder stops there.
	g, err := fit.LRFind(m, train, 1e-6, 1e4, 150, fit.Config{BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("to lr 1e4: %d of 150 steps, last loss %.3f, minimum %.3f", len(g.LRs), g.Losses[len(g.Losses)-1], slices.Min(g.Losses))
	if len(g.LRs) == 150 {
		t.Errorf("LRFind went on to lr 1e4 though the loss exploded: losses %.3f", g.Losses)
	}
}

// SIGINT (what GoNB sends a cell when the notebook's stop button is
// pressed) ends training at a step boundary with the state checkpointed.
func TestInterruptStopsAtStepBoundaryAndCheckpoints(t *testing.T) {
	train, _ := digits(t)
	m := arch.MLP("mlp", []int{32}, 10, 8, 8, 1)
	ckpt := filepath.Join(t.TempDir(), "ckpt.safetensors")
	sent := false
	cb := fit.Callback{OnStep: func(epoch, step, steps int, loss float64) {
		if epoch == 2 && step == 3 && !sent {
			sent = true
			interruptSelf(t) // returns once Fit's channel holds the signal
		}
	}}
	h, err := fit.Fit(m, train, fit.Config{Epochs: 5, BatchSize: 32, Checkpoint: ckpt, Callbacks: []fit.Callback{cb}})
	if err != nil {
		t.Fatal(err)
	}
	if !h.Interrupted || len(h.Epochs) != 1 {
		t.Fatalf("interrupted=%v after %d epochs, want an interrupt during epoch 2", h.Interrupted, len(h.Epochs))
	}
	saved := arch.MLP("mlp", []int{32}, 10, 8, 8, 1)
	if err := saved.LoadWeights(ckpt); err != nil {
		t.Fatal(err)
	}
	a, _ := m.WeightsHash()
	if b, _ := saved.WeightsHash(); a != b {
		t.Error("the checkpoint does not hold the weights at the interrupt")
	}
}

// An Objective sees the batch's indices and a batch of Extra data; misuse
// is refused before training.
func TestObjectiveSeesIndicesAndExtra(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train := d.Take(96, 1)
	m := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	var sawIndex, sawExtra bool
	obj := fit.ObjectiveFunc("zero", func(b *fit.Batch) *graph.Node {
		sawIndex = b.Index != nil && b.Index.Shape().Dimensions[0] == 32
		sawExtra = b.Extra != nil && b.Extra.Shape().Dimensions[0] == 32 && b.ExtraFeatures() != nil
		return graph.ReduceAllSum(graph.ZerosLike(b.Features))
	})
	if _, err := fit.Fit(m, train, fit.Config{BatchSize: 32, Objective: obj, Extra: d.Take(40, 2)}); err != nil {
		t.Fatal(err)
	}
	if !sawIndex || !sawExtra {
		t.Errorf("objective saw index %v, extra %v", sawIndex, sawExtra)
	}
	if _, err := fit.Fit(m, train, fit.Config{Extra: d}); err == nil || !strings.Contains(err.Error(), "without an Objective") {
		t.Errorf("Extra alone: %v", err)
	}
	wrong := d.Resize(4, 4)
	if _, err := fit.Fit(m, train, fit.Config{Objective: obj, Extra: wrong}); err == nil || !strings.Contains(err.Error(), "extra") {
		t.Errorf("Extra of another shape: %v", err)
	}
}

// series is h.Series(metric) for a metric the test knows is there.
func series(t *testing.T, h *fit.History, metric string) []float64 {
	t.Helper()
	v, err := h.Series(metric)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
