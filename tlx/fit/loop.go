package fit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// Fit trains m on train for cfg.Epochs, evaluating on cfg.Val after each
// epoch. Frozen groups keep their weights bit for bit.
//
// The loop runs the steps and epochs; everything else is a hook on it, in
// this order: the manifest (when Fit begins), the monitors (completing
// each epoch's log), early stopping, checkpoints, then the Callbacks.
func Fit(m *net.Model, train *data.Dataset, cfg Config) (*History, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := cfg.check(m, train); err != nil {
		return nil, err
	}
	m.ApplyTrainable()
	if err := checkTrainable(m); err != nil {
		return nil, err
	}
	backend, err := m.Backend()
	if err != nil {
		return nil, err
	}
	r := &runner{m: m, cfg: cfg, backend: backend, h: &History{}}
	r.hooks = []hook{r.manifestHook(train), r.monitors(), r.earlyStopping(), r.checkpoints(), r.callbacks()}
	if err := r.begin(); err != nil {
		return nil, err
	}
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

// runner is one Fit call.
type runner struct {
	m       *net.Model
	cfg     Config
	backend compute.Backend
	h       *History
	hooks   []hook

	after         string // the cached prefix ends with this group ("" when not cached)
	train, val    *data.Dataset
	trainStep     *model.Exec
	evalLogits    *model.Exec
	stepsPerEpoch int

	extraOrder []int // Config.Extra's shuffled order and the next position in it
	extraPos   int

	key         string    // the training's checkpoint key
	pcg         *rand.PCG // shuffling and augmentation
	final       bool      // the last checkpoint written holds the finished training
	best        float64   // early stopping: best validation loss so far
	bestEpoch   int
	bestWeights map[string]*tensors.Tensor
}

// note records a note in the history and tells the callbacks.
func (r *runner) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	r.h.Notes = append(r.h.Notes, n)
	for _, cb := range r.cfg.Callbacks {
		if cb.OnNote != nil {
			cb.OnNote(n)
		}
	}
}

// inputShape is the shape the trained part reads.
func (r *runner) inputShape() []int { return r.train.Shape }

func (r *runner) build() error {
	var err error
	if r.trainStep, err = newTrainExec(r.m, r.after, r.cfg.Optimizer, r.cfg.Penalty, r.cfg.Objective, r.cfg.Extra != nil); err != nil {
		return err
	}
	if r.cfg.Devices > 1 {
		inputs := 3 // x, y, indices (stepInputs), and Extra's batch
		if r.cfg.Extra != nil {
			inputs++
		}
		if err := shardOverDevices(r.trainStep, r.cfg.Devices, inputs, 3); err != nil {
			return err
		}
	}
	if r.evalLogits, err = r.m.RangeExec(r.after, ""); err != nil {
		return fmt.Errorf("building the evaluation step: %w", err)
	}
	return nil
}

// run is the loop: from where a checkpoint left off (or the start), epochs
// of shuffled steps until the last epoch, an interrupt or a hook's stop.
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
		return r.h, r.end(true)
	}
	r.start()
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	defer signal.Stop(interrupt)

	step := from.epoch*r.stepsPerEpoch + from.step
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
				if err := r.interrupted(p); err != nil {
					return r.h, err
				}
				break epochs
			default:
			}
			lr = cfg.LR * cfg.Schedule.At(step, total)
			l, err := r.trainOn(p.order[s*cfg.BatchSize:(s+1)*cfg.BatchSize], lr, rng, epoch, s)
			if err != nil {
				return r.h, err
			}
			p.lossSum += l.loss
			p.correct += l.correct
			step++
			r.stepped(epoch, s+1, r.stepsPerEpoch, l.loss)
		}
		log, err := r.epochLog(epoch, lr, p)
		if err != nil {
			return r.h, err
		}
		if err := r.record(&log); err != nil {
			return r.h, err
		}
		log.Seconds = time.Since(start).Seconds()
		r.h.Epochs = append(r.h.Epochs, log)
		if stop, err := r.epochDone(log); err != nil {
			return r.h, err
		} else if stop {
			break
		}
	}
	if r.cfg.Devices > 1 {
		r.note("data-parallel: each training step ran on %d devices (Config.Devices %d)", r.trainStep.NumDevices(), r.cfg.Devices)
	}
	return r.h, r.end(false)
}

// stepResult is what one training step gives back.
type stepResult struct{ loss, correct float64 }

// trainOn runs one training step on the examples idx at learning rate lr
// (step s of epoch, for errors).
func (r *runner) trainOn(idx []int, lr float64, rng *rand.Rand, epoch, s int) (stepResult, error) {
	args, err := r.stepInputs(idx, rng)
	if err != nil {
		return stepResult{}, fmt.Errorf("training step %d of epoch %d: %w", s+1, epoch, err)
	}
	if r.cfg.Devices > 1 {
		if args, err = splitOverDevices(args, r.cfg.Devices); err != nil {
			return stepResult{}, fmt.Errorf("training step %d of epoch %d: %w", s+1, epoch, err)
		}
	}
	if err := setLR(r.m.Store, lr); err != nil {
		return stepResult{}, err
	}
	var outs []*tensors.Tensor
	if err := exceptions.TryCatch[error](func() { outs = r.trainStep.MustCall(args...) }); err != nil {
		return stepResult{}, fmt.Errorf("training step %d of epoch %d: %w", s+1, epoch, err)
	}
	if objective := scalar(outs[2]); math.IsNaN(objective) || math.IsInf(objective, 0) {
		return stepResult{}, fmt.Errorf("training loss became %v at epoch %d step %d (learning rate %.3g): lower the learning rate or check the data and penalties", objective, epoch, s+1, lr)
	}
	return stepResult{loss: scalar(outs[0]), correct: scalar(outs[1])}, nil
}
