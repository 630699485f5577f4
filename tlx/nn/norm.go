package nn

import (
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// BatchNorm momentum and epsilon, as PyTorch's defaults: the moving
// averages move 10% towards each batch's statistics.
const (
	BatchNormMomentum = 0.9
	BatchNormEpsilon  = 1e-5
)

// BatchNorm normalises x per channel (last axis), then scales by "gamma"
// and shifts by "beta" (trainable). The moving "mean" and "variance" are
// not trainable.
//
// With c.BatchStats it normalises with the batch's statistics,
// differentiating through them as PyTorch and Keras do, and moves the
// averages towards them; otherwise it uses the averages and changes nothing
// (inference mode, and a frozen group's mode).
func BatchNorm(c *Ctx, x *graph.Node) *graph.Node {
	g := x.Graph()
	ch := x.Shape().Dimensions[x.Rank()-1]
	shape := shapes.Make(x.DType(), ch)
	gamma := c.Scope.WithInitializer(initializer.One).VariableWithShape("gamma", shape).NodeValue(g)
	beta := c.Scope.WithInitializer(initializer.Zero).VariableWithShape("beta", shape).NodeValue(g)
	meanVar := c.Scope.WithInitializer(initializer.Zero).VariableWithShape("mean", shape).SetTrainable(false)
	varVar := c.Scope.WithInitializer(initializer.One).VariableWithShape("variance", shape).SetTrainable(false)

	var mean, variance *graph.Node
	if c.BatchStats {
		axes := make([]int, x.Rank()-1)
		for i := range axes {
			axes[i] = i
		}
		mean = graph.ReduceMean(x, axes...)
		variance = graph.ReduceMean(graph.Square(graph.Sub(x, graph.ExpandLeftToRank(mean, x.Rank()))), axes...)
		m := graph.Scalar(g, x.DType(), BatchNormMomentum)
		meanVar.SetNodeValue(graph.Add(graph.Mul(meanVar.NodeValue(g), m), graph.Mul(graph.StopGradient(mean), graph.OneMinus(m))))
		varVar.SetNodeValue(graph.Add(graph.Mul(varVar.NodeValue(g), m), graph.Mul(graph.StopGradient(variance), graph.OneMinus(m))))
	} else {
		mean, variance = meanVar.NodeValue(g), varVar.NodeValue(g)
	}
	// 1/sqrt, not Rsqrt: GoMLX defines no gradient for Rsqrt.
	inv := graph.Mul(graph.Reciprocal(graph.Sqrt(graph.AddScalar(variance, BatchNormEpsilon))), gamma)
	return graph.Add(graph.Mul(graph.Sub(x, graph.ExpandLeftToRank(mean, x.Rank())), graph.ExpandLeftToRank(inv, x.Rank())), graph.ExpandLeftToRank(beta, x.Rank()))
}
