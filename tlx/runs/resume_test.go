package runs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// The training the resume test runs: a small MLP on the shipped digits,
// a head stage (on cached features) then the whole model with a one-cycle
// schedule, so that the optimizer's moments, the schedule's position and
// the batch order all matter after the resume point.
var resumePlan = fit.Plan{
	{Name: "head", TrainLast: 1, Epochs: 2, LR: 1e-2},
	{Name: "all", Epochs: 4, LR: 3e-3, LRLow: 3e-4, Schedule: fit.OneCycle()},
}

const (
	childEnv   = "TLX_TEST_CHILD"
	killEpoch  = 3 // the child stops for good in this epoch of stage "all"
	killStep   = 2 // after this step
	markerFile = "child-in-epoch-3"
)

func resumeData(t *testing.T) (train, val *data.Dataset) {
	t.Helper()
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	return d.Take(480, 1).Split(0.25, 1)
}

func resumeModel() *net.Model { return arch.MLP("mlp", []int{32}, 10, 8, 8, 1) }

// countSteps counts training steps, and marks the stage each belongs to.
type countSteps struct {
	stage string
	steps map[string]int
}

func (c *countSteps) callback() fit.Callback {
	c.steps = map[string]int{}
	return fit.Callback{
		OnStart: func(cfg fit.Config, _ int) { c.stage = cfg.Stage },
		OnStep:  func(epoch, step, steps int, loss float64) { c.steps[c.stage]++ },
	}
}

// TestResumeChild is the training process the resume test kills: it
// trains the plan in $TLX_RUNS and, in epoch 3 of stage "all", writes a
// marker file and waits to be killed.
func TestResumeChild(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("run by TestInterruptedStageResumes in a child process")
	}
	train, val := resumeData(t)
	run, err := Open("resume")
	if err != nil {
		t.Fatal(err)
	}
	stage := ""
	wait := fit.Callback{
		OnStart: func(cfg fit.Config, _ int) { stage = cfg.Stage },
		OnStep: func(epoch, step, steps int, loss float64) {
			if stage == "all" && epoch == killEpoch && step == killStep {
				if err := os.WriteFile(filepath.Join(run.Dir, markerFile), nil, 0o644); err != nil {
					t.Error(err)
				}
				select {} // killed here, in the middle of an epoch
			}
		},
	}
	_, err = run.FineTune(resumeModel(), train, resumePlan, fit.Config{Val: val, Seed: 5, BatchSize: 24, Callbacks: []fit.Callback{wait}})
	t.Fatalf("the child finished training (%v): it should have been killed", err)
}

// A training process killed (SIGKILL) in the middle of a stage resumes,
// when run again, from the stage's last epoch checkpoint: it redoes at most
// the epoch in progress and ends with the same history and weights as a
// run that was never interrupted, bit for bit (the Go backend computes the
// same steps the same way: see the control run below).
func TestInterruptedStageResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three times and starts a process")
	}
	train, val := resumeData(t)
	root := t.TempDir()
	cfg := func(c *countSteps) fit.Config {
		return fit.Config{Val: val, Seed: 5, BatchSize: 24, Callbacks: []fit.Callback{c.callback()}}
	}
	steps := train.Len() / 24

	// A: uninterrupted, twice (the second is the determinism control).
	fineTune := func(dir string, c *countSteps) (*fit.History, string, []string) {
		t.Helper()
		t.Setenv("TLX_RUNS", dir)
		run, err := Open("resume")
		if err != nil {
			t.Fatal(err)
		}
		var log []string
		run.Log = func(s string) { log = append(log, s) }
		m := resumeModel()
		h, err := run.FineTune(m, train, resumePlan, cfg(c))
		if err != nil {
			t.Fatal(err)
		}
		w, err := m.WeightsHash()
		if err != nil {
			t.Fatal(err)
		}
		return h, w, log
	}
	var ca, cc countSteps
	hA, wA, _ := fineTune(filepath.Join(root, "A"), &ca)
	hC, wC, _ := fineTune(filepath.Join(root, "control"), &cc)
	if wC != wA || !sameEpochs(hA.Epochs, hC.Epochs) {
		t.Fatalf("two uninterrupted runs differ (weights %v): the backend is not deterministic here, compare with a tolerance", wC == wA)
	}

	// B: a child process trains and is killed in epoch 3 of stage "all".
	dirB := filepath.Join(root, "B")
	child := exec.Command(os.Args[0], "-test.run=^TestResumeChild$", "-test.count=1")
	child.Env = append(os.Environ(), childEnv+"=1", "TLX_RUNS="+dirB)
	var out strings.Builder
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	runDir := filepath.Join(dirB, "resume")
	state := fit.ResumePath(filepath.Join(runDir, "checkpoint.safetensors"))
	deadline := time.Now().Add(2 * time.Minute)
	for !exists(filepath.Join(runDir, markerFile)) || !exists(state) {
		select {
		case err := <-exited:
			t.Fatalf("the child ended before it could be killed (%v):\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatalf("no checkpoint and marker after 2 minutes:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond) // polling, not waiting for something to happen by then
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no handler, no last checkpoint
		t.Fatal(err)
	}
	<-exited

	// Run B again, in this process: stage head is restored, stage all
	// resumes after its epoch 2 and trains epochs 3 and 4 only.
	var cb countSteps
	hB, wB, log := fineTune(dirB, &cb)
	if len(log) != 2 || !strings.Contains(log[0], "stage head restored from") || !strings.Contains(log[1], "stage all resumed after epoch 2 of 4, trained and saved") {
		t.Errorf("resumed run log %q", log)
	}
	if notes := strings.Join(hB.Notes, "\n"); !strings.Contains(notes, "resumed stage all after epoch 2 of 4") {
		t.Errorf("resumed run notes %q", notes)
	}
	if cb.steps["head"] != 0 || cb.steps["all"] != (4-2)*steps {
		t.Errorf("resumed run trained %d steps of head and %d of all, want 0 and %d (epochs 3 and 4)", cb.steps["head"], cb.steps["all"], 2*steps)
	}
	// The child had finished epoch 2 and done killStep steps of epoch 3:
	// resuming after epoch 2 redoes those steps only, less than an epoch.
	if hB.Resumed == nil || hB.Resumed.Epoch != killEpoch-1 || hB.Resumed.Stage != "all" {
		t.Errorf("history's resume point %+v, want stage all after epoch %d", hB.Resumed, killEpoch-1)
	}
	if len(hB.Epochs) != len(hA.Epochs) || !sameEpochs(hA.Epochs, hB.Epochs) {
		for i := range hA.Epochs {
			if i < len(hB.Epochs) {
				t.Logf("epoch %d: uninterrupted %v\n          resumed       %v", i+1, hA.Epochs[i], hB.Epochs[i])
			}
		}
		t.Errorf("the resumed history differs from the uninterrupted one (%d and %d epochs)", len(hB.Epochs), len(hA.Epochs))
	}
	if wB != wA {
		t.Error("the resumed run ends with other weights than the uninterrupted one")
	}

	// Run B once more: both stages are finished, nothing trains.
	var cd countSteps
	hD, wD, log := fineTune(dirB, &cd)
	if len(cd.steps) != 0 || len(log) != 2 || !strings.Contains(log[1], "stage all restored from") {
		t.Errorf("finished run trained %v, log %q: want both stages restored, no step", cd.steps, log)
	}
	if wD != wA || !sameEpochs(hA.Epochs, hD.Epochs) {
		t.Error("the restored run differs from the uninterrupted one")
	}

	// Killed after stage all finished but before the run saved it (no
	// history.json): the finished checkpoint is taken up, nothing trains.
	stageAll, _ := filepath.Glob(filepath.Join(runDir, "stages", "02-all-*", "history.json"))
	if len(stageAll) != 1 {
		t.Fatalf("stage all's history: %v", stageAll)
	}
	if err := os.Remove(stageAll[0]); err != nil {
		t.Fatal(err)
	}
	var ce countSteps
	hE, wE, log := fineTune(dirB, &ce)
	if len(ce.steps) != 0 || len(log) != 2 || !strings.Contains(log[1], "stage all had finished in its checkpoint") {
		t.Errorf("finished-but-unsaved stage trained %v, log %q", ce.steps, log)
	}
	if wE != wA || !sameEpochs(hA.Epochs, hE.Epochs) {
		t.Error("the run restored from the finished checkpoint differs from the uninterrupted one")
	}
}

// sameEpochs compares everything an epoch records except its duration.
func sameEpochs(a, b []fit.EpochLog) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Seconds, y.Seconds = 0, 0
		if x.Stage != y.Stage || x.Epoch != y.Epoch || x.TrainLoss != y.TrainLoss || x.TrainAccuracy != y.TrainAccuracy ||
			x.ValLoss != y.ValLoss || x.ValAccuracy != y.ValAccuracy || x.ValTop5 != y.ValTop5 || x.ValMacroF1 != y.ValMacroF1 ||
			x.LR != y.LR || x.Cached != y.Cached || len(x.Metrics) != len(y.Metrics) {
			return false
		}
		for k, v := range x.Metrics {
			if w, ok := y.Metrics[k]; !ok || v != w {
				return false
			}
		}
	}
	return true
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
