package fit_test

import (
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// interruptSelf sends this process SIGINT (what GoNB sends a cell when the
// stop button is pressed) and returns once the signal has reached every
// channel registered for it, Fit's included: signal.Stop waits for the
// delivery loop that handed it to got.
func interruptSelf(t *testing.T) {
	t.Helper()
	got := make(chan os.Signal, 1)
	signal.Notify(got, os.Interrupt)
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-got
	signal.Stop(got)
}

// steps counts training steps and can interrupt at one.
type steps struct {
	n                     int
	stopEpoch, stopAtStep int
	t                     *testing.T
}

func (s *steps) callback() fit.Callback {
	return fit.Callback{OnStep: func(epoch, step, _ int, _ float64) {
		s.n++
		if epoch == s.stopEpoch && step == s.stopAtStep {
			interruptSelf(s.t)
		}
	}}
}

// resumeConfig trains a small MLP with augmentation (random draws inside
// each step), Adam, a one-cycle schedule and early stopping's bookkeeping.
func resumeConfig(t *testing.T, ckpt string, val *data.Dataset, s *steps) fit.Config {
	return fit.Config{Epochs: 5, BatchSize: 32, LR: 3e-3, Schedule: fit.OneCycle(), Seed: 9, Val: val, Patience: 4,
		Augment: fit.Augment{CropPad: 1}, Checkpoint: ckpt, Callbacks: []fit.Callback{s.callback()}, CacheDir: t.TempDir()}
}

func resumeMLP() *net.Model { return arch.MLP("mlp", []int{32}, 10, 8, 8, 1) }

// dropoutCNN has BatchNorm (moving statistics to carry over) and dropout
// (the graph RNG's state to carry over).
func dropoutCNN() *net.Model {
	return net.New("cnn-dropout", 8, 8, 1).
		Add("block1", func(c *nn.Ctx, x *graph.Node) *graph.Node {
			return nn.MaxPool(nn.ReLU(nn.BatchNorm(c.In("bn"), nn.Conv2D(c.In("conv"), x, 8, 3, 1))), 2, 2)
		}).
		Add("dense", func(c *nn.Ctx, x *graph.Node) *graph.Node {
			return nn.Dropout(c, nn.ReLU(nn.Dense(c, nn.Flatten(x), 32)), 0.3)
		}).
		Add(net.HeadName, net.Classifier(10))
}

func fitOrFail(t *testing.T, m *net.Model, train *data.Dataset, cfg fit.Config) *fit.History {
	t.Helper()
	h, err := fit.Fit(m, train, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func hash(t *testing.T, m *net.Model) string {
	t.Helper()
	h, err := m.WeightsHash()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// equalEpochs compares two histories' epochs, all but their durations.
func equalEpochs(t *testing.T, want, got *fit.History) {
	t.Helper()
	if len(got.Epochs) != len(want.Epochs) {
		t.Fatalf("%d epochs, want %d", len(got.Epochs), len(want.Epochs))
	}
	for i := range want.Epochs {
		a, b := want.Epochs[i], got.Epochs[i]
		a.Seconds, b.Seconds = 0, 0
		if a.String() != b.String() || a.TrainLoss != b.TrainLoss || a.ValLoss != b.ValLoss || a.LR != b.LR {
			t.Errorf("epoch %d:\n uninterrupted %v (loss %v)\n resumed       %v (loss %v)", i+1, a, a.TrainLoss, b, b.TrainLoss)
		}
	}
}

// Stopped mid-epoch by SIGINT, a Fit run again with the same checkpoint
// goes on at the next step: nothing is redone and the result is the
// uninterrupted run's, bit for bit.
func TestInterruptedFitResumesAtTheNextStep(t *testing.T) {
	for name, build := range map[string]func() *net.Model{"mlp": resumeMLP, "cnn-bn-dropout": dropoutCNN} {
		t.Run(name, func(t *testing.T) { testResumeAtNextStep(t, build) })
	}
}

func testResumeAtNextStep(t *testing.T, resumeMLP func() *net.Model) {
	train, val := digits(t)
	dir := t.TempDir()
	var ref steps
	want := fitOrFail(t, resumeMLP(), train, resumeConfig(t, filepath.Join(dir, "a.safetensors"), val, &ref))
	mA := resumeMLP()
	var again steps
	wantAgain := fitOrFail(t, mA, train, resumeConfig(t, filepath.Join(dir, "a2.safetensors"), val, &again))
	equalEpochs(t, want, wantAgain) // the backend is deterministic: otherwise compare with a tolerance

	ckpt := filepath.Join(dir, "b.safetensors")
	first := steps{stopEpoch: 2, stopAtStep: 3, t: t}
	h1 := fitOrFail(t, resumeMLP(), train, resumeConfig(t, ckpt, val, &first))
	if !h1.Interrupted || len(h1.Epochs) != 1 {
		t.Fatalf("interrupted %v after %d epochs, want an interrupt in epoch 2", h1.Interrupted, len(h1.Epochs))
	}
	m := resumeMLP()
	var second steps
	h2 := fitOrFail(t, m, train, resumeConfig(t, ckpt, val, &second))
	perEpoch := train.Len() / 32
	if first.n+second.n != ref.n || second.n != 5*perEpoch-(perEpoch+3) {
		t.Errorf("steps: %d before the interrupt, %d after, want %d in all", first.n, second.n, ref.n)
	}
	if r := h2.Resumed; r == nil || r.Epoch != 1 || r.Step != 3 || !strings.Contains(strings.Join(h2.Notes, "\n"), "resumed in epoch 2 of 5 after step 3") {
		t.Errorf("resume point %+v, notes %q", r, h2.Notes)
	}
	equalEpochs(t, want, h2)
	if hash(t, m) != hash(t, mA) {
		t.Error("the resumed run ends with other weights than the uninterrupted one")
	}
}

// A finished training is restored from its checkpoint without a step, and
// a checkpoint of another training (here: another learning rate) is not
// resumed: that training starts from the beginning.
func TestCheckpointResumesOnlyItsOwnTraining(t *testing.T) {
	train, val := digits(t)
	ckpt := filepath.Join(t.TempDir(), "ckpt.safetensors")
	var s1 steps
	m1 := resumeMLP()
	h1 := fitOrFail(t, m1, train, resumeConfig(t, ckpt, val, &s1))
	var s2 steps
	m2 := resumeMLP()
	h2 := fitOrFail(t, m2, train, resumeConfig(t, ckpt, val, &s2))
	if s2.n != 0 || h2.Resumed == nil || !h2.Resumed.Done {
		t.Errorf("finished training: %d steps trained again, resumed %+v", s2.n, h2.Resumed)
	}
	equalEpochs(t, h1, h2)
	if hash(t, m1) != hash(t, m2) {
		t.Error("the restored weights differ from the trained ones")
	}

	// Interrupted at LR 3e-3, then run with LR 1e-3: starts afresh.
	ckpt = filepath.Join(t.TempDir(), "other.safetensors")
	s3 := steps{stopEpoch: 2, stopAtStep: 1, t: t}
	if h3 := fitOrFail(t, resumeMLP(), train, resumeConfig(t, ckpt, val, &s3)); !h3.Interrupted {
		t.Fatal("not interrupted")
	}
	other := func(s *steps) fit.Config {
		c := resumeConfig(t, ckpt, val, s)
		c.LR = 1e-3
		return c
	}
	var s4 steps
	m4 := resumeMLP()
	h4 := fitOrFail(t, m4, train, other(&s4))
	if s4.n != s1.n || h4.Resumed != nil || !strings.Contains(strings.Join(h4.Notes, "\n"), "not resumed") {
		t.Errorf("another training: %d steps (want %d), resumed %+v, notes %q", s4.n, s1.n, h4.Resumed, h4.Notes)
	}
	var s5 steps
	m5 := resumeMLP()
	h5 := fitOrFail(t, m5, train, other(&s5)) // restored: it is its own now
	if s5.n != 0 {
		t.Errorf("%d steps trained again", s5.n)
	}
	fresh := resumeMLP()
	var s6 steps
	cfg := other(&s6)
	cfg.Checkpoint = ""
	equalEpochs(t, fitOrFail(t, fresh, train, cfg), h5)
	if hash(t, fresh) != hash(t, m4) {
		t.Error("the training with another learning rate did not start from the beginning")
	}
}

// fit.FineTune with a checkpoint keeps a state per stage: run again after
// an interrupt in stage 2, stage 1 is restored without a step and stage 2
// resumes where it stopped.
func TestFineTuneResumesTheInterruptedStage(t *testing.T) {
	train, val := digits(t)
	plan := fit.Plan{
		{Name: "head", TrainLast: 1, Epochs: 1, LR: 1e-2},
		{Name: "all", Epochs: 3, LR: 3e-3, Schedule: fit.OneCycle()},
	}
	cfg := func(ckpt string, s *steps) fit.Config {
		return fit.Config{BatchSize: 32, Seed: 2, Val: val, Checkpoint: ckpt, Callbacks: []fit.Callback{s.callback()}, CacheDir: t.TempDir()}
	}
	var ref steps
	mRef := resumeMLP()
	want, err := fit.FineTune(mRef, train, plan, cfg("", &ref))
	if err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(t.TempDir(), "ckpt.safetensors")
	first := steps{stopEpoch: 2, stopAtStep: 1, t: t}
	if h, err := fit.FineTune(resumeMLP(), train, plan, cfg(ckpt, &first)); err != nil || !h.Interrupted || len(h.Epochs) != 2 {
		t.Fatalf("first run: %v, interrupted %v after %d epochs, want an interrupt in stage all", err, h.Interrupted, len(h.Epochs))
	}
	var second steps
	m := resumeMLP()
	got, err := fit.FineTune(m, train, plan, cfg(ckpt, &second))
	if err != nil {
		t.Fatal(err)
	}
	if first.n+second.n != ref.n {
		t.Errorf("%d steps before the interrupt and %d after, want %d in all (nothing redone)", first.n, second.n, ref.n)
	}
	if r := got.Resumed; r == nil || r.Stage != "all" || r.Epoch != 1 || r.Step != 1 {
		t.Errorf("resume point %+v, want stage all in epoch 2 after step 1", r)
	}
	equalEpochs(t, want, got)
	if hash(t, m) != hash(t, mRef) {
		t.Error("the resumed plan ends with other weights than the uninterrupted one")
	}
}
