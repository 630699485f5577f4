package onnxexport

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapeinference"
	"github.com/gomlx/compute/shapes"
)

func (f *function) Reshape(x compute.Value, dims ...int) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	return f.reshape(v[0], dims)
}

// reshape records Reshape to dims (nothing when the shape already is dims).
func (f *function) reshape(v *value, dims []int) (*value, error) {
	s, err := shapeinference.Reshape(v.shape, dims)
	if err != nil {
		return nil, err
	}
	if slices.Equal(v.shape.Dimensions, dims) {
		return v, nil
	}
	return &value{name: f.r.node("Reshape", []string{v.name, f.r.shapeInts(shapeReshape, dims, v.shape.Dimensions, nil)}), shape: s}, nil
}

func (f *function) Transpose(x compute.Value, perm ...int) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	return f.transpose(v[0], perm)
}

// transpose records Transpose (nothing for the identity permutation).
func (f *function) transpose(v *value, perm []int) (*value, error) {
	s, err := shapeinference.Transpose(v.shape, perm)
	if err != nil {
		return nil, err
	}
	identity := true
	for i, p := range perm {
		identity = identity && i == p
	}
	if identity {
		return v, nil
	}
	return f.r.op(s, "Transpose", []*value{v}, attrInts("perm", perm)), nil
}

// BroadcastInDim puts operand axis i at output axis broadcastAxes[i]
// (Transpose if they are out of order, Reshape to the output's rank) and
// expands the rest (Expand).
func (f *function) BroadcastInDim(operand compute.Value, out shapes.Shape, axes []int) (compute.Value, error) {
	v, err := f.vals(operand)
	if err != nil {
		return nil, err
	}
	if err := shapeinference.BroadcastInDim(v[0].shape, out, axes, nil); err != nil {
		return nil, err
	}
	x := v[0]
	if !slices.IsSorted(axes) {
		order := make([]int, len(axes))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return axes[a] - axes[b] })
		if x, err = f.transpose(x, order); err != nil {
			return nil, err
		}
		axes = slices.Clone(axes)
		slices.Sort(axes)
	}
	dims := make([]int, out.Rank())
	for i := range dims {
		dims[i] = 1
	}
	for i, a := range axes {
		dims[a] = x.shape.Dimensions[i]
	}
	if x, err = f.reshape(x, dims); err != nil {
		return nil, err
	}
	if slices.Equal(dims, out.Dimensions) {
		return x, nil
	}
	return &value{name: f.r.node("Expand", []string{x.name, f.r.shapeInts(shapeExpand, out.Dimensions, x.shape.Dimensions, nil)}), shape: out}, nil
}

func (f *function) Concatenate(axis int, operands ...compute.Value) (compute.Value, error) {
	v, err := f.vals(operands...)
	if err != nil {
		return nil, err
	}
	ss := make([]shapes.Shape, len(v))
	for i, x := range v {
		ss[i] = x.shape
	}
	s, err := shapeinference.Concatenate(ss, axis)
	if err != nil {
		return nil, err
	}
	return f.r.op(s, "Concat", v, attrInt("axis", axis)), nil
}

func (f *function) Slice(x compute.Value, starts, limits, strides []int) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	s, err := shapeinference.Slice(v[0].shape, starts, limits, strides)
	if err != nil {
		return nil, err
	}
	axes := make([]int, len(starts))
	steps := make([]int, len(starts))
	for i := range axes {
		axes[i] = i
		steps[i] = 1
		if i < len(strides) && strides[i] > 0 {
			steps[i] = strides[i]
		}
	}
	r := f.r
	return &value{name: r.node("Slice", []string{v[0].name, r.ints(starts), r.shapeInts(shapeEnds, limits, v[0].shape.Dimensions, axes), r.ints(axes), r.ints(steps)}), shape: s}, nil
}

// Reverse is a Slice with step -1 on each axis.
func (f *function) Reverse(x compute.Value, axes ...int) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	if len(axes) == 0 {
		return v[0], nil
	}
	n := len(axes)
	starts, ends, steps := make([]int, n), make([]int, n), make([]int, n)
	for i := range axes {
		starts[i], ends[i], steps[i] = -1, math.MinInt64, -1
	}
	r := f.r
	return &value{name: r.node("Slice", []string{v[0].name, r.ints(starts), r.ints(ends), r.ints(axes), r.ints(steps)}), shape: v[0].shape}, nil
}

// Pad pads with fillValue; ONNX has no interior padding.
func (f *function) Pad(x, fill compute.Value, axesConfig ...compute.PadAxis) (compute.Value, error) {
	v, err := f.vals(x, fill)
	if err != nil {
		return nil, err
	}
	s, err := shapeinference.Pad(v[0].shape, axesConfig...)
	if err != nil {
		return nil, err
	}
	rank := v[0].shape.Rank()
	pads := make([]int, 2*rank)
	for i, a := range axesConfig {
		if a.Interior != 0 {
			return nil, fmt.Errorf("ONNX export: Pad with interior padding %d on axis %d (ONNX Pad has none)", a.Interior, i)
		}
		pads[i], pads[rank+i] = a.Start, a.End
	}
	return &value{name: f.r.node("Pad", []string{v[0].name, f.r.ints(pads), v[1].name}), shape: s}, nil
}

// Iota counts along iotaAxis: a constant vector, reshaped and expanded to
// shape (so a batch-sized iota stays free of the batch size).
func (f *function) Iota(shape shapes.Shape, iotaAxis int) (compute.Value, error) {
	if iotaAxis < 0 || iotaAxis >= shape.Rank() {
		return nil, fmt.Errorf("ONNX export: Iota axis %d for shape %s", iotaAxis, shape)
	}
	n := shape.Dimensions[iotaAxis]
	counts := make([]float64, n)
	for i := range counts {
		counts[i] = float64(i)
	}
	flat, err := countsFlat(shape.DType, counts)
	if err != nil {
		return nil, err
	}
	c, err := f.r.constant(flat, shape.DType, []int{n})
	if err != nil {
		return nil, err
	}
	return f.BroadcastInDim(c, shape, []int{iotaAxis})
}

// countsFlat converts counts to a Go slice of dt.
func countsFlat(dt dtypes.DType, counts []float64) (any, error) {
	switch dt {
	case dtypes.Float32:
		out := make([]float32, len(counts))
		for i, c := range counts {
			out[i] = float32(c)
		}
		return out, nil
	case dtypes.Float64:
		return counts, nil
	case dtypes.Int32:
		out := make([]int32, len(counts))
		for i, c := range counts {
			out[i] = int32(c)
		}
		return out, nil
	case dtypes.Int64:
		out := make([]int64, len(counts))
		for i, c := range counts {
			out[i] = int64(c)
		}
		return out, nil
	}
	return nil, fmt.Errorf("ONNX export: Iota of dtype %s", dt)
}
