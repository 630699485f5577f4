package fit

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tlx-go/tlx/tlx/net"
)

// Objective adds a term to the training loss, built in the training graph
// from the batch: the methods of domain adaptation (CORAL, DANN: they see a
// batch of unlabelled target examples, Config.Extra) and of learning
// without forgetting (LwF: it looks up per-example targets by Index).
// Variables it creates outside the model's groups (a domain classifier)
// are trained with the model but are not part of its weights.
type Objective func(b *Batch) *graph.Node

// Batch is what an Objective sees.
type Batch struct {
	Scope *model.Scope
	Model *net.Model
	// X is the batch as the model reads it, Y its labels [batch] int32 and
	// Index [batch] int32 the examples' positions in the training set.
	X, Y, Index *graph.Node
	// Features is the output of the model's feature group (the input of
	// the head) for X, Logits the model's output.
	Features, Logits *graph.Node
	// Extra is a batch of Config.Extra (as many examples as X), nil
	// without it.
	Extra *graph.Node

	extraFeatures *graph.Node
}

// ExtraFeatures runs the model up to its feature group on Extra (once per
// graph; same weights as Features, BatchNorm on Extra's own statistics).
func (b *Batch) ExtraFeatures() *graph.Node {
	if b.extraFeatures == nil && b.Extra != nil {
		b.extraFeatures = b.Model.ForwardRange(b.Scope, b.Extra, true, "", b.Model.FeatureGroup())
	}
	return b.extraFeatures
}

// Objectives sums several objectives.
func Objectives(objs ...Objective) Objective {
	return func(b *Batch) *graph.Node {
		var total *graph.Node
		for _, o := range objs {
			if t := o(b); total == nil {
				total = t
			} else {
				total = graph.Add(total, t)
			}
		}
		return total
	}
}
