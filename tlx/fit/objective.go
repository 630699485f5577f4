package fit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tlx-go/tlx/tlx/net"
)

// Penalty adds a term to the training loss, built in the training graph
// from the model's variables (L2-SP, EWC: see package retain). Key names
// the penalty and everything that changes its value (its kind, weights and
// reference values): it is part of a training's key, so that a run with
// another penalty weight trains again instead of restoring a stage trained
// with the old one.
type Penalty interface {
	Loss(scope *model.Scope, g *graph.Graph) *graph.Node
	Key() string
}

// Objective adds a term to the training loss, built in the training graph
// from the batch: the methods of domain adaptation (CORAL, DANN: they see a
// batch of unlabelled target examples, Config.Extra) and of learning
// without forgetting (LwF: it looks up per-example targets by Index).
// Variables it creates outside the model's groups (a domain classifier)
// are trained with the model but are not part of its weights. Key names the
// objective and its parameters, as Penalty's does.
type Objective interface {
	Loss(b *Batch) *graph.Node
	Key() string
}

// PenaltyFunc makes a Penalty of a function; key names it and its
// parameters (e.g. "l1 weight=0.01"): give another key to another penalty.
func PenaltyFunc(key string, loss func(scope *model.Scope, g *graph.Graph) *graph.Node) Penalty {
	return penaltyFunc{key, loss}
}

// ObjectiveFunc makes an Objective of a function; key names it and its
// parameters (e.g. "coral weight=10").
func ObjectiveFunc(key string, loss func(b *Batch) *graph.Node) Objective {
	return objectiveFunc{key, loss}
}

type penaltyFunc struct {
	key  string
	loss func(*model.Scope, *graph.Graph) *graph.Node
}

func (p penaltyFunc) Loss(scope *model.Scope, g *graph.Graph) *graph.Node { return p.loss(scope, g) }
func (p penaltyFunc) Key() string                                         { return p.key }

type objectiveFunc struct {
	key  string
	loss func(*Batch) *graph.Node
}

func (o objectiveFunc) Loss(b *Batch) *graph.Node { return o.loss(b) }
func (o objectiveFunc) Key() string               { return o.key }

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

// Objectives sums several objectives; its key lists theirs.
func Objectives(objs ...Objective) Objective {
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key()
	}
	return ObjectiveFunc("sum("+strings.Join(keys, "; ")+")", func(b *Batch) *graph.Node {
		var total *graph.Node
		for _, o := range objs {
			if t := o.Loss(b); total == nil {
				total = t
			} else {
				total = graph.Add(total, t)
			}
		}
		return total
	})
}

// TensorsKey is a short hash of named tensors' shapes and values (in name
// order), for the Key of a penalty or objective that holds reference
// values: other references, another key.
func TensorsKey(ts map[string]*tensors.Tensor) (string, error) {
	h := sha256.New()
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range ts {
			if !yield(k) {
				return
			}
		}
	}) {
		t := ts[name]
		fmt.Fprintf(h, "%s %s|", name, t.Shape())
		if err := t.ConstBytes(func(b []byte) { h.Write(b) }); err != nil {
			return "", fmt.Errorf("hashing %s: %w", name, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// keyOf is a penalty's or objective's key ("" when there is none).
func keyOf(k interface{ Key() string }) string {
	if k == nil {
		return ""
	}
	return k.Key()
}
