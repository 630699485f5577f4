package onnxnet

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/net"
)

// Export writes an imported model, with its current (fine-tuned) weights,
// as an ONNX file that takes the original graph's input layout (NCHW for
// PyTorch exports). tlx.Export (package onnxexport) writes any model,
// imports included, in tlx's own input layout. Groups
// that came from the file are written as they were read; a group built in
// Go must be a dense layer on a flat input (net.Classifier after
// ReplaceHead on a flattened feature) and becomes MatMul + Add.
func Export(m *net.Model, path string) error {
	data, err := ExportBytes(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("exporting %s: %w", m.Name, err)
	}
	return nil
}

// ExportBytes is Export to memory.
func ExportBytes(m *net.Model) ([]byte, error) {
	src, ok := m.Origin.(*Source)
	if !ok {
		return nil, fmt.Errorf("exporting %s to ONNX: onnxnet.Export writes back models imported from ONNX (onnxnet.Load); tlx.Export (package onnxexport) writes any model", m.Name)
	}
	shapes, err := m.Init()
	if err != nil {
		return nil, err
	}
	orig := src.Proto.Graph
	consts := map[string]*protos.NodeProto{}
	for _, n := range orig.Node {
		if n.OpType == "Constant" {
			consts[n.Output[0]] = n
		}
	}
	g := &protos.GraphProto{Name: orig.Name}
	for _, in := range orig.Input {
		if in.Name == src.Input {
			g.Input = append(g.Input, in)
		}
	}
	current := src.Input
	var nodes []*protos.NodeProto
	for i, grp := range m.Groups {
		if gs, ok := src.Groups[grp]; ok {
			if gs.Input != current {
				return nil, fmt.Errorf("exporting %s: group %s reads %q but follows a group computing %q (groups were reordered or removed)", m.Name, grp.Name, gs.Input, current)
			}
			nodes = append(nodes, gs.Nodes...)
			for p, init := range gs.Variables {
				t, err := variableTensor(m, p, init)
				if err != nil {
					return nil, err
				}
				g.Initializer = append(g.Initializer, t)
			}
			current = gs.Output
			continue
		}
		dense, inits, out, err := denseNodes(m, grp, current, shapes, i)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, dense...)
		g.Initializer = append(g.Initializer, inits...)
		current = out
	}
	// The Constant nodes the kept nodes read.
	added := map[string]bool{}
	for _, n := range nodes {
		for _, r := range nodeReads(n) {
			if c := consts[r]; c != nil && !added[r] {
				g.Node = append(g.Node, c)
				added[r] = true
			}
		}
	}
	g.Node = append(g.Node, nodes...)
	outDims := slices.Clone(shapes[len(shapes)-1])
	g.Output = []*protos.ValueInfoProto{valueInfo(current, int32(protos.TensorProto_FLOAT), outDims)}
	slices.SortFunc(g.Initializer, func(a, b *protos.TensorProto) int { return strings.Compare(a.Name, b.Name) })
	out := &protos.ModelProto{
		IrVersion: src.Proto.IrVersion, OpsetImport: src.Proto.OpsetImport, Graph: g,
		ProducerName: "tlx", ModelVersion: src.Proto.ModelVersion,
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(out)
}

// variableTensor is the initializer init holding variable p's value.
func variableTensor(m *net.Model, p, init string) (*protos.TensorProto, error) {
	v := m.Store.GetVariable(p)
	if v == nil || !v.HasValue() {
		return nil, fmt.Errorf("exporting %s: variable %s (initializer %q) has no value", m.Name, p, init)
	}
	return floatTensor(init, v.MustValue())
}

// floatTensor encodes a float32 tensor as an ONNX initializer.
func floatTensor(name string, t *tensors.Tensor) (*protos.TensorProto, error) {
	if t.DType() != dtypes.Float32 {
		return nil, fmt.Errorf("exporting initializer %q: dtype %s, tlx exports float32", name, t.DType())
	}
	values := tensors.MustCopyFlatData[float32](t)
	raw := make([]byte, 4*len(values))
	for i, f := range values {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	dims := make([]int64, t.Rank())
	for i, d := range t.Shape().Dimensions {
		dims[i] = int64(d)
	}
	return &protos.TensorProto{Name: name, Dims: dims, DataType: int32(protos.TensorProto_FLOAT), RawData: raw}, nil
}

// denseNodes exports a Go-built group that is a dense layer ("weights"
// [in, out] and "bias" [out]) on a rank-2 input as MatMul + Add.
func denseNodes(m *net.Model, grp *net.Group, input string, shapes [][]int, i int) ([]*protos.NodeProto, []*protos.TensorProto, string, error) {
	inRank := len(m.InputShape) + 1
	if i > 0 {
		inRank = len(shapes[i-1])
	}
	var w, b *model.Variable
	vars := m.Variables(grp.Name)
	for _, v := range vars {
		switch v.Name() {
		case "weights":
			w = v
		case "bias":
			b = v
		}
	}
	if w == nil || b == nil || len(vars) != 2 || inRank != 2 {
		return nil, nil, "", fmt.Errorf("exporting %s: group %s was built in Go and is not a dense layer on a flat input (variables %d, input rank %d); only such heads can be exported", m.Name, grp.Name, len(vars), inRank)
	}
	prefix := "tlx." + grp.Name
	wt, err := floatTensor(prefix+".weights", w.MustValue())
	if err != nil {
		return nil, nil, "", err
	}
	bt, err := floatTensor(prefix+".bias", b.MustValue())
	if err != nil {
		return nil, nil, "", err
	}
	mm, out := prefix+".matmul", prefix+".output"
	nodes := []*protos.NodeProto{
		{Name: "/" + grp.Name + "/MatMul", OpType: "MatMul", Input: []string{input, wt.Name}, Output: []string{mm}},
		{Name: "/" + grp.Name + "/Add", OpType: "Add", Input: []string{mm, bt.Name}, Output: []string{out}},
	}
	return nodes, []*protos.TensorProto{wt, bt}, out, nil
}
