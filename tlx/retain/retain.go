// Package retain holds penalties that keep what a pretrained model knew
// while it is fine-tuned on a new task (incremental training without
// forgetting). Each returns a fit.Penalty (or fit.Objective) whose Key names
// the method, its weights and a hash of its reference values, so a run
// with another weight trains again:
//
//	pen, err := retain.L2SP(m, 0.01, 0)            // pull weights towards their starting point
//	fisher, err := retain.Fisher(source, sourceData, 10)
//	pen = retain.EWC(fisher, 100)                   // ... weighted by their importance to the source task
//	h, err := fit.Fit(m, target, fit.Config{Penalty: pen})
//	lwf, err := retain.LwF(source, target, retain.LwFConfig{})   // distil the old outputs (a fit.Objective)
//	h, err = fit.Fit(m, target, fit.Config{Objective: lwf})
//
// Only variables that train take part: frozen groups cost nothing.
package retain

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Penalty is what fit.Config.Penalty takes.
type Penalty = fit.Penalty

// snapshot copies the current values of the model's parameters (not the
// BatchNorm statistics), by path, skipping the head.
func snapshot(m *net.Model) (map[string]*tensors.Tensor, error) {
	if _, err := m.Init(); err != nil {
		return nil, err
	}
	var body []string
	for _, name := range m.GroupNames() {
		if name != net.HeadName {
			body = append(body, name)
		}
	}
	out, err := m.Values(body...)
	if err != nil {
		return nil, err
	}
	for path := range out {
		if strings.HasSuffix(path, "/mean") || strings.HasSuffix(path, "/variance") {
			delete(out, path)
		}
	}
	return out, nil
}

// weighted builds Σ weight·(w - w0)² over the trainable variables in
// refs, times scale.
func weighted(refs, weights map[string]*tensors.Tensor, scale float64) func(*model.Scope, *graph.Graph) *graph.Node {
	return func(scope *model.Scope, g *graph.Graph) *graph.Node {
		total := graph.ScalarZero(g, refs[firstKey(refs)].DType())
		for path, w0 := range refs {
			v := scope.Store().GetVariable(path)
			if v == nil || !v.Trainable {
				continue
			}
			d := graph.Square(graph.Sub(v.NodeValue(g), graph.ConstTensor(g, w0)))
			if weights != nil {
				d = graph.Mul(d, graph.ConstTensor(g, weights[path]))
			}
			total = graph.Add(total, graph.ReduceAllSum(d))
		}
		return graph.MulScalar(total, scale)
	}
}

// refsKey hashes reference values (and weights) for a penalty's key.
func refsKey(sets ...map[string]*tensors.Tensor) (string, error) {
	var keys []string
	for _, set := range sets {
		k, err := fit.TensorsKey(set)
		if err != nil {
			return "", err
		}
		keys = append(keys, k)
	}
	return strings.Join(keys, ","), nil
}

// RestoreStatistics copies src's BatchNorm statistics (moving means and
// variances: tlx's "mean"/"variance" variables and an imported model's
// Statistics) into dst, leaving every trained parameter alone. Fine-tuning
// moves these averages to the new task's images in every method of this
// package (none penalises them); a probe of the old task can put the old
// ones back with it.
func RestoreStatistics(dst, src *net.Model) error {
	values, err := src.Values()
	if err != nil {
		return err
	}
	for path := range values {
		if !(strings.HasSuffix(path, "/mean") || strings.HasSuffix(path, "/variance") || src.Statistics[path]) {
			delete(values, path)
		}
	}
	if len(values) == 0 {
		return fmt.Errorf("RestoreStatistics: model %s has no BatchNorm statistics", src.Name)
	}
	return dst.SetValues(values)
}

func firstKey(m map[string]*tensors.Tensor) string {
	for k := range m {
		return k
	}
	return ""
}

// L2SP (Li, Grandvalet & Davoine, "Explicit inductive bias for transfer
// learning") penalises alpha/2·||w - w0||² over the body's weights, w0
// being their values now (the pretrained starting point), plus
// beta/2·||w||² over the head's.
//
// The paper trains with SGD and momentum, where the pull is proportional
// to the distance w - w0. Under Adam (fit's default) each weight's gradient
// is divided by its own running scale, so for weights the new task barely
// uses, the pull alone sets full-size steps: a strong alpha then fights the
// new task everywhere without keeping the old one. On notebook 14's ResNet
// (one seed), alpha 0.5 under Adam learned the new task 10 points worse
// than no penalty and forgot as much; under SGD with momentum the same
// alpha kept 17 points more of the old task than no penalty; under Adam
// alpha 0.05 kept more without the cost. Take alpha one or two orders of
// magnitude smaller under Adam than under SGD.
func L2SP(m *net.Model, alpha, beta float64) (Penalty, error) {
	refs, err := snapshot(m)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("L2SP: model %s has no weights outside its head", m.Name)
	}
	body := weighted(refs, nil, alpha/2)
	ref, err := refsKey(refs)
	if err != nil {
		return nil, fmt.Errorf("L2SP: %w", err)
	}
	key := fmt.Sprintf("l2sp alpha=%g beta=%g start=%s", alpha, beta, ref)
	return fit.PenaltyFunc(key, func(scope *model.Scope, g *graph.Graph) *graph.Node {
		total := body(scope, g)
		if beta != 0 {
			for v := range scope.Store().RootScope().IterVariables() {
				if v.Trainable && strings.HasPrefix(v.Path(), "/"+net.HeadName+"/") {
					total = graph.Add(total, graph.MulScalar(graph.ReduceAllSum(graph.Square(v.NodeValue(g))), beta/2))
				}
			}
		}
		return total
	}), nil
}
