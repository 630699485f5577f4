package tfjs

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	timage "github.com/gomlx/gomlx/core/tensors/images"

	"github.com/tlx-go/tlx/tlx/nn"
)

// config holds the layer settings tlx reads (Keras's snake_case names).
type config struct {
	Filters         int             `json:"filters"`
	KernelSize      json.RawMessage `json:"kernel_size"`
	Strides         json.RawMessage `json:"strides"`
	Padding         json.RawMessage `json:"padding"`
	DilationRate    json.RawMessage `json:"dilation_rate"`
	Activation      string          `json:"activation"`
	UseBias         *bool           `json:"use_bias"`
	DepthMultiplier int             `json:"depth_multiplier"`
	Units           int             `json:"units"`
	Axis            json.RawMessage `json:"axis"`
	Epsilon         *float64        `json:"epsilon"`
	Center          *bool           `json:"center"`
	Scale           *bool           `json:"scale"`
	MaxValue        *float64        `json:"max_value"`
	NegativeSlope   float64         `json:"negative_slope"`
	Threshold       float64         `json:"threshold"`
	Alpha           *float64        `json:"alpha"`
	PoolSize        json.RawMessage `json:"pool_size"`
	Rate            float64         `json:"rate"`
	TargetShape     []int           `json:"target_shape"`
	DataFormat      string          `json:"data_format"`
	KeepDims        bool            `json:"keepdims"`
}

// pair reads an int or [a, b] setting (kernel_size, strides).
func pair(raw json.RawMessage, def int) [2]int {
	if len(raw) == 0 || string(raw) == "null" {
		return [2]int{def, def}
	}
	var one int
	if json.Unmarshal(raw, &one) == nil {
		return [2]int{one, one}
	}
	var two []int
	if json.Unmarshal(raw, &two) == nil && len(two) == 2 {
		return [2]int{two[0], two[1]}
	}
	panic(fmt.Errorf("setting %s: want an integer or two", raw))
}

// apply computes one Keras layer on its inputs (NHWC).
func apply(c *nn.Ctx, l *layerConfig, in []*graph.Node) *graph.Node {
	var cfg config
	if len(l.Config) > 0 {
		if err := json.Unmarshal(l.Config, &cfg); err != nil {
			panic(fmt.Errorf("layer %s: config: %w", l.Name, err))
		}
	}
	if cfg.DataFormat == "channels_first" {
		panic(fmt.Errorf("layer %s: data_format channels_first is not supported", l.Name))
	}
	x := in[0]
	g := x.Graph()
	useBias := cfg.UseBias == nil || *cfg.UseBias
	switch l.ClassName {
	case "Conv2D":
		k := variable(c, l, "kernel", g)
		y := convolve(x, k, cfg, 1)
		if useBias {
			y = graph.Add(y, graph.ExpandLeftToRank(variable(c, l, "bias", g), y.Rank()))
		}
		return activation(y, cfg.Activation, l)
	case "DepthwiseConv2D":
		k := variable(c, l, "depthwise_kernel", g) // [kh, kw, in, multiplier]
		d := k.Shape().Dimensions
		k = graph.Reshape(k, d[0], d[1], 1, d[2]*d[3])
		y := convolve(x, k, cfg, d[2])
		if useBias {
			y = graph.Add(y, graph.ExpandLeftToRank(variable(c, l, "bias", g), y.Rank()))
		}
		return activation(y, cfg.Activation, l)
	case "Dense":
		w := variable(c, l, "kernel", g)
		y := graph.DotGeneral(x, []int{x.Rank() - 1}, nil, w, []int{0}, nil)
		if useBias {
			y = graph.Add(y, graph.ExpandLeftToRank(variable(c, l, "bias", g), y.Rank()))
		}
		return activation(y, cfg.Activation, l)
	case "BatchNormalization":
		return batchNorm(c, l, x, cfg)
	case "Activation":
		return activation(x, cfg.Activation, l)
	case "ReLU":
		return relu(x, cfg)
	case "LeakyReLU":
		alpha := 0.3
		if cfg.Alpha != nil {
			alpha = *cfg.Alpha
		}
		return graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, graph.MulScalar(x, alpha))
	case "Add":
		for _, y := range in[1:] {
			x = graph.Add(x, y)
		}
		return x
	case "Multiply":
		for _, y := range in[1:] {
			x = graph.Mul(x, y)
		}
		return x
	case "Concatenate":
		axis := -1
		if len(cfg.Axis) > 0 {
			_ = json.Unmarshal(cfg.Axis, &axis)
		}
		if axis < 0 {
			axis += x.Rank()
		}
		return graph.Concatenate(in, axis)
	case "ZeroPadding2D":
		p := zeroPadding(cfg.Padding, l)
		return graph.Pad(x, graph.ScalarZero(g, x.DType()), compute.PadAxis{}, compute.PadAxis{Start: p[0][0], End: p[0][1]},
			compute.PadAxis{Start: p[1][0], End: p[1][1]}, compute.PadAxis{})
	case "MaxPooling2D", "AveragePooling2D":
		return pool(x, cfg, l.ClassName == "MaxPooling2D")
	case "GlobalAveragePooling2D", "GlobalMaxPooling2D":
		var y *graph.Node
		if l.ClassName == "GlobalAveragePooling2D" {
			y = graph.ReduceMean(x, 1, 2)
		} else {
			y = nn.ReduceMaxFirst(x, 1, 2) // a flat channel's gradient goes to one element, as in TF
		}
		if cfg.KeepDims {
			d := y.Shape().Dimensions
			y = graph.Reshape(y, d[0], 1, 1, d[1])
		}
		return y
	case "Dropout", "SpatialDropout2D":
		return nn.Dropout(c, x, cfg.Rate)
	case "Flatten":
		return graph.Reshape(x, x.Shape().Dimensions[0], -1)
	case "Reshape":
		return graph.Reshape(x, append([]int{x.Shape().Dimensions[0]}, cfg.TargetShape...)...)
	}
	panic(fmt.Errorf("layer %s: Keras layer type %s is not supported by tlx", l.Name, l.ClassName))
}

// samePads is TensorFlow's "same" padding for one axis.
func samePads(in, k, s, d int) [2]int {
	span := (k-1)*d + 1
	out := (in + s - 1) / s
	total := max((out-1)*s+span-in, 0)
	return [2]int{total / 2, total - total/2}
}

// padding reads "valid" or "same".
func padding(raw json.RawMessage) string {
	var p string
	if len(raw) == 0 {
		return "valid"
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		panic(fmt.Errorf("padding %s: want \"valid\" or \"same\"", raw))
	}
	return p
}

// convolve is a 2D convolution with Keras's padding, strides and dilation
// (groups > 1: depthwise).
func convolve(x, k *graph.Node, cfg config, groups int) *graph.Node {
	kd := k.Shape().Dimensions
	strides := pair(cfg.Strides, 1)
	dil := pair(cfg.DilationRate, 1)
	pads := [][2]int{{0, 0}, {0, 0}}
	if padding(cfg.Padding) == "same" {
		for i := range 2 {
			pads[i] = samePads(x.Shape().Dimensions[1+i], kd[i], strides[i], dil[i])
		}
	}
	conv := graph.Convolve(x, k).ChannelsAxis(timage.ChannelsLast).PaddingPerDim(pads)
	if strides != [2]int{1, 1} {
		conv = conv.StridePerAxis(strides[0], strides[1])
	}
	if dil != [2]int{1, 1} {
		conv = conv.DilationPerAxis(dil[0], dil[1])
	}
	if groups > 1 {
		conv = conv.ChannelGroupCount(groups)
	}
	return conv.Done()
}

// pool is Max/AveragePooling2D; "same" averages count only real inputs.
func pool(x *graph.Node, cfg config, isMax bool) *graph.Node {
	size := pair(cfg.PoolSize, 2)
	strides := size
	if len(cfg.Strides) > 0 && string(cfg.Strides) != "null" {
		strides = pair(cfg.Strides, 1)
	}
	pads := [][2]int{{0, 0}, {0, 0}, {0, 0}, {0, 0}}
	if padding(cfg.Padding) == "same" {
		for i := range 2 {
			pads[1+i] = samePads(x.Shape().Dimensions[1+i], size[i], strides[i], 1)
		}
	}
	window := []int{1, size[0], size[1], 1}
	stride := []int{1, strides[0], strides[1], 1}
	if isMax {
		return graph.BackendReduceWindow(x, compute.ReduceOpMax, window, stride, nil, nil, pads)
	}
	sum := graph.BackendReduceWindow(x, compute.ReduceOpSum, window, stride, nil, nil, pads)
	d := x.Shape().Dimensions
	ones := graph.Ones(x.Graph(), shapes.Make(x.DType(), 1, d[1], d[2], 1))
	count := graph.BackendReduceWindow(ones, compute.ReduceOpSum, window, stride, nil, nil, pads)
	return graph.Div(sum, count)
}

// zeroPadding reads ZeroPadding2D's padding: n, [h, w] or [[t, b], [l, r]].
func zeroPadding(raw json.RawMessage, l *layerConfig) [2][2]int {
	var one int
	if json.Unmarshal(raw, &one) == nil {
		return [2][2]int{{one, one}, {one, one}}
	}
	var two []int
	if json.Unmarshal(raw, &two) == nil && len(two) == 2 {
		return [2][2]int{{two[0], two[0]}, {two[1], two[1]}}
	}
	var four [][]int
	if json.Unmarshal(raw, &four) == nil && len(four) == 2 && len(four[0]) == 2 && len(four[1]) == 2 {
		return [2][2]int{{four[0][0], four[0][1]}, {four[1][0], four[1][1]}}
	}
	panic(fmt.Errorf("layer %s: padding %s", l.Name, raw))
}

// batchNorm normalises the last axis with the moving statistics.
func batchNorm(c *nn.Ctx, l *layerConfig, x *graph.Node, cfg config) *graph.Node {
	axis := -1
	if len(cfg.Axis) > 0 {
		var a int
		if json.Unmarshal(cfg.Axis, &a) == nil {
			axis = a
		} else {
			var as []int
			if json.Unmarshal(cfg.Axis, &as) != nil || len(as) != 1 {
				panic(fmt.Errorf("layer %s: axis %s", l.Name, cfg.Axis))
			}
			axis = as[0]
		}
	}
	if axis != -1 && axis != x.Rank()-1 {
		panic(fmt.Errorf("layer %s: BatchNormalization over axis %d (only the last axis is supported)", l.Name, axis))
	}
	g := x.Graph()
	eps := 1e-3
	if cfg.Epsilon != nil {
		eps = *cfg.Epsilon
	}
	mean := variable(c, l, "moving_mean", g)
	variance := variable(c, l, "moving_variance", g)
	inv := graph.Inverse(graph.Sqrt(graph.AddScalar(variance, eps)))
	if cfg.Scale == nil || *cfg.Scale {
		inv = graph.Mul(inv, variable(c, l, "gamma", g))
	}
	y := graph.Mul(graph.Sub(x, graph.ExpandLeftToRank(mean, x.Rank())), graph.ExpandLeftToRank(inv, x.Rank()))
	if cfg.Center == nil || *cfg.Center {
		y = graph.Add(y, graph.ExpandLeftToRank(variable(c, l, "beta", g), x.Rank()))
	}
	return y
}

// relu is Keras's ReLU layer: max_value, negative_slope and threshold.
func relu(x *graph.Node, cfg config) *graph.Node {
	th := graph.Scalar(x.Graph(), x.DType(), cfg.Threshold)
	above := graph.GreaterOrEqual(x, th)
	neg := graph.MulScalar(graph.Sub(x, th), cfg.NegativeSlope)
	y := graph.Where(above, x, neg)
	if cfg.MaxValue != nil {
		y = graph.Min(y, graph.Scalar(x.Graph(), x.DType(), *cfg.MaxValue))
	}
	return y
}

// activation applies a Keras activation by name.
func activation(x *graph.Node, name string, l *layerConfig) *graph.Node {
	switch name {
	case "", "linear":
		return x
	case "relu":
		return graph.Max(x, graph.ZerosLike(x))
	case "relu6":
		return graph.ClipScalar(x, 0, 6)
	case "sigmoid":
		return graph.Sigmoid(x)
	case "hard_sigmoid", "hardSigmoid":
		return graph.ClipScalar(graph.AddScalar(graph.MulScalar(x, 0.2), 0.5), 0, 1)
	case "tanh":
		return graph.Tanh(x)
	case "softmax":
		return graph.Softmax(x, x.Rank()-1)
	case "log_softmax", "logSoftmax":
		return graph.LogSoftmax(x, x.Rank()-1)
	case "softplus":
		return graph.Softplus(x)
	case "softsign":
		return graph.Div(x, graph.OnePlus(graph.Abs(x)))
	case "elu":
		return graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, graph.Expm1(graph.Min(x, graph.ZerosLike(x))))
	case "selu":
		elu := graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x,
			graph.MulScalar(graph.Expm1(graph.Min(x, graph.ZerosLike(x))), 1.6732632423543772))
		return graph.MulScalar(elu, 1.0507009873554805)
	case "swish", "silu":
		return graph.Mul(x, graph.Sigmoid(x))
	case "gelu":
		return graph.Mul(graph.MulScalar(x, 0.5), graph.OnePlus(graph.Erf(graph.MulScalar(x, 1/math.Sqrt2))))
	}
	panic(fmt.Errorf("layer %s: activation %q is not supported by tlx", l.Name, name))
}
