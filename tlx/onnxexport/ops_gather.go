package onnxexport

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapeinference"
)

// Gather records the one form of GoMLX's general Gather that ONNX's
// Gather(axis=0) expresses: whole rows of the operand picked by indices
// [..., 1] (what graph.Gather(table, ids[..., None]) builds: an embedding
// lookup). Other forms are refused. Out-of-range indices differ: GoMLX
// clamps them, ONNX Runtime reports an error.
func (f *function) Gather(operand, startIndices compute.Value, indexVectorAxis int,
	offsetOutputAxes, collapsedSliceAxes, startIndexMap, sliceSizes []int, indicesAreSorted bool) (compute.Value, error) {
	v, err := f.vals(operand, startIndices)
	if err != nil {
		return nil, err
	}
	x, idx := v[0], v[1]
	s, err := shapeinference.Gather(x.shape, idx.shape, indexVectorAxis, offsetOutputAxes, collapsedSliceAxes, startIndexMap, sliceSizes, indicesAreSorted)
	if err != nil {
		return nil, err
	}
	rank := idx.shape.Rank()
	rows := slices.Clone(x.shape.Dimensions)
	rows[0] = 1
	trailing := make([]int, x.shape.Rank()-1)
	for i := range trailing {
		trailing[i] = rank - 1 + i
	}
	if indexVectorAxis != rank-1 || idx.shape.Dimensions[rank-1] != 1 || !slices.Equal(startIndexMap, []int{0}) ||
		!slices.Equal(collapsedSliceAxes, []int{0}) || !slices.Equal(sliceSizes, rows) || !slices.Equal(offsetOutputAxes, trailing) {
		return nil, fmt.Errorf("ONNX export of Gather: only row lookups (indices [..., 1] into axis 0, whole rows) are supported; got indexVectorAxis %d, offsetOutputAxes %v, collapsedSliceAxes %v, startIndexMap %v, sliceSizes %v for operand %s and indices %s",
			indexVectorAxis, offsetOutputAxes, collapsedSliceAxes, startIndexMap, sliceSizes, x.shape, idx.shape)
	}
	flat, err := f.reshape(idx, idx.shape.Dimensions[:rank-1])
	if err != nil {
		return nil, err
	}
	if idx.shape.DType != dtypes.Int64 {
		flat = f.r.op(withDType(flat.shape, dtypes.Int64), "Cast", []*value{flat}, attrInt("to", int(onnxDType(dtypes.Int64))))
	}
	return f.r.op(s, "Gather", []*value{x, flat}, attrInt("axis", 0)), nil
}
