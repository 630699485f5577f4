package fit

import (
	"fmt"
	"math"
	"time"
)

// checkpoints is Config.Checkpoint as a hook: the training state is
// written at an interrupt, after every epoch (unless an earlier hook stopped
// the training there: the end writes it) and, when the last epoch's was not
// the final state, at the end, marked done.
func (r *runner) checkpoints() hook {
	return hook{name: "checkpoints",
		interrupt: func(p position) error { return r.checkpoint(p, false) },
		epoch: func(log EpochLog, stopping bool) (bool, error) {
			if stopping {
				return false, nil
			}
			r.final = log.Epoch == r.cfg.Epochs
			return false, r.checkpoint(position{epoch: log.Epoch}, r.final)
		},
		end: func(restored bool) error {
			if restored || r.h.Interrupted || r.final {
				return nil
			}
			return r.checkpoint(position{epoch: len(r.h.Epochs)}, true)
		},
	}
}

// checkpoint saves the weights to cfg.Checkpoint and the whole training
// state, at pos, to ResumePath(cfg.Checkpoint); done marks a training that
// has finished (a later Fit with the same key restores it and trains
// nothing).
func (r *runner) checkpoint(pos position, done bool) error {
	if r.cfg.Checkpoint == "" {
		return nil
	}
	rng, err := r.pcg.MarshalBinary()
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	st := resumeState{Key: r.key, Stage: r.cfg.Stage, Epochs: r.cfg.Epochs, Steps: r.stepsPerEpoch,
		Epoch: pos.epoch, Step: pos.step, Order: pos.order, LossSum: pos.lossSum, Correct: pos.correct, Seconds: pos.seconds,
		RNG: rng, ExtraOrder: r.extraOrder, ExtraPos: r.extraPos, Best: r.best, BestEpoch: r.bestEpoch, Done: done, History: r.h}
	best := r.bestWeights
	if r.bestEpoch == pos.epoch && pos.step == 0 {
		best = nil // the current weights
	}
	path := r.statePath()
	if err := saveState(r.m.Store, best, st, path); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := r.m.SaveWeights(r.cfg.Checkpoint); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// resume loads the training state of cfg.Checkpoint when it belongs to this
// training (the same key) and returns where to go on from; done says it had
// finished: the weights and history are then its final ones. Anything else
// (no file, another training's, unreadable) starts afresh, with a note
// when an unfinished training is set aside.
func (r *runner) resume() (pos position, done bool, err error) {
	if r.cfg.Checkpoint == "" {
		return position{}, false, nil
	}
	path := r.statePath()
	file, st, ok, err := readState(path)
	if err != nil {
		r.note("checkpoint %s cannot be resumed (%v): training from the start", path, err)
		return position{}, false, nil
	}
	if !ok {
		return position{}, false, nil
	}
	if st.Key != r.key {
		if !st.Done {
			r.note("checkpoint %s holds an unfinished training with other weights, data or settings (stage %q, %d of %d epochs): not resumed; this training starts from the beginning and replaces it",
				path, st.Stage, st.Epoch, st.Epochs)
		}
		return position{}, false, nil
	}
	if st.Epochs != r.cfg.Epochs || st.Steps != r.stepsPerEpoch || st.Epoch > st.Epochs || st.Step >= st.Steps ||
		(st.Order != nil && len(st.Order) != r.train.Len()) {
		r.note("checkpoint %s: position (epoch %d step %d of %d×%d) does not fit this training: training from the start", path, st.Epoch, st.Step, st.Epochs, st.Steps)
		return position{}, false, nil
	}
	best, err := bestWeights(file)
	if err != nil {
		r.note("checkpoint %s cannot be resumed (%v): training from the start", path, err)
		return position{}, false, nil
	}
	if err := restoreVariables(r.m.Store, file, st.Fixed); err != nil {
		r.note("checkpoint %s cannot be resumed (%v): training from the start", path, err)
		return position{}, false, nil
	}
	if err := r.pcg.UnmarshalBinary(st.RNG); err != nil {
		return position{}, false, fmt.Errorf("checkpoint %s: random state: %w (the weights are loaded: delete the file to start over)", path, err)
	}
	r.extraOrder, r.extraPos = st.ExtraOrder, st.ExtraPos
	r.best, r.bestEpoch, r.bestWeights = math.Inf(1), st.BestEpoch, best
	if st.BestEpoch > 0 {
		r.best = st.Best
		if best == nil { // the best were the weights saved
			if r.bestWeights, err = r.m.Values(); err != nil {
				return position{}, false, err
			}
		}
	}
	notes := r.h.Notes // of this Fit so far (the feature cache)
	r.h = st.History
	r.h.Notes = append(r.h.Notes, notes...)
	r.h.Interrupted = false
	r.h.Resumed = &Resumed{Stage: st.Stage, Epoch: st.Epoch, Epochs: st.Epochs, Step: st.Step, Steps: st.Steps, Done: st.Done, Checkpoint: path}
	r.note("%s", r.h.Resumed)
	return position{epoch: st.Epoch, step: st.Step, order: st.Order, lossSum: st.LossSum, correct: st.Correct,
		seconds: st.Seconds}, st.Done, nil
}

// statePath is where the training state lives.
func (r *runner) statePath() string {
	if r.cfg.stateFile != "" {
		return r.cfg.stateFile
	}
	return ResumePath(r.cfg.Checkpoint)
}

// elapsed is a start time that has already spent seconds.
func elapsed(seconds float64) time.Time {
	return time.Now().Add(-time.Duration(seconds * float64(time.Second)))
}
