package onnxops

import (
	"encoding/binary"
	"math"

	"github.com/gomlx/compute-onnx/support/protos"
	"google.golang.org/protobuf/proto"
)

// Modernize rewrites an operator's pre-opset-10/11 attribute form into its
// current input form, for handing the node to onnx-gomlx, which reads only
// the input forms: Slice (starts/ends/axes attributes, opset < 10), Pad
// (pads/value attributes, opset < 11) and Clip (min/max attributes, opset
// < 11). It returns the node (n itself when nothing changes) and the
// Constant nodes its new inputs read. tlx's own conversions read both
// forms; this matters where a node goes to onnx-gomlx to be folded (shape
// arithmetic computed from constants).
//
// rank gives an input's rank (-1 when unknown): Shape's start and end,
// which onnx-gomlx does not clamp, are clamped to it.
func Modernize(n *protos.NodeProto, rank func(name string) int) (*protos.NodeProto, []*protos.NodeProto) {
	if n.Domain != "" && n.Domain != "ai.onnx" || len(n.Input) != 1 {
		return n, nil
	}
	if n.OpType == "Shape" {
		return clampShape(n, rank(n.Input[0])), nil
	}
	var inputs []*protos.TensorProto
	var drop []string
	switch n.OpType {
	case "Slice":
		starts, ends := attr(n, "starts"), attr(n, "ends")
		if starts == nil || ends == nil {
			return n, nil
		}
		inputs = append(inputs, int64Tensor(starts.Ints), int64Tensor(ends.Ints))
		if axes := attr(n, "axes"); axes != nil {
			inputs = append(inputs, int64Tensor(axes.Ints))
		}
		drop = []string{"starts", "ends", "axes"}
	case "Pad":
		pads := attr(n, "pads")
		if pads == nil {
			return n, nil
		}
		inputs = append(inputs, int64Tensor(pads.Ints))
		if v := attrFloat(n, "value", 0); v != 0 {
			inputs = append(inputs, float32Scalar(v))
		}
		drop = []string{"pads", "value"}
	case "Clip":
		lo, hi := attr(n, "min"), attr(n, "max")
		if lo == nil && hi == nil {
			return n, nil
		}
		bound := func(a *protos.AttributeProto, def float64) *protos.TensorProto {
			if a == nil {
				return float32Scalar(def)
			}
			return float32Scalar(float64(a.F))
		}
		inputs = append(inputs, bound(lo, math.Inf(-1)), bound(hi, math.Inf(1)))
		drop = []string{"min", "max"}
	default:
		return n, nil
	}
	out := proto.Clone(n).(*protos.NodeProto)
	out.Attribute = nil
	for _, a := range n.Attribute {
		keep := true
		for _, d := range drop {
			keep = keep && a.Name != d
		}
		if keep {
			out.Attribute = append(out.Attribute, a)
		}
	}
	var consts []*protos.NodeProto
	for i, t := range inputs {
		name := n.Output[0] + "/tlx_legacy_" + drop[i]
		t.Name = name
		consts = append(consts, &protos.NodeProto{OpType: "Constant", Output: []string{name},
			Attribute: []*protos.AttributeProto{{Name: "value", Type: protos.AttributeProto_TENSOR, T: t}}})
		out.Input = append(out.Input, name)
	}
	return out, consts
}

func int64Tensor(v []int64) *protos.TensorProto {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	return &protos.TensorProto{DataType: int32(protos.TensorProto_INT64), Dims: []int64{int64(len(v))}, RawData: raw}
}

func float32Scalar(v float64) *protos.TensorProto {
	raw := binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(v)))
	return &protos.TensorProto{DataType: int32(protos.TensorProto_FLOAT), RawData: raw}
}

// clampShape clamps Shape's start and end attributes to [0, rank].
func clampShape(n *protos.NodeProto, rank int) *protos.NodeProto {
	if rank < 0 || (attr(n, "start") == nil && attr(n, "end") == nil) {
		return n
	}
	clamp := func(v int) int64 {
		if v < 0 {
			v += rank
		}
		return int64(min(max(v, 0), rank))
	}
	out := proto.Clone(n).(*protos.NodeProto)
	out.Attribute = []*protos.AttributeProto{
		{Name: "start", Type: protos.AttributeProto_INT, I: clamp(attrInt(n, "start", 0))},
		{Name: "end", Type: protos.AttributeProto_INT, I: clamp(attrInt(n, "end", rank))},
	}
	return out
}
