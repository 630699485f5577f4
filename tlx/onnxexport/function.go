package onnxexport

import (
	"fmt"
	"reflect"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/notimplemented"
	"github.com/gomlx/compute/shapes"
)

// function is the recording compute.Function: the operations it
// implements (this file and ops_*.go) become ONNX nodes; any other returns
// compute.ErrNotImplemented naming the operation.
type function struct {
	notimplemented.Function
	r *recorder
	b *builder
}

var _ compute.Function = (*function)(nil)

func (f *function) Name() string             { return compute.MainName }
func (f *function) Builder() compute.Builder { return f.b }
func (f *function) Parent() compute.Function { return nil }

func (f *function) Shape(v compute.Value) (shapes.Shape, error) {
	x, err := f.r.val(v)
	if err != nil {
		return shapes.Invalid(), err
	}
	return x.shape, nil
}

// Parameter is a variable (an initializer holding its current value) or
// the model's input (the graph input "input").
func (f *function) Parameter(name string, shape shapes.Shape, _ *compute.ShardingSpec) (compute.Value, error) {
	r := f.r
	if t, ok := r.variable(name); ok {
		if !t.Shape().Equal(shape) {
			return nil, fmt.Errorf("ONNX export: variable %s has shape %s, the graph expects %s", name, t.Shape(), shape)
		}
		init, err := tensorInit(name, t)
		if err != nil {
			return nil, err
		}
		r.inits = append(r.inits, init)
		v := &value{name: name, shape: shape}
		r.params = append(r.params, v)
		return v, nil
	}
	if r.input != nil {
		return nil, fmt.Errorf("ONNX export: a second input %q (after %q); tlx models have one", name, r.input.name)
	}
	r.input = &value{name: "input", shape: shape}
	r.params = append(r.params, r.input)
	return r.input, nil
}

func (f *function) Constant(flat any, dims ...int) (compute.Value, error) {
	elem := sliceElem(flat)
	if elem == nil {
		return nil, fmt.Errorf("ONNX export: constant of Go type %T, want a slice", flat)
	}
	dt := dtypes.FromGoType(elem)
	if dt == dtypes.InvalidDType {
		return nil, fmt.Errorf("ONNX export: constant of Go type %T", flat)
	}
	return f.r.constant(flat, dt, dims)
}

func (f *function) Return(outputs []compute.Value, _ []*compute.ShardingSpec) error {
	for _, o := range outputs {
		v, err := f.r.val(o)
		if err != nil {
			return err
		}
		f.r.outputs = append(f.r.outputs, v)
	}
	f.r.returned = true
	return nil
}

// Identity (also what GoMLX's StopGradient records) is the value itself:
// an inference graph needs no node for it, and an Identity node would have
// no gradient in GoMLX when the export is imported and fine-tuned again.
// The trace passes each group's input through Identity to mark it.
func (f *function) Identity(x compute.Value) (compute.Value, error) {
	v, err := f.r.val(x)
	if err != nil {
		return nil, err
	}
	if f.r.awaitInput {
		f.r.awaitInput = false
		if f.r.groupInput == nil {
			f.r.groupInput = map[string]*value{}
		}
		f.r.groupInput[f.r.scope] = v
	}
	return v, nil
}

// OptimizationBarrier and SchedulingBarrier only order execution: in the
// exported graph they are the values themselves.
func (f *function) OptimizationBarrier(operands ...compute.Value) ([]compute.Value, error) {
	return operands, nil
}

func (f *function) SchedulingBarrier(operand compute.Value, _ ...compute.Value) (compute.Value, error) {
	return operand, nil
}

// vals checks and converts operands.
func (f *function) vals(vs ...compute.Value) ([]*value, error) {
	out := make([]*value, len(vs))
	for i, v := range vs {
		x, err := f.r.val(v)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// sliceElem is the element type of the Go slice flat (nil if not a slice).
func sliceElem(flat any) reflect.Type {
	t := reflect.TypeOf(flat)
	if t == nil || t.Kind() != reflect.Slice {
		return nil
	}
	return t.Elem()
}
