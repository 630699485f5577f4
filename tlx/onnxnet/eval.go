package onnxnet

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/onnx-gomlx/onnx"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/engine"
)

// Eval runs an ONNX file as it is (any number of inputs and outputs, any
// element types) on the given inputs, in the graph's input order, and
// returns its outputs: for checking a file against another runtime, or
// running one that Load cannot turn into a layered model.
func Eval(path string, inputs ...*tensors.Tensor) ([]*tensors.Tensor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("evaluating ONNX model: %w", err)
	}
	out, err := evalBytes(data, filepath.Dir(path), inputs)
	if err != nil {
		return nil, fmt.Errorf("evaluating %s: %w", path, err)
	}
	return out, nil
}

func evalBytes(data []byte, dir string, inputs []*tensors.Tensor) (outs []*tensors.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, fmt.Errorf("%v", r)
		}
	}()
	mp, err := parseModel(data, dir)
	if err != nil {
		return nil, err
	}
	if len(inputs) != len(mp.Graph.Input) {
		return nil, fmt.Errorf("graph %q takes %d inputs, got %d", mp.Graph.Name, len(mp.Graph.Input), len(inputs))
	}
	backend, err := engine.Backend()
	if err != nil {
		return nil, err
	}
	store := model.NewStore()
	weights := store.RootScope().At(onnx.ModelScope)
	for _, t := range mp.Graph.Initializer {
		v, err := TensorFromProto(t)
		if err != nil {
			return nil, fmt.Errorf("weight %q: %w", t.Name, err)
		}
		weights.VariableWithValue(varName(t.Name), v)
	}
	var outputs []string
	for _, o := range mp.Graph.Output {
		outputs = append(outputs, o.Name)
	}
	conv := newConverter(mp, cutNodes(mp.Graph), outputs)
	static := staticInputs(mp.Graph, inputs)
	var args []any
	for i, x := range inputs {
		if !static[i] {
			args = append(args, x)
		}
	}
	e, err := model.NewExec(backend, store, func(scope *model.Scope, g *graph.Graph, xs []*graph.Node) []*graph.Node {
		store.SetTraining(g, true) // keep weights as variables (Go backend)
		env := map[string]*graph.Node{}
		next := 0
		for i, in := range mp.Graph.Input {
			if static[i] {
				env[in.Name] = graph.Const(g, inputs[i])
			} else {
				env[in.Name] = xs[next]
				next++
			}
		}
		return conv.call(scope, g, env)
	})
	if err != nil {
		return nil, err
	}
	defer e.Finalize()
	return e.Exec(args...)
}

// staticInputs marks the inputs Eval compiles in as constants: integer
// tensors used only as operator parameters (shapes, axes, pads, indices:
// static in GoMLX), and the scales or sizes of Resize/Upsample.
func staticInputs(g *protos.GraphProto, inputs []*tensors.Tensor) map[int]bool {
	param := map[string]bool{} // read as a parameter somewhere
	data := map[string]bool{}  // read as data somewhere
	for _, n := range g.Node {
		for i, in := range n.Input {
			switch {
			case (n.OpType == "Resize" || n.OpType == "Upsample") && i > 0:
				param[in] = true
			case i > 0 || n.OpType == "ConstantOfShape" || n.OpType == "Range":
				param[in] = true
			default:
				data[in] = true
			}
		}
	}
	static := map[int]bool{}
	for i, in := range g.Input {
		resizeArg := param[in.Name] && !data[in.Name] && inputs[i].DType().IsFloat()
		if param[in.Name] && !data[in.Name] && (!inputs[i].DType().IsFloat() || resizeArg && usedByResize(g, in.Name) || onlyRange(g, in.Name)) {
			static[i] = true
		}
	}
	return static
}

// onlyRange reports a tensor read by Range nodes only (start, limit and
// delta: static in GoMLX, of any element type).
func onlyRange(g *protos.GraphProto, name string) bool {
	read := false
	for _, n := range g.Node {
		if slices.Contains(n.Input, name) {
			if n.OpType != "Range" {
				return false
			}
			read = true
		}
	}
	return read
}

// usedByResize reports whether a Resize or Upsample reads tensor name.
func usedByResize(g *protos.GraphProto, name string) bool {
	for _, n := range g.Node {
		if (n.OpType == "Resize" || n.OpType == "Upsample") && slices.Contains(n.Input[1:], name) {
			return true
		}
	}
	return false
}

// onnxDType maps ONNX element types to GoMLX's.
var onnxDType = map[protos.TensorProto_DataType]dtypes.DType{
	protos.TensorProto_FLOAT: dtypes.Float32, protos.TensorProto_DOUBLE: dtypes.Float64,
	protos.TensorProto_FLOAT16: dtypes.Float16, protos.TensorProto_BFLOAT16: dtypes.BFloat16,
	protos.TensorProto_INT8: dtypes.Int8, protos.TensorProto_INT16: dtypes.Int16,
	protos.TensorProto_INT32: dtypes.Int32, protos.TensorProto_INT64: dtypes.Int64,
	protos.TensorProto_UINT8: dtypes.Uint8, protos.TensorProto_UINT16: dtypes.Uint16,
	protos.TensorProto_UINT32: dtypes.Uint32, protos.TensorProto_UINT64: dtypes.Uint64,
	protos.TensorProto_BOOL: dtypes.Bool,
}

// ReadTensor decodes a serialized ONNX TensorProto (the .pb files of the
// ONNX test suites) into a tensor.
func ReadTensor(path string) (*tensors.Tensor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tp protos.TensorProto
	if err := proto.Unmarshal(data, &tp); err != nil {
		return nil, fmt.Errorf("reading tensor %s: %w", path, err)
	}
	t, err := TensorFromProto(&tp)
	if err != nil {
		return nil, fmt.Errorf("reading tensor %s: %w", path, err)
	}
	return t, nil
}

// TensorFromProto converts an ONNX tensor, checking its size first.
func TensorFromProto(tp *protos.TensorProto) (*tensors.Tensor, error) {
	if err := checkTensor(tp, ""); err != nil {
		return nil, err
	}
	dt, ok := onnxDType[protos.TensorProto_DataType(tp.DataType)]
	if !ok {
		return nil, fmt.Errorf("tensor %q: element type %s is not supported", tp.Name, protos.TensorProto_DataType(tp.DataType))
	}
	dims := make([]int, len(tp.Dims))
	for i, d := range tp.Dims {
		dims[i] = int(d)
	}
	size := elementSize(tp.DataType)
	raw := tp.RawData
	if raw == nil {
		raw = typedBytes(tp, size)
	}
	t := tensors.FromShape(shapes.Make(dt, dims...))
	if err := t.MutableBytes(func(b []byte) { copy(b, raw) }); err != nil {
		return nil, err
	}
	return t, nil
}

// typedBytes encodes a tensor's typed value fields as little-endian bytes
// of the element size.
func typedBytes(tp *protos.TensorProto, size int) []byte {
	var out []byte
	put := func(v uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		out = append(out, b[:size]...)
	}
	for _, v := range tp.FloatData {
		put(uint64(math.Float32bits(v)))
	}
	for _, v := range tp.Int32Data {
		put(uint64(uint32(v)))
	}
	for _, v := range tp.Int64Data {
		put(uint64(v))
	}
	for _, v := range tp.DoubleData {
		put(math.Float64bits(v))
	}
	for _, v := range tp.Uint64Data {
		put(v)
	}
	return out
}
