package retain

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// FisherInfo is the diagonal of the empirical Fisher information of a
// model's body weights on its source task, with the weights it was
// measured at.
type FisherInfo struct {
	At, Diag map[string]*tensors.Tensor
}

// Fisher estimates the diagonal empirical Fisher information of source's
// body weights (everything but the head) on the source task: the mean
// squared gradient of the cross-entropy over batches of 16 examples of d
// (a cheap, batched approximation of the per-example definition).
func Fisher(source *net.Model, d *data.Dataset, batches int) (*FisherInfo, error) {
	at, err := snapshot(source)
	if err != nil {
		return nil, err
	}
	backend, err := source.Backend()
	if err != nil {
		return nil, err
	}
	var paths []string
	var vars []*model.Variable
	for p := range at {
		paths = append(paths, p)
		vars = append(vars, source.Store.GetVariable(p))
	}
	exec, err := model.NewExec(backend, source.Store, func(scope *model.Scope, x, y *graph.Node) []*graph.Node {
		g := x.Graph()
		source.Store.SetTraining(g, true)
		logits := source.Forward(scope, x, false, "")
		l := graph.ReduceAllMean(loss.SparseCategoricalCrossEntropyLogits([]*graph.Node{graph.ExpandAxes(y, -1)}, []*graph.Node{logits}))
		nodes := make([]*graph.Node, len(vars))
		for i, v := range vars {
			nodes[i] = v.NodeValue(g)
		}
		grads := graph.Gradient(l, nodes...)
		for i := range grads {
			grads[i] = graph.Square(grads[i])
		}
		return grads
	})
	if err != nil {
		return nil, fmt.Errorf("Fisher: %w", err)
	}
	defer exec.Finalize()
	const batch = 16
	rng := rand.New(rand.NewPCG(7, 7))
	sums := make([][]float32, len(vars))
	for range batches {
		idx := rng.Perm(d.Len())[:min(batch, d.Len())]
		flat := make([]float32, 0, len(idx)*d.Size())
		labels := make([]int32, len(idx))
		for i, j := range idx {
			flat = append(flat, d.Example(j)...)
			labels[i] = d.Y[j]
		}
		var outs []*tensors.Tensor
		if err := exceptions.TryCatch[error](func() {
			outs = exec.MustCall(tensors.FromFlatDataAndDimensions(flat, append([]int{len(idx)}, d.Shape...)...),
				tensors.FromFlatDataAndDimensions(labels, len(idx)))
		}); err != nil {
			return nil, fmt.Errorf("Fisher: %w", err)
		}
		for i, o := range outs {
			v := tensors.MustCopyFlatData[float32](o)
			if sums[i] == nil {
				sums[i] = make([]float32, len(v))
			}
			for k := range v {
				sums[i][k] += v[k] / float32(batches)
			}
		}
	}
	f := &FisherInfo{At: at, Diag: map[string]*tensors.Tensor{}}
	for i, p := range paths {
		f.Diag[p] = tensors.FromFlatDataAndDimensions(sums[i], vars[i].Shape().Dimensions...)
	}
	return f, nil
}

// EWC (Kirkpatrick et al., "Overcoming catastrophic forgetting") penalises
// lambda/2·Σ F·(w - w*)²: each body weight is held near its source value w*
// in proportion to its Fisher information F for the source task.
// Its Key names lambda and hashes the Fisher information and the source
// weights.
func EWC(f *FisherInfo, lambda float64) Penalty {
	key := fmt.Sprintf("ewc lambda=%g", lambda)
	if ref, err := refsKey(f.At, f.Diag); err == nil {
		key += " fisher=" + ref
	} else {
		key += " fisher=" + fmt.Sprintf("%p", f) // unreadable values: never equal to another's
	}
	return fit.PenaltyFunc(key, weighted(f.At, f.Diag, lambda/2))
}
