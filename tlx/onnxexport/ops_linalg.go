package onnxexport

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapeinference"
	"github.com/gomlx/compute/shapes"
)

// DotGeneral is a MatMul: directly when it is one already ([..., K] times
// [K, N]), else with both sides transposed and reshaped to [batch, M, K] and
// [batch, K, N], and the product reshaped to GoMLX's [batch..., lhs free...,
// rhs free...].
func (f *function) DotGeneral(lhs compute.Value, lc, lb []int, rhs compute.Value, rc, rb []int, config compute.DotGeneralConfig) (compute.Value, error) {
	v, err := f.vals(lhs, rhs)
	if err != nil {
		return nil, err
	}
	l, r := v[0], v[1]
	out, err := shapeinference.DotGeneral(l.shape, lc, lb, r.shape, rc, rb, config)
	if err != nil {
		return nil, err
	}
	var y *value
	if len(lb) == 0 && len(lc) == 1 && lc[0] == l.shape.Rank()-1 && r.shape.Rank() == 2 && len(rc) == 1 && rc[0] == 0 {
		y = f.r.op(withDType(out, l.shape.DType), "MatMul", []*value{l, r})
	} else if y, err = f.batchedMatMul(l, lc, lb, r, rc, rb, out); err != nil {
		return nil, err
	}
	if config.OutputDType != 0 && config.OutputDType != y.shape.DType {
		c, err := f.ConvertDType(y, config.OutputDType)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return y, nil
}

// batchedMatMul is the general DotGeneral (see DotGeneral).
func (f *function) batchedMatMul(l *value, lc, lb []int, r *value, rc, rb []int, out shapes.Shape) (*value, error) {
	free := func(rank int, used ...[]int) []int {
		var axes []int
		for i := range rank {
			if !slices.Contains(used[0], i) && !slices.Contains(used[1], i) {
				axes = append(axes, i)
			}
		}
		return axes
	}
	lf, rf := free(l.shape.Rank(), lc, lb), free(r.shape.Rank(), rc, rb)
	prod := func(s shapes.Shape, axes []int) int {
		p := 1
		for _, a := range axes {
			p *= s.Dimensions[a]
		}
		return p
	}
	lt, err := f.transpose(l, concat(lb, lf, lc))
	if err != nil {
		return nil, err
	}
	rt, err := f.transpose(r, concat(rb, rc, rf))
	if err != nil {
		return nil, err
	}
	b, m, k, n := prod(l.shape, lb), prod(l.shape, lf), prod(l.shape, lc), prod(r.shape, rf)
	l3, err := f.reshape(lt, []int{b, m, k})
	if err != nil {
		return nil, err
	}
	r3, err := f.reshape(rt, []int{b, k, n})
	if err != nil {
		return nil, err
	}
	y := f.r.op(shapes.Make(l.shape.DType, b, m, n), "MatMul", []*value{l3, r3})
	return f.reshape(y, out.Dimensions)
}

func concat(parts ...[]int) []int {
	var out []int
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ConvGeneral is an ONNX Conv on the operands transposed to NCHW / OIHW,
// its output transposed back to GoMLX's layout.
func (f *function) ConvGeneral(input, kernel compute.Value, axes compute.ConvolveAxesConfig, strides []int, paddings [][2]int,
	inputDilations, kernelDilations []int, channelGroupCount, batchGroupCount int) (compute.Value, error) {
	v, err := f.vals(input, kernel)
	if err != nil {
		return nil, err
	}
	out, err := shapeinference.ConvGeneral(v[0].shape, v[1].shape, axes, strides, paddings, inputDilations, kernelDilations, channelGroupCount, batchGroupCount)
	if err != nil {
		return nil, err
	}
	if batchGroupCount > 1 {
		return nil, fmt.Errorf("ONNX export: convolution with batch groups (%d)", batchGroupCount)
	}
	n := len(axes.InputSpatial)
	at := func(vs []int, i int) int {
		if i < len(vs) && vs[i] > 0 {
			return vs[i]
		}
		return 1
	}
	st, dil, pads := make([]int, n), make([]int, n), make([]int, 2*n)
	for i := range n {
		if d := at(inputDilations, i); d != 1 {
			return nil, fmt.Errorf("ONNX export: convolution with input dilation %d (a transposed convolution; ONNX Conv has none)", d)
		}
		st[i], dil[i] = at(strides, i), at(kernelDilations, i)
		if i < len(paddings) {
			pads[i], pads[n+i] = paddings[i][0], paddings[i][1]
		}
	}
	x, err := f.transpose(v[0], concat([]int{axes.InputBatch, axes.InputChannels}, axes.InputSpatial))
	if err != nil {
		return nil, err
	}
	k, err := f.transpose(v[1], concat([]int{axes.KernelOutputChannels, axes.KernelInputChannels}, axes.KernelSpatial))
	if err != nil {
		return nil, err
	}
	order := concat([]int{axes.OutputBatch, axes.OutputChannels}, axes.OutputSpatial)
	onnxDims := make([]int, len(order))
	for i, a := range order {
		onnxDims[i] = out.Dimensions[a]
	}
	groups := max(channelGroupCount, 1)
	y := f.r.op(shapes.Make(out.DType, onnxDims...), "Conv", []*value{x, k},
		attrInts("strides", st), attrInts("dilations", dil), attrInts("pads", pads), attrInt("group", groups))
	back := make([]int, len(order))
	for i, a := range order {
		back[a] = i
	}
	return f.transpose(y, back)
}

// BatchNormForInference is (x - mean) * scale / sqrt(variance + epsilon)
// + offset, its per-feature operands reshaped to broadcast along
// featureAxis.
func (f *function) BatchNormForInference(operand, scale, offset, mean, variance compute.Value, epsilon float32, featureAxis int) (compute.Value, error) {
	v, err := f.vals(operand, scale, offset, mean, variance)
	if err != nil {
		return nil, err
	}
	x := v[0]
	dims := make([]int, x.shape.Rank())
	for i := range dims {
		dims[i] = 1
	}
	if featureAxis < 0 || featureAxis >= len(dims) {
		return nil, fmt.Errorf("ONNX export: BatchNorm feature axis %d of a rank-%d tensor", featureAxis, len(dims))
	}
	dims[featureAxis] = x.shape.Dimensions[featureAxis]
	p := make([]*value, 4)
	for i, s := range v[1:] {
		if p[i], err = f.reshape(s, dims); err != nil {
			return nil, err
		}
	}
	eps, err := f.r.scalar(x.shape.DType, float64(epsilon))
	if err != nil {
		return nil, err
	}
	ps := p[0].shape
	std := f.r.op(ps, "Sqrt", []*value{f.r.op(ps, "Add", []*value{p[3], eps})})
	factor := f.r.op(ps, "Div", []*value{p[0], std})
	centred := f.r.op(x.shape, "Sub", []*value{x, p[2]})
	return f.r.op(x.shape, "Add", []*value{f.r.op(x.shape, "Mul", []*value{centred, factor}), p[1]}), nil
}
