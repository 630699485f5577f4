package onnxops

import (
	"fmt"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// Reductions onnx-gomlx lacks, arg-extrema with select_last_index,
// Hardmax, Pow across element types, Round and
// MeanVarianceNormalization.
func init() {
	for name, f := range map[string]func(x *graph.Node, axes []int) *graph.Node{
		"ReduceL1": func(x *graph.Node, axes []int) *graph.Node {
			return graph.ReduceAndKeep(graph.Abs(x), graph.ReduceSum, axes...)
		},
		"ReduceSumSquare": func(x *graph.Node, axes []int) *graph.Node {
			return graph.ReduceAndKeep(graph.Square(x), graph.ReduceSum, axes...)
		},
		"ReduceLogSumExp": logSumExp,
	} {
		ops[name] = &Op{Convert: reduceOp(f), Static: []int{1}}
	}
	ops["ArgMax"] = &Op{Handles: selectLast, Convert: argExtremum(graph.ArgMax)}
	ops["ArgMin"] = &Op{Handles: selectLast, Convert: argExtremum(graph.ArgMin)}
	ops["Hardmax"] = &Op{Convert: convertHardmax}
	ops["Pow"] = &Op{Convert: convertPow}
	ops["Round"] = &Op{Convert: activationOp(func(_ *protos.NodeProto, x *graph.Node) *graph.Node { return graph.Round(x) })}
	ops["MeanVarianceNormalization"] = &Op{Convert: convertMVN}
}

// logSumExp is log(sum(exp(x))) over axes, kept, shifted by the maximum.
func logSumExp(x *graph.Node, axes []int) *graph.Node {
	m := graph.StopGradient(graph.ReduceAndKeep(x, graph.ReduceMax, axes...))
	m = graph.Where(graph.IsFinite(m), m, graph.ZerosLike(m))
	sum := graph.ReduceAndKeep(graph.Exp(graph.Sub(x, m)), graph.ReduceSum, axes...)
	return graph.Add(graph.Log(sum), m)
}

// reduceOp is an ONNX reduction: axes from the attribute (before opset
// 18) or input 1, all axes when none are given (unless
// noop_with_empty_axes), keepdims (default 1).
func reduceOp(f func(x *graph.Node, axes []int) *graph.Node) Convert {
	return func(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
		x := in[0]
		axes := attrInts(n, "axes", nil)
		if len(in) > 1 && in[1] != nil {
			axes = staticInts(in[1], n.OpType+"'s axes")
		}
		if len(axes) == 0 {
			if attrInt(n, "noop_with_empty_axes", 0) == 1 {
				return []*graph.Node{x}
			}
			for a := range x.Rank() {
				axes = append(axes, a)
			}
		}
		for i, a := range axes {
			if a < 0 {
				axes[i] = a + x.Rank()
			}
		}
		y := f(x, axes)
		if attrInt(n, "keepdims", 1) == 0 {
			y = graph.Squeeze(y, axes...)
		}
		return []*graph.Node{y}
	}
}

// selectLast picks ArgMax/ArgMin nodes asking for the last of tied
// extrema (onnx-gomlx returns the first).
func selectLast(n *protos.NodeProto) bool { return attrInt(n, "select_last_index", 0) == 1 }

// argExtremum is ArgMax/ArgMin with select_last_index: the first extremum
// of the reversed axis, counted from the end.
func argExtremum(f func(x *graph.Node, axis int, dt ...dtypes.DType) *graph.Node) Convert {
	return func(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
		x := in[0]
		axis := attrInt(n, "axis", 0)
		if axis < 0 {
			axis += x.Rank()
		}
		last := x.Shape().Dimensions[axis] - 1
		idx := f(graph.Reverse(x, axis), axis, dtypes.Int64)
		y := graph.Sub(graph.Scalar(ctx.Graph(), dtypes.Int64, last), idx)
		if attrInt(n, "keepdims", 1) == 1 {
			y = graph.ExpandAxes(y, axis)
		}
		return []*graph.Node{y}
	}
}

// convertHardmax is 1 at the first maximum along axis, 0 elsewhere; before
// opset 13 over the input flattened to 2D at axis (default 1).
func convertHardmax(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x := in[0]
	one := func(v *graph.Node, axis int) *graph.Node {
		idx := graph.ArgMax(v, axis, dtypes.Int32)
		hot := graph.OneHot(idx, v.Shape().Dimensions[axis], v.DType()) // one-hot axis last
		perm := make([]int, v.Rank())
		for i := range perm {
			switch {
			case i < axis:
				perm[i] = i
			case i == axis:
				perm[i] = v.Rank() - 1
			default:
				perm[i] = i - 1
			}
		}
		return graph.TransposeAllDims(hot, perm...)
	}
	if ctx.Opset() >= 13 {
		axis := attrInt(n, "axis", -1)
		if axis < 0 {
			axis += x.Rank()
		}
		return []*graph.Node{one(x, axis)}
	}
	flat := flatten2D(x, attrInt(n, "axis", 1))
	return []*graph.Node{graph.Reshape(one(flat, 1), x.Shape().Dimensions...)}
}

// convertPow is x^y in x's element type, for any exponent type (ONNX
// allows mixing them; integer bases are computed in float64).
func convertPow(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x, y := in[0], in[1]
	rank := max(x.Rank(), y.Rank())
	x, y = graph.ExpandLeftToRank(x, rank), graph.ExpandLeftToRank(y, rank)
	if x.DType().IsFloat() {
		return []*graph.Node{graph.Pow(x, graph.ConvertDType(y, x.DType()))}
	}
	if !x.DType().IsInt() {
		panic(fmt.Errorf("Pow %q: base of type %s", n.Name, x.DType()))
	}
	p := graph.Pow(graph.ConvertDType(x, dtypes.Float64), graph.ConvertDType(y, dtypes.Float64))
	return []*graph.Node{graph.ConvertDType(graph.Round(p), x.DType())}
}

// convertMVN normalises to zero mean and unit variance over axes (default
// batch and spatial: [0, 2, 3]).
func convertMVN(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x := in[0]
	axes := attrInts(n, "axes", []int{0, 2, 3})
	mean := graph.ReduceAndKeep(x, graph.ReduceMean, axes...)
	centred := graph.Sub(x, mean)
	variance := graph.ReduceAndKeep(graph.Square(centred), graph.ReduceMean, axes...)
	eps := graph.Scalar(ctx.Graph(), x.DType(), 1e-9)
	return []*graph.Node{graph.Div(centred, graph.Add(graph.Sqrt(variance), eps))}
}
