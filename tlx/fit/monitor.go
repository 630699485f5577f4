package fit

import "fmt"

// monitors is Config.Monitors as a hook: after each epoch's validation,
// each monitor's value goes into EpochLog.Metrics under its name.
func (r *runner) monitors() hook {
	return hook{name: "monitors",
		record: func(log *EpochLog) error {
			for name, monitor := range r.cfg.Monitors {
				v, err := monitor()
				if err != nil {
					return fmt.Errorf("monitor %s after epoch %d: %w", name, log.Epoch, err)
				}
				if log.Metrics == nil {
					log.Metrics = map[string]float64{}
				}
				log.Metrics[name] = v
			}
			return nil
		},
	}
}
