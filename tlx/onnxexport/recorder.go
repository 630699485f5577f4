package onnxexport

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// value is one recorded tensor: the ONNX name that holds it and its shape.
type value struct {
	name  string
	shape shapes.Shape
}

// shapeKind says what a shape constant feeds, which decides how an entry
// that grows with the batch is written (see batch.go).
type shapeKind int

const (
	shapeOther   shapeKind = iota // computed from the batch size
	shapeReshape                  // Reshape's shape: 0 copies the operand's dimension, -1 infers one
	shapeExpand                   // Expand's shape: 1 keeps the operand's dimension
	shapeEnds                     // Slice's ends: past the end is the operand's dimension
)

// shapeConst is an int64 initializer holding dimensions or indices
// (Reshape's shape, Expand's shape, Slice's bounds, Pad's amounts): the
// values that may grow with the batch size (see batch.go).
type shapeConst struct {
	name    string
	vals    []int64
	kind    shapeKind
	operand []int  // the dimensions of the tensor it applies to
	axes    []int  // for shapeEnds: the axis of each entry
	scope   string // the group that reads it
}

// recorder collects the ONNX graph GoMLX builds on the recording backend.
type recorder struct {
	// variable returns the value of the model variable with this path;
	// any other parameter is the model's input.
	variable func(path string) (*tensors.Tensor, bool)

	scope       string // "/group", prefixed to node names so groups survive a reimport
	awaitInput  bool   // the next Identity is the group's input (see enterGroup)
	groupInput  map[string]*value
	shapeOf     map[string]shapes.Shape // shapes of the values operations read (see fuse.go)
	count       int
	nodes       []*protos.NodeProto
	inits       []*protos.TensorProto
	shapeConsts []*shapeConst
	params      []*value
	input       *value
	outputs     []*value
	returned    bool
}

// val checks that v is one of this recording's values.
func (r *recorder) val(v compute.Value) (*value, error) {
	x, ok := v.(*value)
	if !ok || x == nil {
		return nil, fmt.Errorf("ONNX export: value %v (%T) was not made by the export backend", v, v)
	}
	if r.shapeOf == nil {
		r.shapeOf = map[string]shapes.Shape{}
	}
	r.shapeOf[x.name] = x.shape
	return x, nil
}

// fresh returns a new unique name under the current scope.
func (r *recorder) fresh(kind string) string {
	r.count++
	return fmt.Sprintf("%s/%s_%d", r.scope, kind, r.count)
}

// node appends an ONNX node and returns its (single) output name.
func (r *recorder) node(op string, inputs []string, attrs ...*protos.AttributeProto) string {
	name := r.fresh(op)
	out := name + "_output_0"
	r.nodes = append(r.nodes, &protos.NodeProto{Name: name, OpType: op, Input: inputs, Output: []string{out}, Attribute: attrs})
	return out
}

// op records node op on inputs and returns it as a value of shape s.
func (r *recorder) op(s shapes.Shape, op string, inputs []*value, attrs ...*protos.AttributeProto) *value {
	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = in.name
	}
	return &value{name: r.node(op, names, attrs...), shape: s}
}

// constant adds an initializer holding flat (a Go slice of dt) with dims.
func (r *recorder) constant(flat any, dt dtypes.DType, dims []int) (*value, error) {
	t, err := tensorProto(r.fresh("Constant"), flat, dt, dims)
	if err != nil {
		return nil, err
	}
	r.inits = append(r.inits, t)
	return &value{name: t.Name, shape: shapes.Make(dt, dims...)}, nil
}

// scalar is a rank-0 constant of dtype dt.
func (r *recorder) scalar(dt dtypes.DType, v float64) (*value, error) {
	flat, err := scalarFlat(dt, v)
	if err != nil {
		return nil, err
	}
	return r.constant(flat, dt, nil)
}

// ints adds a shape-like int64 vector that no batch size changes.
func (r *recorder) ints(vals []int) string {
	return r.shapeInts(shapeOther, vals, nil, nil)
}

// shapeInts adds a shape-like int64 vector of the given kind, applied to
// a tensor of dimensions operand (see shapeConst).
func (r *recorder) shapeInts(kind shapeKind, vals, operand, axes []int) string {
	v := make([]int64, len(vals))
	for i, x := range vals {
		v[i] = int64(x)
	}
	sc := &shapeConst{name: r.fresh("Shape"), vals: v, kind: kind, operand: operand, axes: axes, scope: r.scope}
	r.shapeConsts = append(r.shapeConsts, sc)
	return sc.name
}

// enterGroup starts recording group name; the trace then passes the
// group's input through Identity, which records it (see function.Identity).
func (r *recorder) enterGroup(name string) {
	r.scope = "/" + name
	r.awaitInput = true
}

// tensorProto encodes flat (a Go slice of dt) as an initializer.
func tensorProto(name string, flat any, dt dtypes.DType, dims []int) (*protos.TensorProto, error) {
	onnxType := onnxDType(dt)
	if onnxType == protos.TensorProto_UNDEFINED {
		return nil, fmt.Errorf("ONNX export: constant %q has dtype %s, which ONNX export does not write", name, dt)
	}
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, flat); err != nil {
		return nil, fmt.Errorf("ONNX export: encoding constant %q (%s %v): %w", name, dt, dims, err)
	}
	d := make([]int64, len(dims))
	for i, x := range dims {
		d[i] = int64(x)
	}
	return &protos.TensorProto{Name: name, Dims: d, DataType: int32(onnxType), RawData: buf.Bytes()}, nil
}

// tensorInit encodes a variable's value as the initializer name.
func tensorInit(name string, t *tensors.Tensor) (*protos.TensorProto, error) {
	var out *protos.TensorProto
	var err error
	if e := t.ConstFlatData(func(flat any) {
		out, err = tensorProto(name, flat, t.DType(), t.Shape().Dimensions)
	}); e != nil {
		return nil, fmt.Errorf("ONNX export: reading variable %s: %w", name, e)
	}
	return out, err
}

// scalarFlat is a one-element slice of dt holding v.
func scalarFlat(dt dtypes.DType, v float64) (any, error) {
	switch dt {
	case dtypes.Float32:
		return []float32{float32(v)}, nil
	case dtypes.Float64:
		return []float64{v}, nil
	case dtypes.Int32:
		return []int32{int32(v)}, nil
	case dtypes.Int64:
		return []int64{int64(v)}, nil
	case dtypes.Uint8:
		return []uint8{uint8(v)}, nil
	case dtypes.Bool:
		return []bool{v != 0}, nil
	}
	return nil, fmt.Errorf("ONNX export: no scalar constant of dtype %s", dt)
}

// onnxDType maps a GoMLX dtype to ONNX's (UNDEFINED when there is none).
func onnxDType(dt dtypes.DType) protos.TensorProto_DataType {
	switch dt {
	case dtypes.Float32:
		return protos.TensorProto_FLOAT
	case dtypes.Float64:
		return protos.TensorProto_DOUBLE
	case dtypes.Int32:
		return protos.TensorProto_INT32
	case dtypes.Int64:
		return protos.TensorProto_INT64
	case dtypes.Bool:
		return protos.TensorProto_BOOL
	case dtypes.Int8:
		return protos.TensorProto_INT8
	case dtypes.Uint8:
		return protos.TensorProto_UINT8
	case dtypes.Int16:
		return protos.TensorProto_INT16
	case dtypes.Uint16:
		return protos.TensorProto_UINT16
	case dtypes.Uint32:
		return protos.TensorProto_UINT32
	case dtypes.Uint64:
		return protos.TensorProto_UINT64
	}
	return protos.TensorProto_UNDEFINED
}

// Attribute helpers.
func attrInt(name string, v int) *protos.AttributeProto {
	return &protos.AttributeProto{Name: name, Type: protos.AttributeProto_INT, I: int64(v)}
}

func attrInts(name string, vs []int) *protos.AttributeProto {
	a := &protos.AttributeProto{Name: name, Type: protos.AttributeProto_INTS}
	for _, v := range vs {
		a.Ints = append(a.Ints, int64(v))
	}
	return a
}

// withDType is s with another dtype.
func withDType(s shapes.Shape, dt dtypes.DType) shapes.Shape {
	c := s.Clone()
	c.DType = dt
	return c
}
