package fit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/manifest"
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

	FeatureCache CacheMode
	CacheDir     string // where cached features live; default $TLX_CACHE/features or the user cache folder
	// PrefixBackend, when set, computes the cached features of the frozen
	// prefix on another backend (mixed execution: e.g. ONNX Runtime for the
	// frozen part, the Go backend for training the rest). The environment
	// variable TLX_PREFIX_BACKEND (e.g. "onnx:cpu") sets it for a process.
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

	Callbacks []Callback

	// Monitors are evaluated after every epoch and recorded in
	// EpochLog.Metrics under their names: e.g. the source task's accuracy,
	// to watch forgetting while fine-tuning on a target.
	Monitors map[string]func() (float64, error)

	stateFile string // the training-state file, when not ResumePath(Checkpoint) (FineTune: one per stage)
}

// Callback observes training. Any field may be nil. An OnEpoch that
// returns ErrStop ends training after that epoch.
type Callback struct {
	OnStart func(cfg Config, stepsPerEpoch int)
	OnStep  func(epoch, step, steps int, loss float64)
	OnEpoch func(log EpochLog, h *History) error
	OnNote  func(note string)
	OnEnd   func(h *History)
}

// ErrStop ends training from a callback.
var ErrStop = errors.New("stop training")

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

// Fit trains m on train for cfg.Epochs, evaluating on cfg.Val after each
// epoch. Frozen groups keep their weights bit for bit.
func Fit(m *net.Model, train *data.Dataset, cfg Config) (*History, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkData(m, train, "training"); err != nil {
		return nil, err
	}
	if cfg.Val != nil {
		if err := checkData(m, cfg.Val, "validation"); err != nil {
			return nil, err
		}
	}
	if cfg.Extra != nil {
		if cfg.Objective == nil {
			return nil, fmt.Errorf("fit.Config: Extra data without an Objective to use it")
		}
		if err := checkData(m, cfg.Extra, "extra (Config.Extra)"); err != nil {
			return nil, err
		}
	}
	if cfg.Objective != nil && m.FeatureGroup() == "" {
		return nil, fmt.Errorf("model %s: an Objective needs a feature group before the head (groups: %s)", m.Name, strings.Join(m.GroupNames(), ", "))
	}
	if train.Len() < cfg.BatchSize {
		cfg.BatchSize = train.Len()
	}
	if manifest.Enabled() { // fingerprints hash every value: only for a report
		manifest.Record("data", "training data "+train.Name, train.Fingerprint())
		if cfg.Val != nil {
			manifest.Record("data", "validation data "+cfg.Val.Name, cfg.Val.Fingerprint())
		}
		manifest.Record("seed", "fit seed (shuffling, augmentation)", fmt.Sprint(cfg.Seed))
		manifest.Record("seed", "model "+m.Name+" initialisation seed", fmt.Sprint(m.Seed))
	}
	m.ApplyTrainable()
	trainable := slices.ContainsFunc(m.Groups, func(g *net.Group) bool { return !g.Frozen })
	if !trainable {
		return nil, fmt.Errorf("model %s: every group is frozen: Unfreeze some (groups: %s)", m.Name, strings.Join(m.GroupNames(), ", "))
	}
	if err := checkLRMults(m); err != nil {
		return nil, err
	}
	backend, err := m.Backend()
	if err != nil {
		return nil, err
	}
	if cfg.PrefixBackend == nil {
		if name := os.Getenv("TLX_PREFIX_BACKEND"); name != "" {
			b, notice, err := engine.Start(name)
			if err != nil {
				return nil, err
			}
			if notice != "" {
				return nil, fmt.Errorf("TLX_PREFIX_BACKEND: %s", notice)
			}
			cfg.PrefixBackend = b
			defer b.Finalize()
		}
	}
	r := &runner{m: m, cfg: cfg, backend: backend, h: &History{}}
	if cfg.Stage != "" {
		r.h.Stages = []StageMark{{Name: cfg.Stage, FirstEpoch: 1}}
	}
	if cfg.Checkpoint != "" {
		if r.key, err = resumeKey(m, train, cfg); err != nil {
			return nil, err
		}
	}
	if err := r.prepareInputs(train); err != nil {
		return nil, err
	}
	if err := resetState(m.Store); err != nil {
		return nil, err
	}
	return r.run()
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

// runner is one Fit call.
type runner struct {
	m       *net.Model
	cfg     Config
	backend compute.Backend
	h       *History

	after         string // the cached prefix ends with this group ("" when not cached)
	train, val    *data.Dataset
	trainStep     *model.Exec
	evalLogits    *model.Exec
	stepsPerEpoch int

	extraOrder []int // Config.Extra's shuffled order and the next position in it
	extraPos   int

	key         string    // the training's checkpoint key
	pcg         *rand.PCG // shuffling and augmentation
	best        float64   // best validation loss so far (Patience)
	bestEpoch   int
	bestWeights map[string]*tensors.Tensor
}

func (r *runner) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	r.h.Notes = append(r.h.Notes, n)
	for _, cb := range r.cfg.Callbacks {
		if cb.OnNote != nil {
			cb.OnNote(n)
		}
	}
}

// prepareInputs decides on the feature cache and sets r.train / r.val to
// what the trained part of the model reads.
func (r *runner) prepareInputs(train *data.Dataset) error {
	r.train, r.val = train, r.cfg.Val
	prefix, reason := cachablePrefix(r.m, r.cfg)
	if prefix == "" {
		if reason != "" {
			r.note("feature cache off: %s", reason)
		}
		return nil
	}
	start := time.Now()
	tf, hit, err := cachedFeatures(r.m, prefix, train, r.cfg)
	if err != nil {
		return err
	}
	var vf *data.Dataset
	if r.val != nil {
		var vhit bool
		if vf, vhit, err = cachedFeatures(r.m, prefix, r.val, r.cfg); err != nil {
			return err
		}
		hit = hit && vhit
	}
	r.after, r.train, r.val = prefix, tf, vf
	state := "computed and saved"
	if hit {
		state = "loaded from disk"
	}
	on := ""
	if r.cfg.PrefixBackend != nil && !hit {
		on = " on " + r.cfg.PrefixBackend.Name()
	}
	r.note("feature cache on: groups up to %s are frozen, so their outputs (%v per example) were %s%s in %.1fs; training the rest on them",
		prefix, tf.Shape, state, on, time.Since(start).Seconds())
	return nil
}

// inputShape is the shape the trained part reads.
func (r *runner) inputShape() []int { return r.train.Shape }

func (r *runner) build() error {
	var err error
	if r.trainStep, err = newTrainExec(r.m, r.after, r.cfg.Optimizer, r.cfg.Penalty, r.cfg.Objective, r.cfg.Extra != nil); err != nil {
		return err
	}
	if r.evalLogits, err = r.m.RangeExec(r.after, ""); err != nil {
		return fmt.Errorf("building the evaluation step: %w", err)
	}
	return nil
}

func (r *runner) run() (*History, error) {
	if err := r.build(); err != nil {
		return nil, err
	}
	defer r.trainStep.Finalize()
	cfg := r.cfg
	r.stepsPerEpoch = r.train.Len() / cfg.BatchSize
	total := r.stepsPerEpoch * cfg.Epochs
	r.pcg = rand.NewPCG(cfg.Seed, 0xf17)
	rng := rand.New(r.pcg)
	r.best = math.Inf(1)
	from, done, err := r.resume()
	if err != nil {
		return r.h, err
	}
	if done {
		r.callEnd()
		return r.h, nil
	}
	for _, cb := range cfg.Callbacks {
		if cb.OnStart != nil {
			cb.OnStart(cfg, r.stepsPerEpoch)
		}
	}
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	defer signal.Stop(interrupt)

	step := from.epoch*r.stepsPerEpoch + from.step
	final := false // the last checkpoint written is the finished training's
epochs:
	for epoch := from.epoch + 1; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		p := position{epoch: epoch - 1}
		if epoch == from.epoch+1 && from.order != nil { // resumed mid-epoch
			p, start = from, elapsed(from.seconds)
		} else {
			p.order = rng.Perm(r.train.Len())
		}
		var lr float64
		for s := p.step; s < r.stepsPerEpoch; s++ {
			select {
			case <-interrupt:
				r.h.Interrupted = true
				r.note("interrupted at epoch %d step %d: weights are those after the last completed step", epoch, s)
				p.step, p.seconds = s, time.Since(start).Seconds()
				if err := r.checkpoint(p, false); err != nil {
					return r.h, err
				}
				break epochs
			default:
			}
			idx := p.order[s*cfg.BatchSize : (s+1)*cfg.BatchSize]
			args := r.stepInputs(idx, rng)
			lr = cfg.LR * cfg.Schedule.At(step, total)
			if err := setLR(r.m.Store, lr); err != nil {
				return r.h, err
			}
			var outs []*tensors.Tensor
			if err := exceptions.TryCatch[error](func() { outs = r.trainStep.MustCall(args...) }); err != nil {
				return r.h, fmt.Errorf("training step %d of epoch %d: %w", s+1, epoch, err)
			}
			l := scalar(outs[0])
			if objective := scalar(outs[2]); math.IsNaN(objective) || math.IsInf(objective, 0) {
				return r.h, fmt.Errorf("training loss became %v at epoch %d step %d (learning rate %.3g): lower the learning rate or check the data and penalties", objective, epoch, s+1, lr)
			}
			p.lossSum += l
			p.correct += scalar(outs[1])
			step++
			for _, cb := range cfg.Callbacks {
				if cb.OnStep != nil {
					cb.OnStep(epoch, s+1, r.stepsPerEpoch, l)
				}
			}
		}
		log, err := r.epochLog(epoch, lr, p)
		if err != nil {
			return r.h, err
		}
		log.Seconds = time.Since(start).Seconds()
		r.h.Epochs = append(r.h.Epochs, log)
		if cfg.Patience > 0 && r.val != nil {
			if log.ValLoss < r.best {
				r.best, r.bestEpoch = log.ValLoss, epoch
				if r.bestWeights, err = r.m.Values(); err != nil {
					return r.h, err
				}
			} else if epoch-r.bestEpoch >= cfg.Patience {
				r.note("early stopping after epoch %d: validation loss has not improved since epoch %d", epoch, r.bestEpoch)
				for _, cb := range cfg.Callbacks {
					if cb.OnEpoch != nil {
						_ = cb.OnEpoch(log, r.h)
					}
				}
				break
			}
		}
		final = epoch == cfg.Epochs
		if err := r.checkpoint(position{epoch: epoch}, final); err != nil {
			return r.h, err
		}
		stop := false
		for _, cb := range cfg.Callbacks {
			if cb.OnEpoch != nil {
				if err := cb.OnEpoch(log, r.h); errors.Is(err, ErrStop) {
					stop = true
				} else if err != nil {
					return r.h, err
				}
			}
		}
		if stop {
			r.note("stopped by a callback after epoch %d", epoch)
			final = false
			break
		}
	}
	if r.bestWeights != nil && r.bestEpoch != len(r.h.Epochs) {
		if err := r.m.SetValues(r.bestWeights); err != nil {
			return r.h, err
		}
		r.note("restored the weights of epoch %d (best validation loss %.4f)", r.bestEpoch, r.best)
		final = false
	}
	if !r.h.Interrupted && !final {
		if err := r.checkpoint(position{epoch: len(r.h.Epochs)}, true); err != nil {
			return r.h, err
		}
	}
	r.callEnd()
	return r.h, nil
}

// epochLog is the record of the epoch that has just finished at p: the
// training sums, the validation scores and the monitors.
func (r *runner) epochLog(epoch int, lr float64, p position) (EpochLog, error) {
	cfg := r.cfg
	log := EpochLog{Stage: cfg.Stage, Epoch: epoch, LR: lr, Cached: r.after != "",
		TrainLoss: p.lossSum / float64(r.stepsPerEpoch), TrainAccuracy: p.correct / float64(r.stepsPerEpoch*cfg.BatchSize)}
	if r.val != nil {
		sc, err := r.score(r.val)
		if err != nil {
			return log, err
		}
		log.ValLoss, log.ValAccuracy, log.ValTop5, log.ValMacroF1 = sc.Loss, sc.Accuracy, sc.Top5, sc.MacroF1
	}
	for name, monitor := range cfg.Monitors {
		v, err := monitor()
		if err != nil {
			return log, fmt.Errorf("monitor %s after epoch %d: %w", name, epoch, err)
		}
		if log.Metrics == nil {
			log.Metrics = map[string]float64{}
		}
		log.Metrics[name] = v
	}
	return log, nil
}

func (r *runner) callEnd() {
	for _, cb := range r.cfg.Callbacks {
		if cb.OnEnd != nil {
			cb.OnEnd(r.h)
		}
	}
}
