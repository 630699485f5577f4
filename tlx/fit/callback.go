package fit

import "errors"

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

// callbacks attaches Config.Callbacks to the loop (their OnNote is called
// by runner.note). They run last: they see the epoch after the
// checkpoint is written, and the history after the best weights are back.
func (r *runner) callbacks() hook {
	cbs := r.cfg.Callbacks
	return hook{name: "callbacks",
		start: func() {
			for _, cb := range cbs {
				if cb.OnStart != nil {
					cb.OnStart(r.cfg, r.stepsPerEpoch)
				}
			}
		},
		step: func(epoch, step, steps int, loss float64) {
			for _, cb := range cbs {
				if cb.OnStep != nil {
					cb.OnStep(epoch, step, steps, loss)
				}
			}
		},
		epoch: func(log EpochLog, stopping bool) (bool, error) {
			stop := false
			for _, cb := range cbs {
				if cb.OnEpoch == nil {
					continue
				}
				err := cb.OnEpoch(log, r.h)
				switch {
				case stopping: // training ends anyway: the callback only reports the epoch
				case errors.Is(err, ErrStop):
					stop = true
				case err != nil:
					return false, err
				}
			}
			if stop {
				r.note("stopped by a callback after epoch %d", log.Epoch)
				r.final = false
			}
			return stop, nil
		},
		end: func(bool) error {
			for _, cb := range cbs {
				if cb.OnEnd != nil {
					cb.OnEnd(r.h)
				}
			}
			return nil
		},
	}
}
