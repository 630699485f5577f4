package fit

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// Stage is one step of a fine-tuning plan: which groups train, for how
// long, at which learning rates.
type Stage struct {
	Name string
	// Train lists the groups that train in this stage (names or globs); the
	// others are frozen. Empty trains every group.
	Train []string
	// TrainLast, when > 0, trains only the last n groups (instead of Train).
	TrainLast int
	Epochs    int
	// LR is the head's learning rate; with LRLow > 0 the trained groups get
	// rates spread geometrically from LRLow (first trained group) to LR (last),
	// fastai's slice(lo, hi).
	LR, LRLow float64
	Schedule  Schedule   // fit.Constant() (the zero value), fit.Cosine(warmup) or fit.OneCycle()
	BN        net.BNMode // BatchNorm mode of every group during this stage
}

// String describes the stage as declared.
func (s Stage) String() string {
	train := "all groups"
	switch {
	case s.TrainLast > 0:
		train = fmt.Sprintf("the last %d groups", s.TrainLast)
	case len(s.Train) > 0:
		train = strings.Join(s.Train, ", ")
	}
	lr := fmt.Sprintf("LR %g", s.LR)
	if s.LRLow > 0 {
		lr = fmt.Sprintf("LR %g..%g (geometric)", s.LRLow, s.LR)
	}
	return fmt.Sprintf("%s: train %s for %d epochs, %s, %s schedule, BatchNorm %s", s.Name, train, s.Epochs, lr, s.Schedule.Name(), s.BN)
}

// Plan is a sequence of stages, e.g. head only, then gradual unfreezing.
type Plan []Stage

// Apply sets the model's frozen groups, BatchNorm modes and learning-rate
// multipliers for the stage.
func (s Stage) Apply(m *net.Model) error {
	switch {
	case s.TrainLast > 0:
		if s.TrainLast > len(m.Groups) {
			return fmt.Errorf("stage %s: TrainLast %d, but model %s has %d groups", s.Name, s.TrainLast, m.Name, len(m.Groups))
		}
		if err := m.FreezeTo(len(m.Groups) - s.TrainLast); err != nil {
			return err
		}
	case len(s.Train) > 0:
		if err := m.Freeze(); err != nil {
			return err
		}
		if err := m.Unfreeze(s.Train...); err != nil {
			return fmt.Errorf("stage %s: %w", s.Name, err)
		}
	default:
		if err := m.Unfreeze(); err != nil {
			return err
		}
	}
	var trained []*net.Group
	for _, g := range m.Groups {
		g.BN = s.BN
		if !g.Frozen {
			trained = append(trained, g)
		}
	}
	mults := LRs(s.LRLow, s.LR, len(trained))
	for i, g := range trained {
		g.LRMult = 1
		if s.LRLow > 0 {
			g.LRMult = mults[i] / s.LR
		}
	}
	return nil
}

// FineTune runs the plan's stages in order on one model, each a Fit with
// cfg (Epochs, LR and Schedule taken from the stage): RunPlan with RunStage,
// nothing kept on disk but the checkpoints. The history marks where each
// stage begins and records the stage as declared. With cfg.Checkpoint,
// each stage keeps its training state in a file of its own
// (CHECKPOINT.resume-NN.safetensors): run again, finished stages are
// restored without training and an interrupted one resumes. runs.Run's
// FineTune (and tlx.FineTune) is the same loop with stages kept on disk.
func FineTune(m *net.Model, train *data.Dataset, plan Plan, cfg Config) (*History, error) {
	return RunPlan(plan, cfg, func(i int, stage Stage, cfg Config) (*History, error) {
		if cfg.Checkpoint != "" { // each stage keeps its state: finished ones restore, the interrupted one resumes
			ext := filepath.Ext(cfg.Checkpoint)
			cfg.stateFile = fmt.Sprintf("%s.resume-%02d%s", strings.TrimSuffix(cfg.Checkpoint, ext), i+1, ext)
		}
		return RunStage(m, train, stage, cfg)
	})
}

// StageFunc trains (or restores) stage i (0-based) of a plan with cfg and
// returns its history: RunStage, or a runs.Run's stage that restores a
// finished stage from disk.
type StageFunc func(i int, stage Stage, cfg Config) (*History, error)

// RunPlan is the stage loop behind every FineTune: it names unnamed stages
// "stageN", runs each through stage in order, appends their histories
// (renumbering epochs, marking stages) and stops after a stage that was
// interrupted or failed; the error names the stage.
func RunPlan(plan Plan, cfg Config, stage StageFunc) (*History, error) {
	h := &History{}
	for i, s := range plan {
		if s.Name == "" {
			s.Name = fmt.Sprintf("stage%d", i+1)
		}
		sh, err := stage(i, s, cfg)
		if sh != nil {
			h.Append(sh)
		}
		if err != nil {
			return h, fmt.Errorf("stage %s: %w", s.Name, err)
		}
		if sh == nil || sh.Interrupted {
			break
		}
	}
	return h, nil
}

// RunStage applies one stage and trains it.
func RunStage(m *net.Model, train *data.Dataset, stage Stage, cfg Config) (*History, error) {
	if stage.Epochs <= 0 || stage.LR <= 0 {
		return nil, fmt.Errorf("stage %s: Epochs %d and LR %g must be positive", stage.Name, stage.Epochs, stage.LR)
	}
	if stage.LRLow < 0 || (stage.LRLow > 0 && stage.LRLow > stage.LR) {
		return nil, fmt.Errorf("stage %s: LRLow %g must be between 0 and LR %g", stage.Name, stage.LRLow, stage.LR)
	}
	if err := stage.Apply(m); err != nil {
		return nil, err
	}
	cfg.Epochs, cfg.LR, cfg.Schedule, cfg.Stage = stage.Epochs, stage.LR, stage.Schedule, stage.Name
	h, err := Fit(m, train, cfg)
	if h != nil && len(h.Stages) > 0 {
		h.Stages[0].Plan = stage.String()
	}
	return h, err
}
