package fit

import (
	"math"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// Outputs runs the model in inference mode over d and returns the output of
// group until ("" for the logits), n × per-example values.
func Outputs(m *net.Model, d *data.Dataset, until string) ([]float32, error) {
	exec, err := m.RangeExec("", until)
	if err != nil {
		return nil, err
	}
	return batchedOutput(exec, d, outputBatch(d.Size()))
}

// outputBatch is the batch Outputs runs: 128 examples, fewer where an
// example is large, so that a batch's input stays within 4 Mi values
// (16 MB; 27 images at 224×224×3). A model's activations are many times
// its input: 128 images at 224² held gigabytes on ONNX Runtime.
func outputBatch(exampleSize int) int {
	return max(1, min(128, (4<<20)/max(1, exampleSize)))
}

// Evaluate scores the model on d.
func Evaluate(m *net.Model, d *data.Dataset) (Scores, error) {
	if err := checkData(m, d, "evaluation"); err != nil {
		return Scores{}, err
	}
	logits, err := Outputs(m, d, "")
	if err != nil {
		return Scores{}, err
	}
	return Score(logits, d.Y, len(d.Classes)), nil
}

// Logits runs the part of the model being trained over d in inference mode.
func (r *runner) logits(d *data.Dataset) ([]float32, error) {
	return batchedOutput(r.evalLogits, d, r.cfg.BatchSize)
}

// epochLog is the record of the epoch that has just finished at p: the
// training sums and the validation scores (the record hooks add the rest).
func (r *runner) epochLog(epoch int, lr float64, p position) (EpochLog, error) {
	log := EpochLog{Stage: r.cfg.Stage, Epoch: epoch, LR: lr, Cached: r.after != "",
		TrainLoss: p.lossSum / float64(r.stepsPerEpoch), TrainAccuracy: p.correct / float64(r.stepsPerEpoch*r.cfg.BatchSize)}
	if r.val != nil {
		sc, err := r.score(r.val)
		if err != nil {
			return log, err
		}
		log.ValLoss, log.ValAccuracy, log.ValTop5, log.ValMacroF1 = sc.Loss, sc.Accuracy, sc.Top5, sc.MacroF1
	}
	return log, nil
}

func (r *runner) score(d *data.Dataset) (Scores, error) {
	logits, err := r.logits(d)
	if err != nil {
		return Scores{}, err
	}
	return Score(logits, d.Y, len(d.Classes)), nil
}

// batchedOutput runs exec over d in batches of a fixed size (the last one
// padded with zeros, so one compiled graph serves all) and concatenates the
// outputs of the real examples.
func batchedOutput(exec *model.Exec, d *data.Dataset, batch int) ([]float32, error) {
	var out []float32
	size := d.Size()
	for start := 0; start < d.Len(); start += batch {
		n := min(batch, d.Len()-start)
		flat := make([]float32, batch*size)
		idx := make([]int, n)
		for i := range idx {
			idx[i] = start + i
		}
		if err := d.Batch(flat, idx, nil); err != nil {
			return nil, err
		}
		x := tensors.FromFlatDataAndDimensions(flat, append([]int{batch}, d.Shape...)...)
		var y *tensors.Tensor
		if err := exceptions.TryCatch[error](func() { y = exec.MustCall1(x) }); err != nil {
			return nil, err
		}
		values := tensors.MustCopyFlatData[float32](y)
		per := len(values) / batch
		out = append(out, values[:n*per]...)
	}
	return out, nil
}

func labelsAt(d *data.Dataset, idx []int) []int32 {
	out := make([]int32, len(idx))
	for i, j := range idx {
		out[i] = d.Y[j]
	}
	return out
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}
