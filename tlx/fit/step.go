package fit

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/net"
)

// TrainStep is one compiled training step of a whole model, for custom
// loops and benchmarks: Fit is built from the same step.
type TrainStep struct {
	m    *net.Model
	exec *model.Exec
}

// NewTrainStep compiles (lazily, on the first Step) a training step of m
// with the optimizer at learning rate lr. The model's frozen groups, as set
// now, are not trained.
func NewTrainStep(m *net.Model, opt Optimizer, lr float64) (*TrainStep, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	m.ApplyTrainable()
	if err := checkLRMults(m); err != nil {
		return nil, err
	}
	if _, err := m.Init(); err != nil {
		return nil, err
	}
	if err := setLR(m.Store, lr); err != nil {
		return nil, err
	}
	exec, err := newTrainExec(m, "", opt, nil, nil, false)
	if err != nil {
		return nil, err
	}
	return &TrainStep{m: m, exec: exec}, nil
}

// Step trains on one batch: x [batch, input shape...] float32, y [batch]
// int32 labels. It returns the batch's mean loss.
func (s *TrainStep) Step(x, y *tensors.Tensor) (float64, error) {
	var outs []*tensors.Tensor
	idx := tensors.FromShape(shapes.Make(dtypes.Int32, x.Shape().Dimensions[0]))
	if err := exceptions.TryCatch[error](func() { outs = s.exec.MustCall(x, y, idx) }); err != nil {
		return 0, fmt.Errorf("training step of %s: %w", s.m.Name, err)
	}
	return scalar(outs[0]), nil
}

// MustStep is Step that panics on error.
func (s *TrainStep) MustStep(x, y *tensors.Tensor) float64 {
	l, err := s.Step(x, y)
	if err != nil {
		panic(err)
	}
	return l
}

// newTrainExec builds the training step of the groups after group after:
// inputs x (the output of group after, or the model's input), labels y
// [batch] int32, the examples' indices [batch] int32 and, when extra, a
// batch of Config.Extra; outputs the mean cross-entropy, the number of
// correct predictions and the full objective (with the penalty and the
// objective). The weights and optimizer state update as a side effect.
func newTrainExec(m *net.Model, after string, opt Optimizer, penalty Penalty, objective Objective, extra bool) (*model.Exec, error) {
	backend, err := m.Backend()
	if err != nil {
		return nil, err
	}
	upd := &updater{opt: opt, lrMult: func(path string) float64 {
		if g := m.GroupOf(path); g != nil {
			return g.LR()
		}
		return 1
	}}
	exec, err := model.NewExec(backend, m.Store, func(scope *model.Scope, in []*graph.Node) []*graph.Node {
		x, y, idx := in[0], in[1], in[2]
		g := x.Graph()
		m.Store.SetTraining(g, true)
		var logits, features *graph.Node
		if objective != nil && after == "" && m.FeatureGroup() != "" {
			features = m.ForwardRange(scope, x, true, "", m.FeatureGroup())
			logits = m.ForwardRange(scope, features, true, m.FeatureGroup(), "")
		} else {
			logits = m.ForwardRange(scope, x, true, after, "")
		}
		ce := graph.ReduceAllMean(loss.SparseCategoricalCrossEntropyLogits([]*graph.Node{graph.ExpandAxes(y, -1)}, []*graph.Node{logits}))
		total := ce
		if penalty != nil {
			total = graph.Add(total, penalty.Loss(scope, g))
		}
		if objective != nil {
			b := &Batch{Scope: scope, Model: m, X: x, Y: y, Index: idx, Features: features, Logits: logits}
			if extra {
				b.Extra = in[3]
			}
			total = graph.Add(total, objective.Loss(b))
		}
		upd.update(scope, total)
		correct := graph.ReduceAllSum(graph.ConvertDType(graph.Equal(graph.ConvertDType(graph.ArgMax(logits, -1), y.DType()), y), ce.DType()))
		return []*graph.Node{ce, correct, total}
	})
	if err != nil {
		return nil, fmt.Errorf("building the training step: %w", err)
	}
	return exec, nil
}

// stepInputs are a training step's arguments for the examples idx: the
// batch, its labels, its indices and (with Config.Extra) the next batch of
// extra examples.
func (r *runner) stepInputs(idx []int, rng *rand.Rand) ([]any, error) {
	x, err := r.cfg.Augment.apply(r.train, idx, rng, r.after == "")
	if err != nil {
		return nil, err
	}
	y := tensors.FromFlatDataAndDimensions(labelsAt(r.train, idx), len(idx))
	pos := make([]int32, len(idx))
	for i, v := range idx {
		pos[i] = int32(v)
	}
	args := []any{x, y, tensors.FromFlatDataAndDimensions(pos, len(pos))}
	if r.cfg.Extra != nil {
		extra, err := r.extraBatch(len(idx), rng)
		if err != nil {
			return nil, err
		}
		args = append(args, extra)
	}
	return args, nil
}

// extraBatch draws the next n examples of Config.Extra (reshuffled each
// time it is used up).
func (r *runner) extraBatch(n int, rng *rand.Rand) (*tensors.Tensor, error) {
	e := r.cfg.Extra
	idx := make([]int, n)
	for i := range idx {
		if r.extraPos >= len(r.extraOrder) {
			r.extraOrder, r.extraPos = rng.Perm(e.Len()), 0
		}
		idx[i] = r.extraOrder[r.extraPos]
		r.extraPos++
	}
	return Augment{}.apply(e, idx, rng, false)
}
