// Package onnxops converts the ONNX operators that onnx-gomlx lacks or
// converts wrongly (pooling attributes, Resize, legacy opsets,
// normalisations with their extra outputs, ConvTranspose, activations...),
// for package onnxnet's converter. Each conversion sees every input's
// shape; a few rewrite the node and hand it back to onnx-gomlx.
package onnxops

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/nn"
)

// Context is what a conversion may ask of the converter running it.
type Context interface {
	// Graph is the graph being built.
	Graph() *graph.Graph
	// Opset is the model's default-domain operator set version.
	Opset() int
	// ONNX converts node (typically a rewrite of the node being converted,
	// key) with onnx-gomlx and returns its outputs.
	ONNX(node, key *protos.NodeProto) []*graph.Node
}

// Convert builds one operator's outputs from its inputs (nil for inputs
// the node leaves out).
type Convert func(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node

// Op is an ONNX operator tlx converts itself, with every input's shape
// known, where onnx-gomlx lacks it or some of its attributes.
type Op struct {
	Handles func(n *protos.NodeProto) bool // nil: every node of the type
	// Static lists inputs that must be constants; when one is computed
	// (e.g. from Shape), the node goes to onnx-gomlx, which can fold it.
	Static  []int
	Convert Convert
}

// Lookup returns the conversion for node n, or nil when onnx-gomlx
// converts it.
func Lookup(n *protos.NodeProto) *Op {
	op := ops[n.OpType]
	if op == nil || (op.Handles != nil && !op.Handles(n)) {
		return nil
	}
	return op
}

// ops are the operators tlx converts itself.
var ops = map[string]*Op{
	"MaxPool":            {Convert: convertPool},
	"AveragePool":        {Convert: convertPool},
	"BatchNormalization": {Convert: convertBatchNorm},
	"LayerNormalization": {Convert: convertLayerNorm},
	"HardSigmoid":        {Convert: convertHardSigmoid},
	"HardSwish":          {Convert: convertHardSigmoid},
	"Gelu":               {Convert: convertGelu},
	"Pad":                {Convert: convertPad, Static: []int{1, 3}},
	"Conv": {
		Handles: func(n *protos.NodeProto) bool {
			return im2colConv(n) || attrString(n, "auto_pad", "NOTSET") != "NOTSET" ||
				(slices.ContainsFunc(attrInts(n, "strides", nil), func(s int) bool { return s > 1 }) &&
					slices.ContainsFunc(attrInts(n, "dilations", nil), func(d int) bool { return d > 1 }))
		},
		Convert: convertConv,
	},
	"Flatten":               {Convert: convertFlatten},
	"Clip":                  {Convert: convertClip},
	"Slice":                 {Convert: convertSlice, Static: []int{1, 2, 3, 4}},
	"Dropout":               {Convert: convertDropout},
	"InstanceNormalization": {Convert: convertInstanceNorm},
	"GlobalMaxPool":         {Convert: convertGlobalMaxPool},
	"Resize":                {Convert: convertResize, Static: []int{1, 2, 3}},
	"PRelu":                 {Convert: convertPRelu},
	"LogSoftmax":            {Convert: convertLogSoftmax},
	"Softmax":               {Convert: convertSoftmax},
	"Mean":                  {Convert: convertMean},
	"IsInf":                 {Convert: convertIsInf},
	"LRN":                   {Convert: convertLRN},
	"DepthToSpace":          {Convert: convertDepthToSpace},
	"SpaceToDepth":          {Convert: convertSpaceToDepth},
	"CastLike":              {Convert: convertCastLike},
	"ConvTranspose":         {Convert: convertConvTranspose},
	"Sum":                   {Convert: convertSum},
	"Shrink":                {Convert: convertShrink},
	"Split":                 {Convert: convertSplit, Static: []int{1}},
	"Upsample":              {Convert: convertResize, Static: []int{1}},
}

func init() {
	for name, f := range activations {
		ops[name] = &Op{Convert: activationOp(f)}
	}
}

func attr(n *protos.NodeProto, name string) *protos.AttributeProto {
	for _, a := range n.Attribute {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func attrInts(n *protos.NodeProto, name string, def []int) []int {
	a := attr(n, name)
	if a == nil || len(a.Ints) == 0 {
		return def
	}
	out := make([]int, len(a.Ints))
	for i, v := range a.Ints {
		out[i] = int(v)
	}
	return out
}

func attrInt(n *protos.NodeProto, name string, def int) int {
	if a := attr(n, name); a != nil {
		return int(a.I)
	}
	return def
}

func attrFloat(n *protos.NodeProto, name string, def float64) float64 {
	if a := attr(n, name); a != nil {
		return float64(a.F)
	}
	return def
}

func attrString(n *protos.NodeProto, name, def string) string {
	if a := attr(n, name); a != nil {
		return string(a.S)
	}
	return def
}

func fill(n, v int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// windowPads resolves a pooling or convolution window's padding for the
// spatial sizes in: explicit pads, or auto_pad SAME_UPPER / SAME_LOWER /
// VALID. It returns begin and end pads per spatial axis.
func windowPads(n *protos.NodeProto, in, kernel, strides, dilations []int) (begin, end []int) {
	sp := len(in)
	pads := attrInts(n, "pads", fill(2*sp, 0))
	if len(pads) != 2*sp {
		panic(fmt.Errorf("%s %q: pads %v, want %d values", n.OpType, n.Name, pads, 2*sp))
	}
	begin, end = slices.Clone(pads[:sp]), slices.Clone(pads[sp:])
	switch mode := attrString(n, "auto_pad", "NOTSET"); mode {
	case "NOTSET":
	case "VALID":
		begin, end = fill(sp, 0), fill(sp, 0)
	case "SAME_UPPER", "SAME_LOWER":
		for i := range sp {
			out := (in[i] + strides[i] - 1) / strides[i]
			total := max((out-1)*strides[i]+(kernel[i]-1)*dilations[i]+1-in[i], 0)
			small, big := total/2, total-total/2
			if mode == "SAME_UPPER" {
				begin[i], end[i] = small, big
			} else {
				begin[i], end[i] = big, small
			}
		}
	default:
		panic(fmt.Errorf("%s %q: auto_pad %q is not an ONNX mode", n.OpType, n.Name, mode))
	}
	return begin, end
}

// convertPool is MaxPool and AveragePool with every attribute: strides
// (default 1, which onnx-gomlx reads as the kernel size), dilations,
// auto_pad, ceil_mode and count_include_pad.
func convertPool(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	sp := x.Rank() - 2
	kernel := attrInts(n, "kernel_shape", nil)
	if len(kernel) != sp {
		panic(fmt.Errorf("%s %q: kernel_shape %v for a rank-%d input", n.OpType, n.Name, kernel, x.Rank()))
	}
	strides := attrInts(n, "strides", fill(sp, 1))
	dilations := attrInts(n, "dilations", fill(sp, 1))
	dims := x.Shape().Dimensions[2:]
	begin, end := windowPads(n, dims, kernel, strides, dilations)
	extra := make([]int, sp) // ceil_mode: more padding at the end
	if attrInt(n, "ceil_mode", 0) == 1 {
		for i := range sp {
			span := (kernel[i]-1)*dilations[i] + 1
			padded := dims[i] + begin[i] + end[i]
			out := (padded-span+strides[i]-1)/strides[i] + 1
			if (out-1)*strides[i] >= dims[i]+begin[i] { // a window must start inside the input or left padding
				out--
			}
			extra[i] = max((out-1)*strides[i]+span-padded, 0)
		}
	}
	window := append([]int{1, 1}, kernel...)
	stride := append([]int{1, 1}, strides...)
	var dil []int // nil when 1: GoMLX has no gradient for dilated windows
	if slices.ContainsFunc(dilations, func(d int) bool { return d != 1 }) {
		dil = append([]int{1, 1}, dilations...)
	}
	paddings := [][2]int{{0, 0}, {0, 0}}
	for i := range sp {
		paddings = append(paddings, [2]int{begin[i], end[i] + extra[i]})
	}
	if n.OpType == "MaxPool" {
		return []*graph.Node{graph.BackendReduceWindow(x, compute.ReduceOpMax, window, stride, nil, dil, paddings)}
	}
	sum := graph.BackendReduceWindow(x, compute.ReduceOpSum, window, stride, nil, dil, paddings)
	// The divisor: how many input (and, with count_include_pad, explicit
	// padding) positions each window covers.
	ones := graph.Ones(g, shapes.Make(x.DType(), append([]int{1, 1}, dims...)...))
	countPads := paddings
	if attrInt(n, "count_include_pad", 0) == 1 {
		axes := []compute.PadAxis{{}, {}}
		countPads = [][2]int{{0, 0}, {0, 0}}
		for i := range sp {
			axes = append(axes, compute.PadAxis{Start: begin[i], End: end[i]})
			countPads = append(countPads, [2]int{0, extra[i]})
		}
		ones = graph.Pad(ones, graph.ScalarOne(g, x.DType()), axes...)
	}
	count := graph.BackendReduceWindow(ones, compute.ReduceOpSum, window, stride, nil, dil, countPads)
	return []*graph.Node{graph.Div(sum, count)}
}

// convertConv resolves auto_pad into explicit pads (which needs the
// input's size), and runs a convolution that is both strided and dilated
// (GoMLX takes one or the other) at stride 1 followed by subsampling; the
// convolution itself goes to onnx-gomlx.
func convertConv(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x, w := in[0], in[1]
	if y := convIm2col(n, in); y != nil {
		return []*graph.Node{y}
	}
	sp := x.Rank() - 2
	kernel := attrInts(n, "kernel_shape", w.Shape().Dimensions[2:])
	strides := attrInts(n, "strides", fill(sp, 1))
	dilations := attrInts(n, "dilations", fill(sp, 1))
	begin, end := windowPads(n, x.Shape().Dimensions[2:], kernel, strides, dilations)
	explicit := proto.Clone(n).(*protos.NodeProto)
	var attrs []*protos.AttributeProto
	for _, a := range explicit.Attribute {
		if a.Name != "auto_pad" && a.Name != "pads" && a.Name != "strides" {
			attrs = append(attrs, a)
		}
	}
	pads := &protos.AttributeProto{Name: "pads", Type: protos.AttributeProto_INTS}
	for _, p := range append(begin, end...) {
		pads.Ints = append(pads.Ints, int64(p))
	}
	attrs = append(attrs, pads)
	subsample := slices.ContainsFunc(dilations, func(d int) bool { return d > 1 })
	if !subsample {
		st := &protos.AttributeProto{Name: "strides", Type: protos.AttributeProto_INTS}
		for _, v := range strides {
			st.Ints = append(st.Ints, int64(v))
		}
		attrs = append(attrs, st)
	}
	explicit.Attribute = attrs
	y := ctx.ONNX(explicit, n)[0]
	if subsample {
		for i, s := range strides {
			if s > 1 {
				y = graph.SliceAxis(y, 2+i, graph.AxisRange().Stride(s))
			}
		}
	}
	return []*graph.Node{y}
}

// im2colConv reports a 2D convolution in PyTorch's usual form (square odd
// kernel, padding k/2 on every side, one stride, no dilation, no auto_pad):
// tlx's im2col convolution (package nn) runs it, several times faster on
// the Go backend than the generic convolution and with a gradient ONNX
// Runtime supports. Its group count is checked against the shapes later.
func im2colConv(n *protos.NodeProto) bool {
	k := attrInts(n, "kernel_shape", nil)
	if len(k) != 2 || k[0] != k[1] || k[0]%2 == 0 || attrString(n, "auto_pad", "NOTSET") != "NOTSET" {
		return false
	}
	for _, p := range attrInts(n, "pads", []int{0, 0, 0, 0}) {
		if p != k[0]/2 {
			return false
		}
	}
	st := attrInts(n, "strides", []int{1, 1})
	for _, d := range attrInts(n, "dilations", []int{1, 1}) {
		if d != 1 {
			return false
		}
	}
	return len(st) == 2 && st[0] == st[1]
}

// convIm2col runs an im2colConv convolution (plain or depthwise) in NHWC
// with package nn, or returns nil when the shapes do not fit.
func convIm2col(n *protos.NodeProto, in []*graph.Node) *graph.Node {
	if !im2colConv(n) {
		return nil
	}
	x, w := in[0], in[1]
	if x.Rank() != 4 || w.Rank() != 4 {
		return nil
	}
	cin, cout := x.Shape().Dimensions[1], w.Shape().Dimensions[0]
	group := attrInt(n, "group", 1)
	s := attrInts(n, "strides", []int{1, 1})[0]
	nhwc := graph.TransposeAllDims(x, 0, 2, 3, 1)
	var y *graph.Node
	switch {
	case group == 1:
		y = nn.Convolve2D(nhwc, graph.TransposeAllDims(w, 2, 3, 1, 0), s) // OIHW -> HWIO
	case group == cin && cout == cin && w.Shape().Dimensions[1] == 1:
		k := w.Shape().Dimensions[2]
		y = nn.DepthwiseConvolve2D(nhwc, graph.Reshape(graph.TransposeAllDims(w, 2, 3, 1, 0), k, k, cin), s)
	default:
		return nil
	}
	y = graph.TransposeAllDims(y, 0, 3, 1, 2)
	if len(in) > 2 && in[2] != nil {
		y = graph.Add(y, channelShape(in[2], y))
	}
	return y
}

// channelShape reshapes a per-channel vector [C] to broadcast over x
// [N, C, ...].
func channelShape(v, x *graph.Node) *graph.Node {
	dims := fill(x.Rank(), 1)
	dims[1] = v.Shape().Dimensions[0]
	return graph.Reshape(v, dims...)
}

// convertBatchNorm is BatchNormalization in inference mode, and in
// training mode (batch statistics, plus the updated running statistics).
func convertBatchNorm(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x, scale, bias, mean, variance := in[0], in[1], in[2], in[3], in[4]
	eps := graph.Scalar(g, x.DType(), attrFloat(n, "epsilon", 1e-5))
	norm := func(m, v *graph.Node) *graph.Node {
		inv := graph.Inverse(graph.Sqrt(graph.Add(channelShape(v, x), eps)))
		y := graph.Mul(graph.Sub(x, channelShape(m, x)), inv)
		return graph.Add(graph.Mul(y, channelShape(scale, x)), channelShape(bias, x))
	}
	if attrInt(n, "training_mode", 0) == 0 {
		return []*graph.Node{norm(mean, variance)}
	}
	axes := []int{0}
	for a := 2; a < x.Rank(); a++ {
		axes = append(axes, a)
	}
	batchMean := graph.ReduceMean(x, axes...)
	batchVar := graph.ReduceVariance(x, axes...)
	momentum := graph.Scalar(g, x.DType(), attrFloat(n, "momentum", 0.9))
	rest := graph.OneMinus(momentum)
	runMean := graph.Add(graph.Mul(mean, momentum), graph.Mul(batchMean, rest))
	runVar := graph.Add(graph.Mul(variance, momentum), graph.Mul(batchVar, rest))
	return []*graph.Node{norm(batchMean, batchVar), runMean, runVar}
}

// convertLayerNorm is LayerNormalization with its optional Mean and
// InvStdDev outputs.
func convertLayerNorm(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	axis := attrInt(n, "axis", -1)
	if axis < 0 {
		axis += x.Rank()
	}
	var axes []int
	for a := axis; a < x.Rank(); a++ {
		axes = append(axes, a)
	}
	mean := graph.ReduceAndKeep(x, graph.ReduceMean, axes...)
	centred := graph.Sub(x, mean)
	variance := graph.ReduceAndKeep(graph.Square(centred), graph.ReduceMean, axes...)
	inv := graph.Inverse(graph.Sqrt(graph.Add(variance, graph.Scalar(g, x.DType(), attrFloat(n, "epsilon", 1e-5)))))
	y := graph.Mul(graph.Mul(centred, inv), graph.ExpandLeftToRank(in[1], x.Rank()))
	if len(in) > 2 && in[2] != nil {
		y = graph.Add(y, graph.ExpandLeftToRank(in[2], x.Rank()))
	}
	return []*graph.Node{y, mean, inv}
}

// convertHardSigmoid is HardSigmoid max(0, min(1, alpha*x + beta)) and
// HardSwish x * HardSigmoid(x) with alpha 1/6, beta 1/2.
func convertHardSigmoid(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	alpha, beta := attrFloat(n, "alpha", 0.2), attrFloat(n, "beta", 0.5)
	if n.OpType == "HardSwish" {
		alpha, beta = 1.0/6, 0.5
	}
	h := graph.ClipScalar(graph.Add(graph.Mul(x, graph.Scalar(g, x.DType(), alpha)), graph.Scalar(g, x.DType(), beta)), 0, 1)
	if n.OpType == "HardSwish" {
		h = graph.Mul(x, h)
	}
	return []*graph.Node{h}
}

// convertGelu is Gelu, exact (erf) or with the tanh approximation.
func convertGelu(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	dt := x.DType()
	half := graph.Mul(x, graph.Scalar(g, dt, 0.5))
	var inner *graph.Node
	if attrString(n, "approximate", "none") == "tanh" {
		cube := graph.Mul(graph.Mul(x, x), x)
		arg := graph.Mul(graph.Add(x, graph.Mul(cube, graph.Scalar(g, dt, 0.044715))), graph.Scalar(g, dt, math.Sqrt(2/math.Pi)))
		inner = graph.Tanh(arg)
	} else {
		inner = graph.Erf(graph.Mul(x, graph.Scalar(g, dt, 1/math.Sqrt2)))
	}
	return []*graph.Node{graph.Mul(half, graph.OnePlus(inner))}
}

// staticValues reads a tensor that must be known while building the
// graph (pads, axes, Resize's scales): a constant, converted to T.
func staticValues[T int | float64](x *graph.Node, what string) []T {
	if x == nil || x.Shape().Size() == 0 {
		return nil
	}
	t := x.ConstantValue()
	if t == nil {
		panic(fmt.Errorf("%s must be a constant in tlx (the graph computes it)", what))
	}
	var out []T
	add := func(v float64) { out = append(out, T(v)) }
	switch t.DType() {
	case dtypes.Int32:
		for _, e := range tensors.MustCopyFlatData[int32](t) {
			add(float64(e))
		}
	case dtypes.Int64:
		for _, e := range tensors.MustCopyFlatData[int64](t) {
			out = append(out, T(e))
		}
	case dtypes.Float64:
		for _, e := range tensors.MustCopyFlatData[float64](t) {
			add(e)
		}
	default:
		for _, e := range tensors.MustCopyFlatData[float32](t) {
			add(float64(e))
		}
	}
	return out
}

// staticInts is staticValues for integer parameters.
func staticInts(x *graph.Node, what string) []int { return staticValues[int](x, what) }

// StaticInputs reports whether the inputs that must be known while
// building the graph are constants. A node computed wholly from constants
// (shape arithmetic) also goes to onnx-gomlx, which folds such chains.
func (op *Op) StaticInputs(in []*graph.Node) bool {
	allConstant := true
	for _, x := range in {
		if x != nil && !x.IsConstantExpression() {
			allConstant = false
			break
		}
	}
	if allConstant {
		return false
	}
	for _, i := range op.Static {
		if i < len(in) && in[i] != nil && in[i].ConstantValue() == nil {
			return false
		}
	}
	return true
}
