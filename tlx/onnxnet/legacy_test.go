package onnxnet

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/internal/testutil"
)

// Builders for small ONNX graphs in the operators' old forms.

func nd(op string, in []string, out string, attrs ...*protos.AttributeProto) *protos.NodeProto {
	return &protos.NodeProto{OpType: op, Input: in, Output: []string{out}, Attribute: attrs}
}

func intsAttr(name string, v ...int64) *protos.AttributeProto {
	return &protos.AttributeProto{Name: name, Type: protos.AttributeProto_INTS, Ints: v}
}

func intAttr(name string, v int64) *protos.AttributeProto {
	return &protos.AttributeProto{Name: name, Type: protos.AttributeProto_INT, I: v}
}

func floatAttr(name string, v float32) *protos.AttributeProto {
	return &protos.AttributeProto{Name: name, Type: protos.AttributeProto_FLOAT, F: v}
}

func floatsAttr(name string, v ...float32) *protos.AttributeProto {
	return &protos.AttributeProto{Name: name, Type: protos.AttributeProto_FLOATS, Floats: v}
}

func strAttr(name, v string) *protos.AttributeProto {
	return &protos.AttributeProto{Name: name, Type: protos.AttributeProto_STRING, S: []byte(v)}
}

// constFloats is a Constant node holding a float tensor.
func constFloats(name string, dims []int64, v ...float32) *protos.NodeProto {
	raw := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	t := &protos.TensorProto{Name: name, Dims: dims, DataType: int32(protos.TensorProto_FLOAT), RawData: raw}
	return &protos.NodeProto{OpType: "Constant", Output: []string{name},
		Attribute: []*protos.AttributeProto{{Name: "value", Type: protos.AttributeProto_TENSOR, T: t}}}
}

// legacyModel is a graph of nodes from input "x" (float, dims) to output
// "y" at the given default-domain opset.
func legacyModel(opset int64, dims []int, nodes ...*protos.NodeProto) *protos.ModelProto {
	in := valueInfo("x", int32(protos.TensorProto_FLOAT), dims)
	in.Type.GetTensorType().Shape.Dim[0].Value = &protos.TensorShapeProto_Dimension_DimValue{DimValue: int64(dims[0])}
	out := &protos.ValueInfoProto{Name: "y", Type: &protos.TypeProto{Value: &protos.TypeProto_TensorType{
		TensorType: &protos.TypeProto_Tensor{ElemType: int32(protos.TensorProto_FLOAT)}}}}
	return &protos.ModelProto{IrVersion: 7, OpsetImport: []*protos.OperatorSetIdProto{{Version: opset}},
		Graph: &protos.GraphProto{Name: "legacy", Input: []*protos.ValueInfoProto{in}, Output: []*protos.ValueInfoProto{out}, Node: nodes}}
}

// Operators in the forms of opsets 6-11 (attributes where later opsets
// take inputs, other defaults and semantics) compute what ONNX Runtime
// computes for them.
func TestLegacyOpsetsMatchORT(t *testing.T) {
	x4 := []int{2, 3, 6, 8}
	w := make([]float32, 3*4)
	for i := range w {
		w[i] = float32(i%5)/4 - 0.5
	}
	cases := []struct {
		name string
		m    *protos.ModelProto
	}{
		{"Slice-1 attributes", legacyModel(9, x4,
			nd("Relu", []string{"x"}, "r"),
			nd("Slice", []string{"r"}, "s", intsAttr("starts", 1, -6), intsAttr("ends", 5, 1000), intsAttr("axes", 2, 3)),
			nd("Slice", []string{"s"}, "y", intsAttr("starts", 0, 1), intsAttr("ends", 1, -1)))},
		{"Slice-1 of a shape", legacyModel(9, x4,
			nd("Shape", []string{"x"}, "shape"),
			nd("Slice", []string{"shape"}, "batch", intsAttr("starts", 0), intsAttr("ends", 1), intsAttr("axes", 0)),
			nd("Constant", nil, "rest", &protos.AttributeProto{Name: "value", Type: protos.AttributeProto_TENSOR,
				T: &protos.TensorProto{Name: "rest", Dims: []int64{1}, DataType: int32(protos.TensorProto_INT64), Int64Data: []int64{-1}}}),
			nd("Concat", []string{"batch", "rest"}, "newshape", intAttr("axis", 0)),
			nd("Reshape", []string{"x", "newshape"}, "y"))},
		{"Pad-2 constant value", legacyModel(10, x4,
			nd("Pad", []string{"x"}, "y", intsAttr("pads", 0, 0, 1, 2, 0, 0, 2, 1), floatAttr("value", 0.5)))},
		{"Pad-2 reflect", legacyModel(10, x4,
			nd("Pad", []string{"x"}, "y", intsAttr("pads", 0, 0, 2, 1, 0, 0, 1, 3), strAttr("mode", "reflect")))},
		{"Pad-2 edge", legacyModel(10, x4,
			nd("Pad", []string{"x"}, "y", intsAttr("pads", 0, 0, 3, 0, 0, 0, 0, 2), strAttr("mode", "edge")))},
		{"Upsample-7 nearest", legacyModel(7, x4,
			nd("Upsample", []string{"x"}, "y", floatsAttr("scales", 1, 1, 2, 3)))},
		{"Upsample-9 linear", legacyModel(9, x4,
			constFloats("scales", []int64{4}, 1, 1, 2, 2),
			nd("Upsample", []string{"x", "scales"}, "y", strAttr("mode", "linear")))},
		{"Resize-10 nearest", legacyModel(10, x4,
			constFloats("scales", []int64{4}, 1, 1, 2, 1.5),
			nd("Resize", []string{"x", "scales"}, "y"))},
		{"Clip-6 min max", legacyModel(6, x4,
			nd("Clip", []string{"x"}, "y", floatAttr("min", 0.2), floatAttr("max", 0.7)))},
		{"Clip-6 max only", legacyModel(6, x4,
			nd("Clip", []string{"x"}, "y", floatAttr("max", 0.4)))},
		{"Softmax-11 rank 4", legacyModel(11, x4,
			nd("Softmax", []string{"x"}, "y", intAttr("axis", 1)))},
		{"Softmax-11 default axis", legacyModel(11, x4,
			nd("Softmax", []string{"x"}, "y"))},
		{"LogSoftmax-11 rank 4", legacyModel(11, x4,
			nd("LogSoftmax", []string{"x"}, "y", intAttr("axis", 2)))},
		{"Squeeze/Unsqueeze-11 axes", legacyModel(11, x4,
			nd("ReduceMean", []string{"x"}, "m", intsAttr("axes", 2, 3), intAttr("keepdims", 1)),
			nd("Squeeze", []string{"m"}, "s", intsAttr("axes", 3, 2)),
			nd("Unsqueeze", []string{"s"}, "y", intsAttr("axes", 0)))},
		{"Split-11 attribute", legacyModel(11, x4,
			&protos.NodeProto{OpType: "Split", Input: []string{"x"}, Output: []string{"a", "b"},
				Attribute: []*protos.AttributeProto{intAttr("axis", 1), intsAttr("split", 1, 2)}},
			nd("Concat", []string{"b", "a"}, "y", intAttr("axis", 1)))},
		{"BatchNormalization-7 spatial", legacyModel(7, x4,
			constFloats("scale", []int64{3}, 1.5, 0.5, -1),
			constFloats("bias", []int64{3}, 0.1, 0, -0.2),
			constFloats("mean", []int64{3}, 0.5, 0.4, 0.6),
			constFloats("var", []int64{3}, 0.08, 0.1, 0.05),
			nd("BatchNormalization", []string{"x", "scale", "bias", "mean", "var"}, "y", intAttr("spatial", 1), floatAttr("epsilon", 1e-3)))},
		{"Dropout-7 ratio", legacyModel(7, x4,
			nd("Dropout", []string{"x"}, "d", floatAttr("ratio", 0.3)),
			nd("Relu", []string{"d"}, "y"))},
		{"MaxPool-7 AveragePool-7", legacyModel(7, x4,
			nd("MaxPool", []string{"x"}, "p", intsAttr("kernel_shape", 3, 3), intsAttr("strides", 2, 2), intsAttr("pads", 1, 1, 1, 1)),
			nd("AveragePool", []string{"p"}, "y", intsAttr("kernel_shape", 2, 2), intsAttr("pads", 0, 0, 1, 1), intAttr("count_include_pad", 1)))},
		{"Flatten-9 Gemm-7", legacyModel(7, []int{2, 3, 2, 2},
			nd("GlobalAveragePool", []string{"x"}, "g"),
			nd("Flatten", []string{"g"}, "f"),
			constFloats("w", []int64{4, 3}, w...),
			constFloats("c", []int64{4}, 0.1, -0.1, 0.2, 0),
			nd("Gemm", []string{"f", "w", "c"}, "y", intAttr("transB", 1), floatAttr("alpha", 0.5), floatAttr("beta", 2)))},
		{"activations-6", legacyModel(6, x4,
			nd("LeakyRelu", []string{"x"}, "a", floatAttr("alpha", 0.2)),
			nd("Elu", []string{"a"}, "b", floatAttr("alpha", 0.7)),
			nd("Selu", []string{"b"}, "c"),
			nd("HardSigmoid", []string{"c"}, "y", floatAttr("alpha", 0.3)))},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := filepath.Join(dir, string(rune('a'+i)))
			path := writeModel(t, mkdir(t, sub), c.m)
			dims := []int{}
			for _, d := range c.m.Graph.Input[0].GetType().GetTensorType().Shape.Dim {
				dims = append(dims, int(d.GetDimValue()))
			}
			x := testutil.UniformBatch(dims[0], dims[1:], uint64(i), 7)
			data := tensors.MustCopyFlatData[float32](x)
			for j := range data {
				data[j] = 2*data[j] - 1
			}
			x = tensors.FromFlatDataAndDimensions(data, dims...)
			got, err := Eval(path, x)
			if err != nil {
				t.Fatal(err)
			}
			want, wantDims := testutil.RunORT(t, path, data, dims)
			if got[0].Shape().Size() != len(want) || !slices.Equal(got[0].Shape().Dimensions, wantDims) {
				t.Fatalf("output %s, ONNX Runtime gives %v", got[0].Shape(), wantDims)
			}
			diff, scale := testutil.MaxDiff(tensors.MustCopyFlatData[float32](got[0]), want)
			if diff > 1e-5*math.Max(scale, 1) {
				t.Errorf("output %s differs from ONNX Runtime's by %.2g (values up to %.2g)", got[0].Shape(), diff, scale)
			}
		})
	}
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
