package adapt

import (
	"fmt"

	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// PseudoLabels are the confident predictions of a model on unlabelled data.
type PseudoLabels struct {
	Data     *data.Dataset // the confident examples, labelled with the model's predictions
	Coverage float64       // share of the target that passed the threshold
	// Indices of the kept examples in the target dataset.
	Indices []int
}

// PseudoLabel predicts the classes of target (its labels are ignored) and
// keeps the examples whose top softmax probability is at least threshold,
// labelled with the prediction: the training set of one round of
// self-training.
func PseudoLabel(m *net.Model, target *data.Dataset, threshold float64) (*PseudoLabels, error) {
	if threshold <= 0 || threshold > 1 {
		return nil, fmt.Errorf("PseudoLabel: threshold %g, want 0 < t <= 1", threshold)
	}
	logits, err := fit.Outputs(m, target, "")
	if err != nil {
		return nil, err
	}
	k := len(logits) / max(target.Len(), 1)
	if k != len(target.Classes) {
		return nil, fmt.Errorf("PseudoLabel: model gives %d outputs, target has %d classes", k, len(target.Classes))
	}
	var keep []int
	var labels []int32
	for i := range target.Len() {
		best, prob := fit.TopClass(logits[i*k : (i+1)*k])
		if prob >= threshold {
			keep = append(keep, i)
			labels = append(labels, int32(best))
		}
	}
	out := target.Subset(keep)
	copy(out.Y, labels)
	out.Name = fmt.Sprintf("%s[pseudo-labelled ≥%.2f]", target.Name, threshold)
	return &PseudoLabels{Data: out, Coverage: float64(len(keep)) / float64(max(target.Len(), 1)), Indices: keep}, nil
}

// Agreement is the share of pseudo-labels that match the true labels (for
// evaluation only: self-training never sees them).
func (p *PseudoLabels) Agreement(target *data.Dataset) float64 {
	if len(p.Indices) == 0 {
		return 0
	}
	ok := 0
	for n, i := range p.Indices {
		if p.Data.Y[n] == target.Y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(p.Indices))
}
