package onnxexport

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/notimplemented"
	"github.com/gomlx/compute/shapes"
	"github.com/pkg/errors"
)

// recordingBackend is a compute.Backend that runs nothing: GoMLX builds a
// graph on it and each operation is recorded as ONNX nodes (see recorder).
type recordingBackend struct {
	notimplemented.Backend
	r *recorder
}

var _ compute.Backend = (*recordingBackend)(nil)

func (b *recordingBackend) Name() string   { return "onnxexport" }
func (b *recordingBackend) String() string { return b.Name() }
func (b *recordingBackend) Description() string {
	return "tlx ONNX export (records the graph as ONNX nodes; executes nothing)"
}

// Capabilities lists no fused operations, so GoMLX decomposes them into
// standard ones; variables stay parameters (they become initializers).
func (b *recordingBackend) Capabilities() compute.Capabilities {
	caps := compute.Capabilities{Operations: map[compute.OpType]bool{}, DTypes: map[dtypes.DType]bool{}}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64, dtypes.Int32, dtypes.Int64, dtypes.Bool,
		dtypes.Int8, dtypes.Uint8, dtypes.Int16, dtypes.Uint16, dtypes.Uint32, dtypes.Uint64} {
		caps.DTypes[dt] = true
	}
	return caps
}

func (b *recordingBackend) Builder(name string) compute.Builder {
	bl := &builder{name: name, r: b.r}
	bl.main = &function{Function: notimplemented.Function{ErrFn: notImplemented}, r: b.r, b: bl}
	return bl
}

// notImplemented is the error of an operation the exporter cannot write:
// GoMLX falls back to a decomposition for fused ones; others end the export.
func notImplemented(op compute.OpType) error {
	return errors.Wrapf(compute.ErrNotImplemented, "ONNX export of GoMLX operation %s", op)
}

// builder is the recording compute.Builder: one main function, no closures.
type builder struct {
	notimplemented.Builder
	name string
	r    *recorder
	main *function
}

func (b *builder) Name() string           { return b.name }
func (b *builder) Main() compute.Function { return b.main }
func (b *builder) DeviceAssignment(devices ...compute.DeviceNum) error {
	for _, d := range devices {
		if d != 0 {
			return errors.Wrapf(compute.ErrNotImplemented, "ONNX export runs on one device, not %d", d)
		}
	}
	return nil
}

func (b *builder) NewFunction(name string) (compute.Function, error) {
	return nil, errors.Wrapf(compute.ErrNotImplemented, "ONNX export of closures/functions (%q)", name)
}

func (b *builder) OpShape(op compute.Value) (shapes.Shape, error) {
	v, err := b.r.val(op)
	if err != nil {
		return shapes.Invalid(), err
	}
	return v.shape, nil
}

// Compile ends the recording; the executable holds no program and cannot run.
func (b *builder) Compile() (compute.Executable, error) {
	if !b.r.returned {
		return nil, fmt.Errorf("ONNX export: the graph was compiled before its outputs were set")
	}
	return &recorded{r: b.r}, nil
}

// recorded is what Compile returns: the recording, unrunnable.
type recorded struct{ r *recorder }

func (e *recorded) Finalize() {}

func (e *recorded) Inputs() ([]string, []shapes.Shape) {
	var names []string
	var ss []shapes.Shape
	for _, p := range e.r.params {
		names = append(names, p.name)
		ss = append(ss, p.shape)
	}
	return names, ss
}

func (e *recorded) Outputs() []shapes.Shape {
	var ss []shapes.Shape
	for _, o := range e.r.outputs {
		ss = append(ss, o.shape)
	}
	return ss
}

func (e *recorded) Execute([]compute.Buffer, []bool, compute.DeviceNum) ([]compute.Buffer, error) {
	return nil, errors.Wrapf(compute.ErrNotImplemented, "the ONNX export backend records graphs and executes nothing")
}
