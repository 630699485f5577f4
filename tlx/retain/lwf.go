package retain

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// LwFConfig configures LwF.
type LwFConfig struct {
	Temperature float64 // softening of both distributions; default 2
	Weight      float64 // of the distillation term; default 1
}

// LwF is Learning without Forgetting (Li & Hoiem, 2016) as a fit.Objective:
// before fine-tuning, the old model's outputs on the new training data are
// recorded; while fine-tuning, the new body under the old head (kept as it
// was) must keep producing them (distillation at a temperature), besides
// learning the new head. No old data is needed.
//
// old is the model as it was (its head is the old task's); train is the
// exact dataset given to fit.Fit (examples are matched by position).
func LwF(old *net.Model, train *data.Dataset, cfg LwFConfig) (fit.Objective, error) {
	if cfg.Temperature == 0 {
		cfg.Temperature = 2
	}
	if cfg.Weight == 0 {
		cfg.Weight = 1
	}
	logits, err := fit.Outputs(old, train, "")
	if err != nil {
		return nil, fmt.Errorf("LwF: recording the old model's outputs: %w", err)
	}
	k := len(logits) / train.Len()
	targets := tensors.FromFlatDataAndDimensions(logits, train.Len(), k)
	head, err := old.Values(net.HeadName)
	if err != nil {
		return nil, fmt.Errorf("LwF: the old model's head: %w", err)
	}
	w, b := head["/"+net.HeadName+"/weights"], head["/"+net.HeadName+"/bias"]
	if w == nil || b == nil || len(head) != 2 {
		return nil, fmt.Errorf("LwF: the old head must be a dense classifier (weights, bias); it has %d variables", len(head))
	}
	t := cfg.Temperature
	ref, err := refsKey(map[string]*tensors.Tensor{"targets": targets}, head)
	if err != nil {
		return nil, fmt.Errorf("LwF: %w", err)
	}
	key := fmt.Sprintf("lwf T=%g weight=%g old=%s", t, cfg.Weight, ref)
	return fit.ObjectiveFunc(key, func(bt *fit.Batch) *graph.Node {
		g := bt.X.Graph()
		f := bt.Features
		if f.Rank() == 4 {
			f = nn.GlobalAvgPool(f)
		} else if f.Rank() > 2 {
			f = nn.Flatten(f)
		}
		student := graph.Add(graph.MatMul(f, graph.ConstTensor(g, w)), graph.ExpandLeftToRank(graph.ConstTensor(g, b), 2))
		teacher := graph.Gather(graph.ConstTensor(g, targets), graph.ExpandAxes(bt.Index, -1))
		pt := graph.Softmax(graph.MulScalar(teacher, 1/t), -1)
		logPs := graph.LogSoftmax(graph.MulScalar(student, 1/t), -1)
		logPt := graph.LogSoftmax(graph.MulScalar(teacher, 1/t), -1)
		kl := graph.ReduceAllMean(graph.ReduceSum(graph.Mul(pt, graph.Sub(logPt, logPs)), -1))
		return graph.MulScalar(kl, cfg.Weight*t*t)
	}), nil
}
