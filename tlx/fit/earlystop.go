package fit

// earlyStopping is Config.Patience as a hook: it keeps the weights of the
// best validation loss so far, stops when Patience epochs have not beaten
// it, and puts the best weights back at the end. Its state (r.best,
// r.bestEpoch, r.bestWeights) is part of a checkpoint.
func (r *runner) earlyStopping() hook {
	return hook{name: "early stopping",
		epoch: func(log EpochLog, stopping bool) (bool, error) {
			if r.cfg.Patience <= 0 || r.val == nil || stopping {
				return false, nil
			}
			if log.ValLoss < r.best {
				r.best, r.bestEpoch = log.ValLoss, log.Epoch
				var err error
				r.bestWeights, err = r.m.Values()
				return false, err
			}
			if log.Epoch-r.bestEpoch >= r.cfg.Patience {
				r.note("early stopping after epoch %d: validation loss has not improved since epoch %d", log.Epoch, r.bestEpoch)
				return true, nil
			}
			return false, nil
		},
		end: func(restored bool) error {
			if restored || r.bestWeights == nil || r.bestEpoch == len(r.h.Epochs) {
				return nil
			}
			if err := r.m.SetValues(r.bestWeights); err != nil {
				return err
			}
			r.note("restored the weights of epoch %d (best validation loss %.4f)", r.bestEpoch, r.best)
			r.final = false
			return nil
		},
	}
}
