package onnxops

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/tlx-go/tlx/tlx/nn"
)

// This file holds tlx's conversions of element-wise activations and of the
// shape operators onnx-gomlx gets wrong for some opsets or attributes.

// activations are single-input operators with attributes.
var activations = map[string]func(n *protos.NodeProto, x *graph.Node) *graph.Node{
	"Elu": func(n *protos.NodeProto, x *graph.Node) *graph.Node {
		return negativePart(x, func(neg *graph.Node) *graph.Node { return scaled(graph.Expm1(neg), attrFloat(n, "alpha", 1)) })
	},
	"Selu": func(n *protos.NodeProto, x *graph.Node) *graph.Node {
		alpha := attrFloat(n, "alpha", 1.67326319217681884765625)
		y := negativePart(x, func(neg *graph.Node) *graph.Node { return scaled(graph.Expm1(neg), alpha) })
		return scaled(y, attrFloat(n, "gamma", 1.05070102214813232421875))
	},
	"Celu": func(n *protos.NodeProto, x *graph.Node) *graph.Node {
		alpha := attrFloat(n, "alpha", 1)
		return negativePart(x, func(neg *graph.Node) *graph.Node { return scaled(graph.Expm1(scaled(neg, 1/alpha)), alpha) })
	},
	"LeakyRelu": func(n *protos.NodeProto, x *graph.Node) *graph.Node {
		return negativePart(x, func(neg *graph.Node) *graph.Node { return scaled(neg, attrFloat(n, "alpha", 0.01)) })
	},
	"ThresholdedRelu": func(n *protos.NodeProto, x *graph.Node) *graph.Node {
		above := graph.GreaterThan(x, graph.Scalar(x.Graph(), x.DType(), attrFloat(n, "alpha", 1)))
		return graph.Where(above, x, graph.ZerosLike(x))
	},
	"Softplus": func(_ *protos.NodeProto, x *graph.Node) *graph.Node { return graph.Softplus(x) },
	"Softsign": func(_ *protos.NodeProto, x *graph.Node) *graph.Node {
		return graph.Div(x, graph.OnePlus(graph.Abs(x)))
	},
}

// scaled is x * k.
func scaled(x *graph.Node, k float64) *graph.Node {
	return graph.Mul(x, graph.Scalar(x.Graph(), x.DType(), k))
}

// negativePart is x where x >= 0 and f(x) where x < 0 (f sees min(x, 0),
// so that exp never overflows on the unused side).
func negativePart(x *graph.Node, f func(neg *graph.Node) *graph.Node) *graph.Node {
	zero := graph.ZerosLike(x)
	return graph.Where(graph.GreaterThan(x, zero), x, f(graph.Min(x, zero)))
}

func activationOp(f func(*protos.NodeProto, *graph.Node) *graph.Node) Convert {
	return func(_ Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
		return []*graph.Node{f(n, in[0])}
	}
}

// convertPRelu is x where x >= 0, slope*x elsewhere. The slope broadcasts
// numpy-style; before opset 7 a vector of one value per channel runs along
// the channel axis.
func convertPRelu(ctx Context, _ *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x, slope := in[0], in[1]
	if ctx.Opset() < 7 && slope.Rank() == 1 && x.Rank() > 2 && slope.Shape().Dimensions[0] == x.Shape().Dimensions[1] {
		slope = channelShape(slope, x)
	}
	slope = graph.ExpandLeftToRank(slope, x.Rank())
	return []*graph.Node{negativePart(x, func(neg *graph.Node) *graph.Node { return graph.Mul(neg, slope) })}
}

// convertClip is Clip with bounds as attributes (opset < 11) or inputs.
func convertClip(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	lo, hi := attr(n, "min"), attr(n, "max")
	if lo != nil {
		x = graph.Max(x, graph.Scalar(g, x.DType(), float64(lo.F)))
	}
	if hi != nil {
		x = graph.Min(x, graph.Scalar(g, x.DType(), float64(hi.F)))
	}
	if len(in) > 1 && in[1] != nil {
		x = graph.Max(x, graph.ConvertDType(graph.Reshape(in[1]), x.DType()))
	}
	if len(in) > 2 && in[2] != nil {
		x = graph.Min(x, graph.ConvertDType(graph.Reshape(in[2]), x.DType()))
	}
	return []*graph.Node{x}
}

// convertFlatten reshapes to 2D around axis (negative axes count from the end).
func convertFlatten(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	return []*graph.Node{flatten2D(in[0], attrInt(n, "axis", 1))}
}

// flatten2D reshapes x to [product of the axes before axis, the rest].
func flatten2D(x *graph.Node, axis int) *graph.Node {
	if axis < 0 {
		axis += x.Rank()
	}
	outer := 1
	for _, d := range x.Shape().Dimensions[:axis] {
		outer *= d
	}
	return graph.Reshape(x, outer, x.Shape().Size()/max(outer, 1))
}

// convertDropout is the identity (inference), with an all-true mask.
func convertDropout(_ Context, _ *protos.NodeProto, in []*graph.Node) []*graph.Node {
	mask := graph.ConvertDType(graph.OnesLike(in[0]), dtypes.Bool)
	return []*graph.Node{in[0], mask}
}

// convertInstanceNorm normalises each example's channel over its spatial axes.
func convertInstanceNorm(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	var axes []int
	for a := 2; a < x.Rank(); a++ {
		axes = append(axes, a)
	}
	mean := graph.ReduceAndKeep(x, graph.ReduceMean, axes...)
	centred := graph.Sub(x, mean)
	variance := graph.ReduceAndKeep(graph.Square(centred), graph.ReduceMean, axes...)
	inv := graph.Inverse(graph.Sqrt(graph.Add(variance, graph.Scalar(g, x.DType(), attrFloat(n, "epsilon", 1e-5)))))
	y := graph.Mul(graph.Mul(centred, inv), channelShape(in[1], x))
	return []*graph.Node{graph.Add(y, channelShape(in[2], x))}
}

// convertGlobalMaxPool is the maximum over the spatial axes, kept as size 1;
// a flat channel's gradient goes to its first maximum (nn.ReduceMaxFirst),
// as PyTorch's, not to every tied element.
func convertGlobalMaxPool(ctx Context, _ *protos.NodeProto, in []*graph.Node) []*graph.Node {
	var axes []int
	for a := 2; a < in[0].Rank(); a++ {
		axes = append(axes, a)
	}
	return []*graph.Node{graph.ReduceAndKeep(in[0], nn.ReduceMaxFirst, axes...)}
}

// convertSlice is Slice with starts/ends/axes as attributes (opset 1) or
// inputs, and negative steps.
func convertSlice(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x := in[0]
	starts, ends, axes := attrInts(n, "starts", nil), attrInts(n, "ends", nil), attrInts(n, "axes", nil)
	var steps []int
	if len(in) > 1 {
		starts = staticInts(in[1], "Slice's starts")
		ends = staticInts(in[2], "Slice's ends")
		if len(in) > 3 && in[3] != nil {
			axes = staticInts(in[3], "Slice's axes")
		}
		if len(in) > 4 && in[4] != nil {
			steps = staticInts(in[4], "Slice's steps")
		}
	}
	if axes == nil {
		for i := range starts {
			axes = append(axes, i)
		}
	}
	if len(ends) != len(starts) || len(axes) != len(starts) || (steps != nil && len(steps) != len(starts)) {
		panic(fmt.Errorf("Slice %q: starts %v, ends %v, axes %v, steps %v differ in length", n.Name, starts, ends, axes, steps))
	}
	for i, a := range axes {
		if a < 0 {
			a += x.Rank()
		}
		step := 1
		if steps != nil {
			step = steps[i]
		}
		if step == 0 {
			panic(fmt.Errorf("Slice %q: step 0", n.Name))
		}
		x = sliceAxis(x, a, starts[i], ends[i], step)
	}
	return []*graph.Node{x}
}

// sliceAxis applies ONNX's clamping rules and slices one axis.
func sliceAxis(x *graph.Node, axis, start, end, step int) *graph.Node {
	d := x.Shape().Dimensions[axis]
	if start < 0 {
		start += d
	}
	if end < 0 && end > math.MinInt32 {
		end += d
	}
	if step > 0 {
		start, end = min(max(start, 0), d), min(max(end, 0), d)
		if start >= end {
			return graph.SliceAxis(x, axis, graph.AxisRange(0, 0))
		}
		return graph.SliceAxis(x, axis, graph.AxisRange(start, end).Stride(step))
	}
	start, end = min(max(start, 0), d-1), min(max(end, -1), d-1)
	if start <= end {
		return graph.SliceAxis(x, axis, graph.AxisRange(0, 0))
	}
	count := (start - end + (-step) - 1) / (-step)
	r := graph.Reverse(x, axis)
	from := d - 1 - start
	return graph.SliceAxis(r, axis, graph.AxisRange(from, from+(count-1)*(-step)+1).Stride(-step))
}

// unary are element-wise functions onnx-gomlx lacks, written with the
// operations GoMLX has.
var unary = map[string]func(x *graph.Node) *graph.Node{
	"Asin": func(x *graph.Node) *graph.Node { return graph.Atan2(x, graph.Sqrt(graph.OneMinus(graph.Square(x)))) },
	"Acos": func(x *graph.Node) *graph.Node { return graph.Atan2(graph.Sqrt(graph.OneMinus(graph.Square(x))), x) },
	"Atan": func(x *graph.Node) *graph.Node { return graph.Atan2(x, graph.OnesLike(x)) },
	"Sinh": func(x *graph.Node) *graph.Node { return scaled(graph.Sub(graph.Exp(x), graph.Exp(graph.Neg(x))), 0.5) },
	"Cosh": func(x *graph.Node) *graph.Node { return scaled(graph.Add(graph.Exp(x), graph.Exp(graph.Neg(x))), 0.5) },
	"Tan":  func(x *graph.Node) *graph.Node { return graph.Div(graph.Sin(x), graph.Cos(x)) },
	"Asinh": func(x *graph.Node) *graph.Node {
		return graph.Log(graph.Add(x, graph.Sqrt(graph.OnePlus(graph.Square(x)))))
	},
	"Acosh": func(x *graph.Node) *graph.Node {
		return graph.Log(graph.Add(x, graph.Sqrt(graph.Sub(graph.Square(x), graph.OnesLike(x)))))
	},
	"Atanh": func(x *graph.Node) *graph.Node {
		return scaled(graph.Log(graph.Div(graph.OnePlus(x), graph.OneMinus(x))), 0.5)
	},
}

func init() {
	for name, f := range unary {
		ops[name] = &Op{Convert: activationOp(func(_ *protos.NodeProto, x *graph.Node) *graph.Node { return f(x) })}
	}
}

// convertLogSoftmax is LogSoftmax; before opset 13 it works on the input
// flattened to 2D at axis (default 1), from 13 on one axis (default -1).
func convertLogSoftmax(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x := in[0]
	if ctx.Opset() >= 13 {
		axis := attrInt(n, "axis", -1)
		if axis < 0 {
			axis += x.Rank()
		}
		return []*graph.Node{graph.LogSoftmax(x, axis)}
	}
	flat := flatten2D(x, attrInt(n, "axis", 1))
	return []*graph.Node{graph.Reshape(graph.LogSoftmax(flat, 1), x.Shape().Dimensions...)}
}

// convertSoftmax is Softmax with the same two semantics as LogSoftmax:
// onnx-gomlx applies opset 13's one-axis form to every opset, which
// differs before 13 for inputs of rank > 2 or an axis other than the last.
func convertSoftmax(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x := in[0]
	if ctx.Opset() >= 13 {
		axis := attrInt(n, "axis", -1)
		if axis < 0 {
			axis += x.Rank()
		}
		return []*graph.Node{graph.Softmax(x, axis)}
	}
	flat := flatten2D(x, attrInt(n, "axis", 1))
	return []*graph.Node{graph.Reshape(graph.Softmax(flat, 1), x.Shape().Dimensions...)}
}

// convertMean is the element-wise mean of its inputs (broadcasting).
func convertMean(ctx Context, _ *protos.NodeProto, in []*graph.Node) []*graph.Node {
	sum := in[0]
	for _, x := range in[1:] {
		sum = graph.Add(sum, x)
	}
	return []*graph.Node{scaled(sum, 1/float64(len(in)))}
}

// convertIsInf flags infinities (either sign, as the attributes select).
func convertIsInf(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	inf := graph.Scalar(g, x.DType(), math.Inf(1))
	pos := graph.Equal(x, inf)
	neg := graph.Equal(x, graph.Neg(inf))
	switch {
	case attrInt(n, "detect_positive", 1) == 0:
		return []*graph.Node{neg}
	case attrInt(n, "detect_negative", 1) == 0:
		return []*graph.Node{pos}
	}
	return []*graph.Node{graph.LogicalOr(pos, neg)}
}

// convertLRN is local response normalisation across channels (AlexNet,
// GoogLeNet).
func convertLRN(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	size := attrInt(n, "size", 1)
	alpha, beta, bias := attrFloat(n, "alpha", 1e-4), attrFloat(n, "beta", 0.75), attrFloat(n, "bias", 1)
	window := fill(x.Rank(), 1)
	window[1] = size
	pads := make([][2]int, x.Rank())
	pads[1] = [2]int{(size - 1) / 2, size - 1 - (size-1)/2}
	sum := graph.BackendReduceWindow(graph.Square(x), compute.ReduceOpSum, window, fill(x.Rank(), 1), nil, nil, pads)
	base := graph.Add(graph.Scalar(g, x.DType(), bias), scaled(sum, alpha/float64(size)))
	return []*graph.Node{graph.Div(x, graph.Pow(base, graph.Scalar(g, x.DType(), beta)))}
}

// convertDepthToSpace moves blocks of channels into space (DCR or CRD order).
func convertDepthToSpace(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x := in[0]
	b := attrInt(n, "blocksize", 1)
	d := x.Shape().Dimensions
	N, C, H, W := d[0], d[1], d[2], d[3]
	var y *graph.Node
	if attrString(n, "mode", "DCR") == "CRD" {
		y = graph.TransposeAllDims(graph.Reshape(x, N, C/(b*b), b, b, H, W), 0, 1, 4, 2, 5, 3)
	} else {
		y = graph.TransposeAllDims(graph.Reshape(x, N, b, b, C/(b*b), H, W), 0, 3, 4, 1, 5, 2)
	}
	return []*graph.Node{graph.Reshape(y, N, C/(b*b), H*b, W*b)}
}

// convertSpaceToDepth moves blocks of space into channels.
func convertSpaceToDepth(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x := in[0]
	b := attrInt(n, "blocksize", 1)
	d := x.Shape().Dimensions
	N, C, H, W := d[0], d[1], d[2], d[3]
	y := graph.TransposeAllDims(graph.Reshape(x, N, C, H/b, b, W/b, b), 0, 3, 5, 1, 2, 4)
	return []*graph.Node{graph.Reshape(y, N, C*b*b, H/b, W/b)}
}

// convertCastLike converts the first input to the second's element type.
func convertCastLike(ctx Context, _ *protos.NodeProto, in []*graph.Node) []*graph.Node {
	return []*graph.Node{graph.ConvertDType(in[0], in[1].DType())}
}

// convertSum is the element-wise sum of its inputs (broadcasting).
func convertSum(ctx Context, _ *protos.NodeProto, in []*graph.Node) []*graph.Node {
	sum := in[0]
	for _, x := range in[1:] {
		sum = graph.Add(sum, x)
	}
	return []*graph.Node{sum}
}

// convertShrink zeroes |x| <= lambd and moves the rest towards zero by bias.
func convertShrink(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	lambd := graph.Scalar(g, x.DType(), attrFloat(n, "lambd", 0.5))
	bias := graph.Scalar(g, x.DType(), attrFloat(n, "bias", 0))
	y := graph.Where(graph.LessThan(x, graph.Neg(lambd)), graph.Add(x, bias),
		graph.Where(graph.GreaterThan(x, lambd), graph.Sub(x, bias), graph.ZerosLike(x)))
	return []*graph.Node{y}
}

// convertSplit cuts one axis into parts: sizes from the split attribute
// (opset < 13) or input, else equal parts (the last one smaller).
func convertSplit(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x := in[0]
	axis := attrInt(n, "axis", 0)
	if axis < 0 {
		axis += x.Rank()
	}
	d := x.Shape().Dimensions[axis]
	sizes := attrInts(n, "split", nil)
	if len(in) > 1 && in[1] != nil {
		sizes = staticInts(in[1], "Split's split")
	}
	if sizes == nil {
		parts := attrInt(n, "num_outputs", len(n.Output))
		each := (d + parts - 1) / parts
		for start := 0; start < d; start += each {
			sizes = append(sizes, min(each, d-start))
		}
	}
	var out []*graph.Node
	start := 0
	for _, s := range sizes {
		out = append(out, graph.SliceAxis(x, axis, graph.AxisRange(start, start+s)))
		start += s
	}
	if start != d {
		panic(fmt.Errorf("Split %q: sizes %v do not add up to %d", n.Name, sizes, d))
	}
	return out
}
