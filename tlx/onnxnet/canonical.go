package onnxnet

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gomlx/compute-onnx/support/protos"
	"google.golang.org/protobuf/proto"
)

// maxElements bounds one tensor (2^31 elements, 8 GiB of float32): a
// declared shape beyond it is an error, not an allocation.
const maxElements = 1 << 31

// elementSize is the byte size of an ONNX element type (0: unsupported).
func elementSize(dt int32) int {
	switch protos.TensorProto_DataType(dt) {
	case protos.TensorProto_UINT8, protos.TensorProto_INT8, protos.TensorProto_BOOL:
		return 1
	case protos.TensorProto_UINT16, protos.TensorProto_INT16, protos.TensorProto_FLOAT16, protos.TensorProto_BFLOAT16:
		return 2
	case protos.TensorProto_FLOAT, protos.TensorProto_INT32, protos.TensorProto_UINT32:
		return 4
	case protos.TensorProto_INT64, protos.TensorProto_UINT64, protos.TensorProto_DOUBLE:
		return 8
	}
	return 0
}

// isFloat reports floating-point element types: the ones that can be weights.
func isFloat(dt int32) bool {
	switch protos.TensorProto_DataType(dt) {
	case protos.TensorProto_FLOAT, protos.TensorProto_FLOAT16, protos.TensorProto_BFLOAT16, protos.TensorProto_DOUBLE:
		return true
	}
	return false
}

// parseModel decodes an ONNX file's bytes into a canonical model proto (see
// canonicalize). dir resolves external data; "" forbids it.
func parseModel(data []byte, dir string) (*protos.ModelProto, error) {
	var m protos.ModelProto
	if err := proto.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("not an ONNX model (protobuf ModelProto): %w", err)
	}
	if m.Graph == nil || len(m.Graph.Node) == 0 {
		return nil, fmt.Errorf("ONNX model has no graph nodes")
	}
	if err := canonicalize(&m, dir); err != nil {
		return nil, err
	}
	return &m, nil
}

// canonicalize rewrites the model so that every weight is one float
// initializer read by one layer, which tlx turns into a variable:
//   - external data is read in (from files inside dir only) and every
//     tensor's declared size is checked against its data;
//   - Identity nodes that copy an initializer (PyTorch's exporter shares
//     equal weights that way) become initializers of their own;
//   - Constant nodes holding float tensors of rank >= 1 become initializers;
//   - non-float initializers (shapes, indices) become Constant nodes, which
//     stay constants.
func canonicalize(m *protos.ModelProto, dir string) error {
	g := m.Graph
	if len(g.SparseInitializer) > 0 {
		return fmt.Errorf("ONNX graph %q: sparse initializers are not supported", g.Name)
	}
	if len(m.Functions) > 0 {
		return fmt.Errorf("ONNX model: local functions are not supported (%d defined)", len(m.Functions))
	}
	inits := map[string]*protos.TensorProto{}
	for _, t := range g.Initializer {
		if err := checkTensor(t, dir); err != nil {
			return fmt.Errorf("initializer %q: %w", t.Name, err)
		}
		inits[t.Name] = t
	}
	resizeOnly := resizeParameters(g)
	var nodes []*protos.NodeProto
	for i, n := range g.Node {
		if err := checkNodeTensors(n, dir); err != nil {
			return fmt.Errorf("node %d (%s %q): %w", i, n.OpType, n.Name, err)
		}
		switch {
		case n.OpType == "Identity" && n.Domain == "" && len(n.Input) == 1 && len(n.Output) == 1 && inits[n.Input[0]] != nil:
			copied := proto.Clone(inits[n.Input[0]]).(*protos.TensorProto)
			copied.Name = n.Output[0]
			g.Initializer = append(g.Initializer, copied)
			inits[copied.Name] = copied
		case n.OpType == "Constant" && n.Domain == "" && len(n.Output) == 1 && constantWeight(n) != nil && !resizeOnly[n.Output[0]]:
			t := proto.Clone(constantWeight(n)).(*protos.TensorProto)
			t.Name = n.Output[0]
			g.Initializer = append(g.Initializer, t)
			inits[t.Name] = t
		default:
			nodes = append(nodes, n)
		}
	}
	var floats []*protos.TensorProto
	var constants []*protos.NodeProto
	for _, t := range g.Initializer {
		if isFloat(t.DataType) && len(t.Dims) > 0 && !resizeOnly[t.Name] && !isEmpty(t) {
			floats = append(floats, t)
			continue
		}
		value := proto.Clone(t).(*protos.TensorProto)
		constants = append(constants, &protos.NodeProto{
			OpType: "Constant", Name: "tlx_constant/" + t.Name, Output: []string{t.Name},
			Attribute: []*protos.AttributeProto{{Name: "value", Type: protos.AttributeProto_TENSOR, T: value}},
		})
	}
	g.Initializer = floats
	g.Node = append(constants, nodes...)
	// Old IR versions list initializers among the inputs too.
	var inputs []*protos.ValueInfoProto
	for _, in := range g.Input {
		if inits[in.Name] == nil {
			inputs = append(inputs, in)
		}
	}
	g.Input = inputs
	return nil
}

// constantWeight returns a Constant node's tensor when it is a non-empty
// float tensor of rank >= 1 (scalars such as Clip bounds stay constants).
func constantWeight(n *protos.NodeProto) *protos.TensorProto {
	for _, a := range n.Attribute {
		if a.Name == "value" && a.T != nil && isFloat(a.T.DataType) && len(a.T.Dims) >= 1 && !isEmpty(a.T) {
			return a.T
		}
	}
	return nil
}

// isEmpty reports a tensor with a zero dimension.
func isEmpty(t *protos.TensorProto) bool {
	for _, d := range t.Dims {
		if d == 0 {
			return true
		}
	}
	return false
}

// resizeParameters names the tensors read only as Resize/Upsample
// parameters (roi, scales): constants, not weights.
func resizeParameters(g *protos.GraphProto) map[string]bool {
	param, other := map[string]bool{}, map[string]bool{}
	for _, n := range g.Node {
		for i, in := range n.Input {
			if (n.OpType == "Resize" || n.OpType == "Upsample") && i > 0 {
				param[in] = true
			} else {
				other[in] = true
			}
		}
	}
	for name := range other {
		delete(param, name)
	}
	return param
}

// checkNodeTensors checks the tensors a node carries in its attributes.
func checkNodeTensors(n *protos.NodeProto, dir string) error {
	for _, a := range n.Attribute {
		if a.T != nil {
			if err := checkTensor(a.T, dir); err != nil {
				return fmt.Errorf("attribute %s: %w", a.Name, err)
			}
		}
		for _, t := range a.Tensors {
			if err := checkTensor(t, dir); err != nil {
				return fmt.Errorf("attribute %s: %w", a.Name, err)
			}
		}
		for _, sub := range append([]*protos.GraphProto{a.G}, a.Graphs...) {
			if sub == nil {
				continue
			}
			for _, t := range sub.Initializer {
				if err := checkTensor(t, dir); err != nil {
					return fmt.Errorf("subgraph %s initializer %q: %w", a.Name, t.Name, err)
				}
			}
			for _, sn := range sub.Node {
				if err := checkNodeTensors(sn, dir); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkTensor validates a tensor's shape against its data, reading
// external data into RawData, so that nothing later allocates by a
// declared size alone.
func checkTensor(t *protos.TensorProto, dir string) error {
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 {
			return fmt.Errorf("negative dimension in %v", t.Dims)
		}
		if d > 0 && n > maxElements/d {
			return fmt.Errorf("shape %v has more than %d elements", t.Dims, int64(maxElements))
		}
		n *= d
	}
	if protos.TensorProto_DataType(t.DataType) == protos.TensorProto_STRING {
		if int64(len(t.StringData)) != n {
			return fmt.Errorf("string tensor of shape %v holds %d strings", t.Dims, len(t.StringData))
		}
		return nil
	}
	size := elementSize(t.DataType)
	if size == 0 {
		return fmt.Errorf("element type %s is not supported", protos.TensorProto_DataType(t.DataType))
	}
	if len(t.ExternalData) > 0 || t.DataLocation == protos.TensorProto_EXTERNAL {
		if err := readExternal(t, dir, n*int64(size)); err != nil {
			return err
		}
	}
	var have int64
	switch {
	case t.RawData != nil:
		if int64(len(t.RawData)) != n*int64(size) {
			return fmt.Errorf("shape %v of %s needs %d bytes, the file holds %d", t.Dims, protos.TensorProto_DataType(t.DataType), n*int64(size), len(t.RawData))
		}
		return nil
	case len(t.FloatData) > 0:
		have = int64(len(t.FloatData))
	case len(t.Int32Data) > 0:
		have = int64(len(t.Int32Data))
	case len(t.Int64Data) > 0:
		have = int64(len(t.Int64Data))
	case len(t.DoubleData) > 0:
		have = int64(len(t.DoubleData))
	case len(t.Uint64Data) > 0:
		have = int64(len(t.Uint64Data))
	}
	if have != n {
		return fmt.Errorf("shape %v needs %d values, the file holds %d", t.Dims, n, have)
	}
	return nil
}

// readExternal loads a tensor's external data (a file next to the model)
// into RawData. Locations must stay inside dir.
func readExternal(t *protos.TensorProto, dir string, want int64) error {
	if dir == "" {
		return fmt.Errorf("refers to external data, which only a model read from a file can have")
	}
	var location string
	offset, length := int64(0), int64(-1)
	for _, e := range t.ExternalData {
		var err error
		switch e.Key {
		case "location":
			location = e.Value
		case "offset":
			offset, err = strconv.ParseInt(e.Value, 10, 64)
		case "length":
			length, err = strconv.ParseInt(e.Value, 10, 64)
		}
		if err != nil {
			return fmt.Errorf("external data %s=%q: %w", e.Key, e.Value, err)
		}
	}
	if location == "" || filepath.IsAbs(location) || !filepath.IsLocal(location) || strings.Contains(location, "\\") {
		return fmt.Errorf("external data location %q must be a relative path inside the model's folder", location)
	}
	if offset < 0 || (length >= 0 && length != want) {
		return fmt.Errorf("external data %s: offset %d, length %d; want %d bytes", location, offset, length, want)
	}
	path := filepath.Join(dir, location)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("external data: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("external data: %w", err)
	}
	if offset > info.Size() || want > info.Size()-offset || want > math.MaxInt32*4 {
		return fmt.Errorf("external data %s holds %d bytes; want %d at offset %d", path, info.Size(), want, offset)
	}
	buf := make([]byte, want)
	if _, err := f.ReadAt(buf, offset); err != nil && err != io.EOF {
		return fmt.Errorf("reading external data %s: %w", path, err)
	}
	t.RawData = buf
	t.ExternalData = nil
	t.DataLocation = protos.TensorProto_DEFAULT
	return nil
}
