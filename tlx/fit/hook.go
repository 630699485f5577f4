package fit

// A hook is one behaviour attached to Fit's loop, the way GoMLX's
// train.Loop takes OnStart/OnStep/OnEnd hooks and fastai's Learner its
// callbacks: the manifest, the monitors, early stopping, checkpoints and
// the user's Callbacks are each one (see Fit's hooks for their order). The
// loop itself only runs steps and epochs; every phase a hook leaves nil
// is skipped.
type hook struct {
	name string
	// begin runs when Fit begins, before a checkpoint is looked at.
	begin func() error
	// start runs before the first step (not when a finished training is
	// restored).
	start func()
	// step runs after each training step.
	step func(epoch, step, steps int, loss float64)
	// interrupt runs when an interrupt stops the loop mid-epoch at p.
	interrupt func(p position) error
	// record completes an epoch's log before it enters the history.
	record func(log *EpochLog) error
	// epoch runs after the epoch's log entered the history; stop ends the
	// training after it. stopping says an earlier hook ended it already
	// (the later hooks still see the epoch, to report it).
	epoch func(log EpochLog, stopping bool) (stop bool, err error)
	// end runs once when the loop is over. restored says a finished
	// training was restored from its checkpoint and nothing trained.
	end func(restored bool) error
}

// begin runs every hook's begin phase, in order.
func (r *runner) begin() error {
	for _, h := range r.hooks {
		if h.begin != nil {
			if err := h.begin(); err != nil {
				return err
			}
		}
	}
	return nil
}

// start runs every hook's start phase.
func (r *runner) start() {
	for _, h := range r.hooks {
		if h.start != nil {
			h.start()
		}
	}
}

// stepped runs every hook's step phase.
func (r *runner) stepped(epoch, step, steps int, loss float64) {
	for _, h := range r.hooks {
		if h.step != nil {
			h.step(epoch, step, steps, loss)
		}
	}
}

// interrupted runs every hook's interrupt phase.
func (r *runner) interrupted(p position) error {
	for _, h := range r.hooks {
		if h.interrupt != nil {
			if err := h.interrupt(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// record runs every hook's record phase on the epoch's log.
func (r *runner) record(log *EpochLog) error {
	for _, h := range r.hooks {
		if h.record != nil {
			if err := h.record(log); err != nil {
				return err
			}
		}
	}
	return nil
}

// epochDone runs every hook's epoch phase and says whether one stopped
// the training.
func (r *runner) epochDone(log EpochLog) (stop bool, err error) {
	for _, h := range r.hooks {
		if h.epoch != nil {
			s, err := h.epoch(log, stop)
			if err != nil {
				return stop, err
			}
			stop = stop || s
		}
	}
	return stop, nil
}

// end runs every hook's end phase.
func (r *runner) end(restored bool) error {
	for _, h := range r.hooks {
		if h.end != nil {
			if err := h.end(restored); err != nil {
				return err
			}
		}
	}
	return nil
}
