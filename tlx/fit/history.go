package fit

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// EpochLog is one epoch's record.
type EpochLog struct {
	Stage         string  `json:"stage,omitempty"`
	Epoch         int     `json:"epoch"` // 1-based, counted across stages of a History
	TrainLoss     float64 `json:"train_loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
	ValLoss       float64 `json:"val_loss"`
	ValAccuracy   float64 `json:"val_accuracy"`
	ValTop5       float64 `json:"val_top5"`
	ValMacroF1    float64 `json:"val_macro_f1"`
	LR            float64 `json:"lr"` // base learning rate at the epoch's end
	Seconds       float64 `json:"seconds"`
	Cached        bool    `json:"cached,omitempty"` // trained on cached features
	// Metrics holds the values of Config.Monitors after the epoch.
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// StageMark marks where a stage begins in a History.
type StageMark struct {
	Name       string `json:"name"`
	FirstEpoch int    `json:"first_epoch"`
	Plan       string `json:"plan,omitempty"` // the stage as declared
}

// History is the record of training, possibly over several stages.
type History struct {
	Epochs      []EpochLog  `json:"epochs"`
	Stages      []StageMark `json:"stages,omitempty"`
	Notes       []string    `json:"notes,omitempty"`
	Interrupted bool        `json:"interrupted,omitempty"`
	// Resumed says where training continued from a checkpoint of an
	// interrupted run (nil when it started afresh): see Config.Checkpoint.
	Resumed *Resumed `json:"resumed,omitempty"`
}

// Resumed is where a Fit took up an interrupted training again.
type Resumed struct {
	Stage      string `json:"stage,omitempty"`
	Epoch      int    `json:"epoch"`          // epochs finished in the checkpoint
	Epochs     int    `json:"epochs"`         // of the Fit's
	Step       int    `json:"step,omitempty"` // steps of the next epoch finished (after a stop mid-epoch)
	Steps      int    `json:"steps"`          // per epoch
	Done       bool   `json:"done,omitempty"` // the checkpoint's training had finished: nothing trained
	Checkpoint string `json:"checkpoint"`
}

// String says where training resumed, as Fit notes it: e.g. "resumed stage
// all after epoch 2 of 4 (/runs/x/checkpoint.resume.safetensors)".
func (r Resumed) String() string {
	stage := ""
	if r.Stage != "" {
		stage = " stage " + r.Stage
	}
	if r.Done {
		return fmt.Sprintf("resumed%s from %s: it had finished (%d of %d epochs), nothing left to train", stage, r.Checkpoint, r.Epoch, r.Epochs)
	}
	at := fmt.Sprintf("after epoch %d of %d", r.Epoch, r.Epochs)
	if r.Step > 0 {
		at = fmt.Sprintf("in epoch %d of %d after step %d of %d", r.Epoch+1, r.Epochs, r.Step, r.Steps)
	}
	return fmt.Sprintf("resumed%s %s (%s)", stage, at, r.Checkpoint)
}

// Append adds another history's epochs after this one's, renumbering them.
func (h *History) Append(o *History) {
	offset := len(h.Epochs)
	for _, s := range o.Stages {
		s.FirstEpoch += offset
		h.Stages = append(h.Stages, s)
	}
	for _, e := range o.Epochs {
		e.Epoch += offset
		h.Epochs = append(h.Epochs, e)
	}
	h.Notes = append(h.Notes, o.Notes...)
	h.Interrupted = h.Interrupted || o.Interrupted
	if o.Resumed != nil {
		h.Resumed = o.Resumed
	}
}

// Metric names of Series besides the monitors' (Config.Monitors).
const (
	MetricTrainLoss     = "train_loss"
	MetricValLoss       = "val_loss"
	MetricTrainAccuracy = "train_accuracy"
	MetricValAccuracy   = "val_accuracy"
	MetricValTop5       = "val_top5"
	MetricValMacroF1    = "val_macro_f1"
	MetricLR            = "lr"
)

// metrics lists the built-in metrics of an epoch, by name.
func (e EpochLog) metrics() map[string]float64 {
	return map[string]float64{MetricTrainLoss: e.TrainLoss, MetricValLoss: e.ValLoss, MetricTrainAccuracy: e.TrainAccuracy,
		MetricValAccuracy: e.ValAccuracy, MetricValTop5: e.ValTop5, MetricValMacroF1: e.ValMacroF1, MetricLR: e.LR}
}

// Series returns one metric over the epochs: a built-in one (MetricTrainLoss,
// MetricValLoss, MetricTrainAccuracy, ... MetricLR: "train_loss", "val_loss", ...) or a
// monitor's name (epochs of stages without that monitor give 0). A name
// that is neither is an error that lists the names there are.
func (h *History) Series(metric string) ([]float64, error) {
	builtin := EpochLog{}.metrics()
	_, known := builtin[metric]
	monitors := map[string]bool{}
	for _, e := range h.Epochs {
		for name := range e.Metrics {
			monitors[name] = true
		}
	}
	if !known && !monitors[metric] {
		names := slices.Sorted(maps.Keys(builtin))
		if len(monitors) > 0 {
			names = append(names, slices.Sorted(maps.Keys(monitors))...)
		}
		return nil, fmt.Errorf("history has no metric %q: want one of %s", metric, strings.Join(names, ", "))
	}
	out := make([]float64, len(h.Epochs))
	for i, e := range h.Epochs {
		if v, ok := e.Metrics[metric]; ok {
			out[i] = v
			continue
		}
		out[i] = e.metrics()[metric]
	}
	return out, nil
}

// Last returns the last epoch's log (zero if none).
func (h *History) Last() EpochLog {
	if len(h.Epochs) == 0 {
		return EpochLog{}
	}
	return h.Epochs[len(h.Epochs)-1]
}

// String prints one line per epoch.
func (h *History) String() string {
	var b strings.Builder
	for _, e := range h.Epochs {
		fmt.Fprintf(&b, "%s\n", e)
	}
	for _, n := range h.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// String formats the epoch as the progress line prints it.
func (e EpochLog) String() string {
	stage := ""
	if e.Stage != "" {
		stage = "[" + e.Stage + "] "
	}
	s := fmt.Sprintf("%sepoch %d: train loss %.4f acc %.4f", stage, e.Epoch, e.TrainLoss, e.TrainAccuracy)
	if e.ValLoss != 0 || e.ValAccuracy != 0 {
		s += fmt.Sprintf(" | val loss %.4f acc %.4f top5 %.4f F1 %.4f", e.ValLoss, e.ValAccuracy, e.ValTop5, e.ValMacroF1)
	}
	return s + fmt.Sprintf(" | %.1fs", e.Seconds)
}
