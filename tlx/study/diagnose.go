package study

import (
	"fmt"

	"github.com/tlx-go/tlx/tlx/fit"
)

// Diagnosis reads a training history for over- and underfitting.
type Diagnosis struct {
	BestEpoch     int     // epoch of the lowest validation loss
	Epochs        int     // epochs trained
	TrainAccuracy float64 // at the end
	ValAccuracy   float64 // at the end
	Gap           float64 // TrainAccuracy - ValAccuracy
	ValLossRise   float64 // final validation loss minus the best
	Overfitting   bool
	Underfitting  bool
	Advice        string
}

// Diagnose looks at the end of a history (with validation): a large gap
// between training and validation accuracy, or a validation loss that has
// risen since its best epoch, is overfitting; low training accuracy is
// underfitting.
func Diagnose(h *fit.History) (Diagnosis, error) {
	if h == nil || len(h.Epochs) == 0 {
		return Diagnosis{}, fmt.Errorf("study.Diagnose: empty history")
	}
	last := h.Last()
	d := Diagnosis{Epochs: len(h.Epochs), TrainAccuracy: last.TrainAccuracy, ValAccuracy: last.ValAccuracy,
		Gap: last.TrainAccuracy - last.ValAccuracy}
	best := 0
	for i, e := range h.Epochs {
		if e.ValLoss < h.Epochs[best].ValLoss {
			best = i
		}
	}
	d.BestEpoch = best + 1
	d.ValLossRise = last.ValLoss - h.Epochs[best].ValLoss
	d.Overfitting = d.Gap > 0.1 || (d.BestEpoch < d.Epochs && d.ValLossRise > 0.1*h.Epochs[best].ValLoss)
	d.Underfitting = !d.Overfitting && last.TrainAccuracy < 0.8
	switch {
	case d.Overfitting:
		d.Advice = fmt.Sprintf("overfitting: train %.3f vs validation %.3f (gap %.1f points); validation loss best at epoch %d of %d. "+
			"Try augmentation, weight decay, fewer trainable groups (freeze more) or early stopping (Patience).",
			d.TrainAccuracy, d.ValAccuracy, 100*d.Gap, d.BestEpoch, d.Epochs)
	case d.Underfitting:
		d.Advice = fmt.Sprintf("underfitting: train accuracy %.3f. Train longer, unfreeze more groups or raise the learning rate.", d.TrainAccuracy)
	default:
		d.Advice = fmt.Sprintf("fits: train %.3f, validation %.3f (gap %.1f points).", d.TrainAccuracy, d.ValAccuracy, 100*d.Gap)
	}
	return d, nil
}
