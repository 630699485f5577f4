package nn

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
)

// Dense maps the last axis of x to units outputs: x·weights + bias, with
// "weights" He-initialised and "bias" zero.
func Dense(c *Ctx, x *graph.Node, units int) *graph.Node {
	if x.Rank() < 2 {
		panic(fmt.Errorf("nn.Dense %s: input shape %s, want at least [batch, features]", c.Scope.Scope(), x.Shape()))
	}
	in := x.Shape().Dimensions[x.Rank()-1]
	w := c.heScope().VariableWithShape("weights", shapes.Make(x.DType(), in, units)).NodeValue(x.Graph())
	y := graph.Dot(x, w).Product()
	return Bias(c, y)
}

// Flatten reshapes x [B, ...] to [B, features].
func Flatten(x *graph.Node) *graph.Node {
	return graph.Reshape(x, x.Shape().Dimensions[0], -1)
}

// ReLU is max(x, 0).
func ReLU(x *graph.Node) *graph.Node { return activation.Relu(x) }

// ReLU6 is min(max(x, 0), 6), MobileNet's activation.
func ReLU6(x *graph.Node) *graph.Node {
	return graph.Min(activation.Relu(x), graph.Scalar(x.Graph(), x.DType(), 6))
}

// Dropout zeroes a fraction rate of x while training (scaling the rest by
// 1/(1-rate)); it is the identity otherwise.
func Dropout(c *Ctx, x *graph.Node, rate float64) *graph.Node {
	if !c.Training || rate <= 0 {
		return x
	}
	keep := graph.GreaterOrEqual(c.Scope.Store().RandomUniform(x.Graph(), x.Shape()), graph.Scalar(x.Graph(), x.DType(), rate))
	return graph.Where(keep, graph.DivScalar(x, 1-rate), graph.ZerosLike(x))
}
