package onnxexport

import (
	"fmt"
	"os"

	"github.com/gomlx/compute-onnx/support/protos"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/net"
)

// Opset is the ONNX operator set exported files declare (ONNX Runtime
// runs opset 13 on every release since 1.6).
const Opset = 13

// irVersion is the ONNX IR version of opset 13's release.
const irVersion = 7

// Options adjust an export; the zero value gives a free batch dimension.
type Options struct {
	// Batch, when > 0, fixes the batch dimension to this size instead of
	// leaving it free.
	Batch int
}

// Info says what an export wrote.
type Info struct {
	// FixedBatch is the batch size the file requires, 0 when any batch
	// size runs.
	FixedBatch int
	// Why explains a FixedBatch that Options did not ask for.
	Why string
	// Nodes and Initializers count the graph's nodes and weights.
	Nodes, Initializers int
}

// Export writes m's inference graph, its weights and metadata as an ONNX
// file at path.
func Export(m *net.Model, path string, opts Options) (Info, error) {
	data, info, err := ExportBytes(m, opts)
	if err != nil {
		return info, err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return info, fmt.Errorf("exporting %s to ONNX: %w", m.Name, err)
	}
	return info, nil
}

// ExportBytes is Export to memory.
func ExportBytes(m *net.Model, opts Options) ([]byte, Info, error) {
	mp, info, err := Build(m, opts)
	if err != nil {
		return nil, info, err
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(mp)
	if err != nil {
		return nil, info, fmt.Errorf("exporting %s to ONNX: encoding: %w", m.Name, err)
	}
	return data, info, nil
}

// Build makes the ONNX model of m's inference graph.
func Build(m *net.Model, opts Options) (*protos.ModelProto, Info, error) {
	var info Info
	if _, err := m.Init(); err != nil {
		return nil, info, fmt.Errorf("exporting %s to ONNX: %w", m.Name, err)
	}
	meta, err := metadata(m)
	if err != nil {
		return nil, info, err
	}
	var r *recorder
	var shapeNodes []*protos.NodeProto
	var shapeInits []*protos.TensorProto
	var outBatch []int64
	fixed := func(batch int) error {
		if r, err = trace(m, batch); err != nil {
			return err
		}
		shapeNodes, shapeInits, err = batchShapes(r, r, make([][]int64, len(r.shapeConsts)))
		info.FixedBatch = batch
		return err
	}
	if opts.Batch > 0 {
		if err := fixed(opts.Batch); err != nil {
			return nil, info, err
		}
	} else {
		r1, err := trace(m, traceBatch1)
		if err != nil {
			return nil, info, err
		}
		r2, err := trace(m, traceBatch2)
		if err != nil {
			return nil, info, err
		}
		ks, err := batchDims(r1, r2, traceBatch1, traceBatch2)
		if err == nil {
			outBatch, err = outputBatchDims(r1, r2, traceBatch1, traceBatch2)
		}
		if err == nil {
			r = r1
			shapeNodes, shapeInits, err = batchShapes(r1, r2, ks)
		}
		if err != nil {
			// Not linear in the batch: keep the graph at one batch size.
			why := err
			if err := fixed(1); err != nil {
				return nil, info, err
			}
			info.Why = fmt.Sprintf("the graph is not linear in the batch size (%v)", why)
		}
	}
	g := &protos.GraphProto{Name: m.Name}
	out := r.outputs[0]
	g.Node = topoSort(nameOutput(append(r.nodes, shapeNodes...), out.name, r.scope))
	g.Initializer = append(r.inits, shapeInits...)
	inBatch := []int64{1}
	if info.FixedBatch > 0 {
		inBatch, outBatch = nil, nil
	}
	g.Input = []*protos.ValueInfoProto{valueInfo("input", r.input, inBatch)}
	g.Output = []*protos.ValueInfoProto{valueInfo("output", out, outBatch)}
	info.Nodes, info.Initializers = len(g.Node), len(g.Initializer)
	mp := &protos.ModelProto{
		IrVersion:     irVersion,
		OpsetImport:   []*protos.OperatorSetIdProto{{Domain: "", Version: Opset}},
		ProducerName:  "tlx",
		Graph:         g,
		MetadataProps: meta,
		DocString:     fmt.Sprintf("%s exported by tlx: input [batch %v] float32, output the model's last group", m.Name, m.InputShape),
	}
	if info.FixedBatch > 0 {
		mp.MetadataProps = append(mp.MetadataProps, &protos.StringStringEntryProto{Key: MetadataBatch, Value: fmt.Sprint(info.FixedBatch)})
	}
	return mp, info, nil
}

// valueInfo declares a graph input or output; dimensions whose batch
// multiple in ks is 1 are "batch", other multiples k "batch_xk".
func valueInfo(name string, v *value, ks []int64) *protos.ValueInfoProto {
	shape := &protos.TensorShapeProto{}
	for i, d := range v.shape.Dimensions {
		dim := &protos.TensorShapeProto_Dimension{}
		switch {
		case i < len(ks) && ks[i] == 1:
			dim.Value = &protos.TensorShapeProto_Dimension_DimParam{DimParam: "batch"}
		case i < len(ks) && ks[i] > 1:
			dim.Value = &protos.TensorShapeProto_Dimension_DimParam{DimParam: fmt.Sprintf("batch_x%d", ks[i])}
		default:
			dim.Value = &protos.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}
		}
		shape.Dim = append(shape.Dim, dim)
	}
	return &protos.ValueInfoProto{Name: name, Type: &protos.TypeProto{Value: &protos.TypeProto_TensorType{
		TensorType: &protos.TypeProto_Tensor{ElemType: int32(onnxDType(v.shape.DType)), Shape: shape}}}}
}

// nameOutput renames tensor out, the graph's result, to "output" (an
// Identity node only when no node computes it: the input or a weight).
func nameOutput(nodes []*protos.NodeProto, out, scope string) []*protos.NodeProto {
	computed := false
	for _, n := range nodes {
		for i, o := range n.Output {
			if o == out {
				n.Output[i], computed = "output", true
			}
		}
		for i, in := range n.Input {
			if in == out {
				n.Input[i] = "output"
			}
		}
	}
	if computed {
		return nodes
	}
	return append(nodes, &protos.NodeProto{Name: scope + "/Identity_output", OpType: "Identity", Input: []string{out}, Output: []string{"output"}})
}
