package tlx

import (
	"fmt"

	"github.com/tlx-go/tlx/tlx/fit"
)

// FineTunePlan is fastai's fine_tune recipe as a plan: one epoch training
// only the head (frozen body: the feature cache serves it) at lr with a
// one-cycle schedule, then epochs with every group trained, learning rates
// spread geometrically from lr/100 (first group) to lr (head), one-cycle.
// (fastai also halves lr for the second stage; here lr is the head's rate
// in both, as written.)
func FineTunePlan(epochs int, lr float64) fit.Plan {
	return fit.Plan{
		{Name: "frozen", TrainLast: 1, Epochs: 1, LR: lr, Schedule: fit.OneCycle()},
		{Name: "unfrozen", Epochs: epochs, LR: lr, LRLow: lr / 100, Schedule: fit.OneCycle()},
	}
}

// Fit trains the learner's model through plan as its named run (tlx.FineTune:
// a stage that already finished with the same inputs is restored instead of
// trained, live progress and curves), appends the epochs to l.History and
// saves the learner.
func (l *Learner) Fit(plan fit.Plan) error {
	if l.Train == nil {
		return fmt.Errorf("learner %s has no training data (it was too large to store, or OpenLearner could not read it): set l.Train", l.Name)
	}
	cfg := l.Config
	cfg.Val = l.Val
	h, err := FineTune(l.Name, l.Model, l.Train, plan, cfg)
	if h != nil {
		l.History.Append(h)
	}
	if err != nil {
		return fmt.Errorf("learner %s: %w", l.Name, err)
	}
	return l.Save()
}

// FineTune is fastai's default transfer-learning recipe (FineTunePlan):
// one frozen epoch for the new head, then epochs with everything unfrozen
// at discriminative rates lr/100..lr.
func (l *Learner) FineTune(epochs int, lr float64) error {
	return l.Fit(FineTunePlan(epochs, lr))
}

// FitOneCycle trains the groups that are trainable now (see Freeze,
// Unfreeze, FreezeTo) for epochs with a one-cycle schedule: the last
// trainable group at lr, and with lrLow > 0 the earlier ones spread
// geometrically down to lrLow (fastai's fit_one_cycle with slice(lrLow, lr)).
func (l *Learner) FitOneCycle(epochs int, lr, lrLow float64) error {
	var train []string
	for _, g := range l.Model.Groups {
		if !g.Frozen {
			train = append(train, g.Name)
		}
	}
	if len(train) == 0 {
		return fmt.Errorf("learner %s: every group is frozen: Unfreeze some before FitOneCycle", l.Name)
	}
	if len(train) == len(l.Model.Groups) {
		train = nil // all groups
	}
	name := fmt.Sprintf("onecycle%d", len(l.History.Stages)+1)
	return l.Fit(fit.Plan{{Name: name, Train: train, Epochs: epochs, LR: lr, LRLow: lrLow, Schedule: fit.OneCycle()}})
}

// LRFind runs the learning-rate finder on the trainable groups (tlx.LRFind:
// shows the plot, leaves the weights as they were) and returns the
// suggested rate.
func (l *Learner) LRFind() (float64, error) {
	if l.Train == nil {
		return 0, fmt.Errorf("learner %s has no training data: set l.Train", l.Name)
	}
	return LRFind(l.Model, l.Train, l.Config)
}

// Freeze stops training the groups matching the patterns (every group
// when none is given) and saves the learner.
func (l *Learner) Freeze(patterns ...string) error {
	if err := l.Model.Freeze(patterns...); err != nil {
		return err
	}
	return l.Save()
}

// Unfreeze trains the groups matching the patterns again (every group when
// none is given) and saves the learner.
func (l *Learner) Unfreeze(patterns ...string) error {
	if err := l.Model.Unfreeze(patterns...); err != nil {
		return err
	}
	return l.Save()
}

// FreezeTo freezes the first n groups and trains the rest (negative n
// counts from the end), as fastai's freeze_to, and saves the learner.
func (l *Learner) FreezeTo(n int) error {
	if err := l.Model.FreezeTo(n); err != nil {
		return err
	}
	return l.Save()
}
