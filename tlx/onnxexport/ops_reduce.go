package onnxexport

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapeinference"
	"github.com/gomlx/compute/shapes"
)

// reduce records an ONNX reduction without kept dimensions; ReduceSum
// takes its axes as an input in opset 13, the others as an attribute.
func (f *function) reduce(onnxOp string, x compute.Value, axes []int) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	s, err := shapeinference.Reduce(v[0].shape, axes)
	if err != nil {
		return nil, err
	}
	if len(axes) == 0 {
		return v[0], nil
	}
	if onnxOp == "ReduceSum" {
		return &value{name: f.r.node(onnxOp, []string{v[0].name, f.r.ints(axes)}, attrInt("keepdims", 0)), shape: s}, nil
	}
	return f.r.op(s, onnxOp, v, attrInts("axes", axes), attrInt("keepdims", 0)), nil
}

func (f *function) ReduceSum(x compute.Value, axes ...int) (compute.Value, error) {
	return f.reduce("ReduceSum", x, axes)
}
func (f *function) ReduceMax(x compute.Value, axes ...int) (compute.Value, error) {
	return f.reduce("ReduceMax", x, axes)
}
func (f *function) ReduceMin(x compute.Value, axes ...int) (compute.Value, error) {
	return f.reduce("ReduceMin", x, axes)
}
func (f *function) ReduceProduct(x compute.Value, axes ...int) (compute.Value, error) {
	return f.reduce("ReduceProd", x, axes)
}

// ArgMinMax gives the first extreme index (select_last_index=0, as GoMLX).
func (f *function) ArgMinMax(x compute.Value, axis int, outputDType dtypes.DType, isMin bool) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	s, err := shapeinference.ArgMinMax(v[0].shape, axis, outputDType)
	if err != nil {
		return nil, err
	}
	op := "ArgMax"
	if isMin {
		op = "ArgMin"
	}
	idx := f.r.op(withDType(s, dtypes.Int64), op, v, attrInt("axis", axis), attrInt("keepdims", 0))
	if outputDType == dtypes.Int64 {
		return idx, nil
	}
	return f.ConvertDType(idx, outputDType)
}

// ReduceWindow is a pooling: the axes the window moves over become ONNX
// spatial axes (transposed behind the others), max as MaxPool, min as
// -MaxPool(-x), sum as AveragePool (padding counted) times the window size.
func (f *function) ReduceWindow(input compute.Value, kind compute.ReduceOpType,
	window, strides, inputDilations, windowDilations []int, paddings [][2]int) (compute.Value, error) {
	v, err := f.vals(input)
	if err != nil {
		return nil, err
	}
	x := v[0]
	outShape, err := shapeinference.ReduceWindow(x.shape, window, strides, inputDilations, windowDilations, paddings)
	if err != nil {
		return nil, err
	}
	rank := x.shape.Rank()
	at := func(vs []int, i int) int {
		if i < len(vs) && vs[i] > 0 {
			return vs[i]
		}
		return 1
	}
	var plain, spatial []int
	for i := range rank {
		var pad [2]int
		if i < len(paddings) {
			pad = paddings[i]
		}
		if at(inputDilations, i) != 1 {
			return nil, fmt.Errorf("ONNX export: window reduction with input dilation %d on axis %d (ONNX pools have none)", at(inputDilations, i), i)
		}
		if at(window, i) == 1 && at(strides, i) == 1 && pad == [2]int{} {
			plain = append(plain, i)
		} else {
			spatial = append(spatial, i)
		}
	}
	if len(spatial) == 0 {
		return x, nil
	}
	if len(plain) != 2 {
		return nil, fmt.Errorf("ONNX export: window reduction over axes %v of a rank-%d tensor leaves %d other axes; ONNX pools want batch and channel (2)", spatial, rank, len(plain))
	}
	perm := append(slices.Clone(plain), spatial...)
	t, err := f.transpose(x, perm)
	if err != nil {
		return nil, err
	}
	var k, st, dil, pads []int
	for _, a := range spatial {
		k, st, dil = append(k, at(window, a)), append(st, at(strides, a)), append(dil, at(windowDilations, a))
	}
	pads = make([]int, 2*len(spatial))
	for i, a := range spatial {
		if a < len(paddings) {
			pads[i], pads[len(spatial)+i] = paddings[a][0], paddings[a][1]
		}
	}
	pooledDims := make([]int, rank)
	for i, a := range perm {
		pooledDims[i] = outShape.Dimensions[a]
	}
	pooledShape := shapes.Make(x.shape.DType, pooledDims...)
	attrs := func() []*protos.AttributeProto {
		return []*protos.AttributeProto{attrInts("kernel_shape", k), attrInts("strides", st), attrInts("pads", pads)}
	}
	var pooled *value
	switch kind {
	case compute.ReduceOpMax:
		pooled = f.r.op(pooledShape, "MaxPool", []*value{t}, append(attrs(), attrInts("dilations", dil))...)
	case compute.ReduceOpMin:
		neg := f.r.op(t.shape, "Neg", []*value{t})
		p := f.r.op(pooledShape, "MaxPool", []*value{neg}, append(attrs(), attrInts("dilations", dil))...)
		pooled = f.r.op(pooledShape, "Neg", []*value{p})
	case compute.ReduceOpSum:
		for _, d := range dil {
			if d != 1 {
				return nil, fmt.Errorf("ONNX export: sum over a dilated window (ONNX AveragePool has no dilations in opset 13)")
			}
		}
		// Padding (with zeros, the sum's identity) as its own node, so the
		// pool needs no count_include_pad.
		if slices.ContainsFunc(pads, func(p int) bool { return p != 0 }) {
			all := make([]int, 2*rank)
			for i := range spatial {
				all[2+i], all[rank+2+i] = pads[i], pads[len(spatial)+i]
			}
			zero, err := f.r.scalar(x.shape.DType, 0)
			if err != nil {
				return nil, err
			}
			padded := slices.Clone(t.shape.Dimensions)
			for i := range spatial {
				padded[2+i] += pads[i] + pads[len(spatial)+i]
			}
			t = &value{name: f.r.node("Pad", []string{t.name, f.r.ints(all), zero.name}), shape: shapes.Make(x.shape.DType, padded...)}
			pads = make([]int, len(pads))
		}
		avg := f.r.op(pooledShape, "AveragePool", []*value{t}, attrs()...)
		size := 1
		for _, d := range k {
			size *= d
		}
		n, err := f.r.scalar(x.shape.DType, float64(size))
		if err != nil {
			return nil, err
		}
		pooled = f.r.op(pooledShape, "Mul", []*value{avg, n})
	default:
		return nil, fmt.Errorf("ONNX export: window reduction %v (ONNX pools do max and average)", kind)
	}
	inverse := make([]int, rank)
	for i, a := range perm {
		inverse[a] = i
	}
	return f.transpose(pooled, inverse)
}
