package fit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// CacheMode says whether Fit may train on cached features of a frozen prefix.
type CacheMode int

const (
	CacheAuto CacheMode = iota // use it whenever it gives the same result
	CacheOff                   // always run the whole model
)

// Config configures Fit. Zero fields take the defaults in the comments.
type Config struct {
	Epochs    int       // default 1
	BatchSize int       // default 64
	LR        float64   // base learning rate, default 1e-3; each group's is LR × its multiplier
	Schedule  Schedule  // default Constant
	Optimizer Optimizer // default Adam
	Val       *data.Dataset
	Augment   Augment
	Patience  int    // stop after this many epochs without a better validation loss, restoring the best weights (0: off)
	Seed      uint64 // shuffling and augmentation
	Stage     string // label of these epochs in the history and on the curves

	// Penalty adds a term to the training loss, built in the training graph
	// (L2-SP, EWC: package retain). Its Key is part of the training's key.
	Penalty Penalty
	// Objective adds a term that sees the batch (see Objective): CORAL,
	// DANN, LwF. Extra is the unlabelled data it draws batches from
	// (shuffled, cycled). Either turns the feature cache off. The
	// objective's Key and Extra's fingerprint are part of the training's key.
	Objective Objective
	Extra     *data.Dataset
	// Tag is an extra label of the training, part of its key: runs key
	// finished stages by it too. Penalties and objectives name themselves
	// (their Key), so a Tag is not needed to tell them apart.
	Tag string

	// Devices, when 2 or more, trains data-parallel over that many devices
	// of the model's backend: each batch is split along its first axis, the
	// weights and optimizer state stay replicated, and XLA's partitioner
	// inserts the reductions, so a step computes what one device computes
	// for the whole batch (BatchNorm's statistics included), up to the order
	// of the sums. It needs a backend with that many devices (xla:cuda with
	// several GPUs; xla:cpu, whose PJRT plugin shows several host devices
	// that share the machine's cores: for testing, not for speed) and a
	// BatchSize that is a multiple of it. Evaluation and the feature
	// cache's prefix run on one device. 0 or 1: one device. It is not part
	// of the training's key: it changes how a step runs, not what it
	// computes. See docs/scaling.md.
	Devices int

	FeatureCache CacheMode
	CacheDir     string // where cached features live; default $TLX_CACHE/features or the user cache folder
	// PrefixBackend, when set, computes the cached features of the frozen
	// prefix on another backend (mixed execution: e.g. ONNX Runtime for the
	// frozen part, the Go backend for training the rest). The environment
	// variable TLX_PREFIX_BACKEND (e.g. "onnx:cpu", or "same") sets it for
	// a process; unset, a model training on the Go backend computes its
	// prefix on ONNX Runtime (engine.PrefixBackend), falling back to its
	// own backend if ONNX Runtime cannot run it.
	PrefixBackend compute.Backend

	// Checkpoint, when set, is a safetensors file rewritten (atomically)
	// with the model's weights after every epoch, when training is
	// interrupted (SIGINT) and when it ends. Next to it,
	// ResumePath(Checkpoint) keeps the whole training state: every variable
	// of the model's store (weights, BatchNorm statistics, the optimizer's
	// moments and step count, the graph RNG), the loop's position (epoch,
	// step, the epoch's example order, the shuffling RNG, the learning-rate
	// schedule's step) and the history so far. A Fit whose training has the
	// same key (see ResumeKey) continues from there instead of starting
	// over: a crash or a killed process loses at most the epoch in progress,
	// an interrupt nothing; a finished training is restored without training.
	Checkpoint string
	// ResumeKey names the training a checkpoint belongs to (runs use the
	// stage's key). Empty: Fit hashes the starting weights and the data.
	// Either way the key also covers the settings Fit sees (epochs, batch
	// size, learning rate and schedule, optimizer, seed, augmentation, the
	// groups' frozen flags, multipliers and BatchNorm modes): a checkpoint
	// with another key is not resumed but replaced.
	ResumeKey string

	// Callbacks observe the training (see Callback): progress bars, live
	// curves, a stop of one's own.
	Callbacks []Callback

	// Monitors are evaluated after every epoch and recorded in
	// EpochLog.Metrics under their names: e.g. the source task's accuracy,
	// to watch forgetting while fine-tuning on a target.
	Monitors map[string]func() (float64, error)

	stateFile string // the training-state file, when not ResumePath(Checkpoint) (FineTune: one per stage)
}

func (c Config) withDefaults() (Config, error) {
	if c.Epochs == 0 {
		c.Epochs = 1
	}
	if c.BatchSize == 0 {
		c.BatchSize = 64
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Epochs < 0 || c.BatchSize < 0 || c.LR < 0 || c.Patience < 0 {
		return c, fmt.Errorf("fit.Config: Epochs %d, BatchSize %d, LR %g, Patience %d: want non-negative values", c.Epochs, c.BatchSize, c.LR, c.Patience)
	}
	var err error
	c.Optimizer, err = c.Optimizer.withDefaults()
	return c, err
}

// check validates a Fit's model, data and settings before anything trains
// (cfg with its defaults), and clamps the batch to the training set.
func (c *Config) check(m *net.Model, train *data.Dataset) error {
	if err := checkData(m, train, "training"); err != nil {
		return err
	}
	if c.Val != nil {
		if err := checkData(m, c.Val, "validation"); err != nil {
			return err
		}
	}
	if c.Extra != nil {
		if c.Objective == nil {
			return fmt.Errorf("fit.Config: Extra data without an Objective to use it")
		}
		if err := checkData(m, c.Extra, "extra (Config.Extra)"); err != nil {
			return err
		}
	}
	if c.Objective != nil && m.FeatureGroup() == "" {
		return fmt.Errorf("model %s: an Objective needs a feature group before the head (groups: %s)", m.Name, strings.Join(m.GroupNames(), ", "))
	}
	if train.Len() < c.BatchSize {
		c.BatchSize = train.Len()
	}
	if c.Devices > 1 {
		return checkDevices(m, c.Devices, c.BatchSize)
	}
	return nil
}

// checkTrainable says what is wrong with the model's groups for training
// (after ApplyTrainable): none trains, or one trains at a rate multiplier
// that is not positive.
func checkTrainable(m *net.Model) error {
	if !slices.ContainsFunc(m.Groups, func(g *net.Group) bool { return !g.Frozen }) {
		return fmt.Errorf("model %s: every group is frozen: Unfreeze some (groups: %s)", m.Name, strings.Join(m.GroupNames(), ", "))
	}
	return checkLRMults(m)
}

// checkLRMults rejects a trained group whose learning-rate multiplier is
// not positive (net.Group.LRMult is 1 when a group is made; 0 is no longer
// read as 1).
func checkLRMults(m *net.Model) error {
	for _, g := range m.Groups {
		if !g.Frozen && !(g.LRMult > 0) {
			return fmt.Errorf("model %s: group %s trains with learning-rate multiplier %g: want > 0 (SetLRMults, or Freeze the group)", m.Name, g.Name, g.LRMult)
		}
	}
	return nil
}

func checkData(m *net.Model, d *data.Dataset, what string) error {
	if d == nil {
		return fmt.Errorf("no %s data", what)
	}
	if err := d.Check(); err != nil {
		return fmt.Errorf("%s data: %w", what, err)
	}
	if !slices.Equal(d.Shape, m.InputShape) {
		return fmt.Errorf("%s data %q has examples of shape %v, model %s wants %v (use Resize/ToRGB)", what, d.Name, d.Shape, m.Name, m.InputShape)
	}
	shapes, err := m.Init()
	if err != nil {
		return err
	}
	out := shapes[len(shapes)-1]
	if len(out) != 2 || out[1] != len(d.Classes) {
		return fmt.Errorf("model %s outputs %v per batch but the %s data has %d classes: call ReplaceHead(%d)", m.Name, out, what, len(d.Classes), len(d.Classes))
	}
	return nil
}
