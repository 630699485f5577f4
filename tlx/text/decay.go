package text

import (
	"fmt"
	"math"

	"github.com/tlx-go/tlx/tlx/net"
)

// LayerwiseDecay returns learning-rate multipliers for m's groups (for
// m.SetLRMults) that shrink by decay per layer below the top: head and
// pooling 1, the last layer decay, the one before decay², …, embeddings
// decay^(layers+1) — the layer-wise decay of BERT fine-tuning (ULMFiT's
// discriminative rates). decay must be in (0, 1].
func LayerwiseDecay(m *net.Model, decay float64) ([]float64, error) {
	if !(decay > 0 && decay <= 1) {
		return nil, fmt.Errorf("text: LayerwiseDecay(%g): want a decay in (0, 1]", decay)
	}
	mults := make([]float64, len(m.Groups))
	depth := 0
	for i := len(m.Groups) - 1; i >= 0; i-- {
		switch m.Groups[i].Name {
		case net.HeadName, "pooling":
		default:
			depth++
		}
		mults[i] = math.Pow(decay, float64(depth))
	}
	return mults, nil
}
