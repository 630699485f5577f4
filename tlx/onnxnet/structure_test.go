package onnxnet

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/gomlx/core/tensors"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// scopelessCopy rewrites a PyTorch export the way TensorFlow and Paddle
// exporters write files: no module scopes in the node names (tf2onnx's
// "StatefulPartitionedCall/..." prefix, or none at all) and every weight a
// Constant node instead of an initializer. The "tf" style also takes its
// image NHWC, transposing it to NCHW first, as tf2onnx does for Keras.
func scopelessCopy(t *testing.T, src, style string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var mp protos.ModelProto
	if err := proto.Unmarshal(data, &mp); err != nil {
		t.Fatal(err)
	}
	g := mp.Graph
	var consts []*protos.NodeProto
	for i, init := range g.Initializer {
		consts = append(consts, &protos.NodeProto{
			OpType: "Constant", Name: fmt.Sprintf("const_%d", i), Output: []string{init.Name},
			Attribute: []*protos.AttributeProto{{Name: "value", Type: protos.AttributeProto_TENSOR, T: init}},
		})
	}
	g.Initializer = nil
	if dims := g.Input[0].Type.GetTensorType().Shape.Dim; style == "tf" && len(dims) == 4 {
		consts = append(consts, &protos.NodeProto{OpType: "Transpose", Input: []string{"image"}, Output: []string{g.Input[0].Name},
			Attribute: []*protos.AttributeProto{{Name: "perm", Type: protos.AttributeProto_INTS, Ints: []int64{0, 3, 1, 2}}}})
		g.Input[0].Name = "image"
		g.Input[0].Type.GetTensorType().Shape.Dim = []*protos.TensorShapeProto_Dimension{dims[0], dims[2], dims[3], dims[1]}
	}
	g.Node = append(consts, g.Node...)
	for i, n := range g.Node {
		switch style {
		case "tf":
			n.Name = fmt.Sprintf("StatefulPartitionedCall/model/%s_%d", n.OpType, i)
		default:
			n.Name = ""
		}
	}
	out, err := proto.Marshal(&mp)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), style+"_"+filepath.Base(src))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Files without module scopes and with Constant-node weights are cut by
// structure: the stem, one group per residual block, the plain layers
// between blocks closed at pooling, the classifier as "head". The counts
// follow from the architectures: ResNet-18 has 8 residual blocks;
// torchvision's MobileNetV2 has 10 inverted-residual blocks with a skip
// connection (features 3, 5, 6, 8, 9, 10, 12, 13, 15, 16) and 6 runs of
// plain blocks around them (0-2, 4, 7, 11, 14, 17-18). The logits stay
// PyTorch's, and every weight is a trainable variable.
func TestLoadScopelessByStructure(t *testing.T) {
	cases := []struct {
		name   string
		groups int
		convs  []int // Conv nodes per group, from the architecture
	}{
		{"smallcnn_bn", 3, []int{1, 1, 0}},
		{"resnet18_bn", 10, []int{1, 2, 2, 3, 2, 3, 2, 3, 2, 0}},
		{"mobilenet_v2", 17, []int{6, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 0}},
	}
	for _, c := range cases {
		for _, style := range []string{"tf", "paddle"} {
			t.Run(c.name+"/"+style, func(t *testing.T) {
				orig, err := Load(fixtures.Path(t, c.name+".onnx"), Options{})
				if err != nil {
					t.Fatal(err)
				}
				m, err := Load(scopelessCopy(t, fixtures.Path(t, c.name+".onnx"), style), Options{})
				if err != nil {
					t.Fatal(err)
				}
				names := m.GroupNames()
				t.Logf("groups: %v", names)
				if !slices.Equal(m.InputShape, orig.InputShape) {
					t.Errorf("input shape %v, the PyTorch file gives %v", m.InputShape, orig.InputShape)
				}
				if m.Origin.(*Source).NHWC == (style == "tf") {
					t.Errorf("NHWC transposition %v for a file that takes NHWC: %v", m.Origin.(*Source).NHWC, style == "tf")
				}
				if len(names) != c.groups {
					t.Errorf("%d groups %v, want %d", len(names), names, c.groups)
				}
				if names[0] != "stem" || names[len(names)-1] != "head" {
					t.Errorf("groups %v: want stem first and head last", names)
				}
				var convs []int
				for _, g := range m.Groups {
					n := 0
					for _, node := range m.Origin.(*Source).Groups[g].Nodes {
						if node.OpType == "Conv" {
							n++
						}
					}
					convs = append(convs, n)
				}
				if !slices.Equal(convs, c.convs) {
					t.Errorf("convolutions per group %v, want %v", convs, c.convs)
				}
				vars, origVars := 0, 0
				for _, g := range m.Groups {
					vars += len(m.Variables(g.Name))
				}
				for _, g := range orig.Groups {
					origVars += len(orig.Variables(g.Name))
				}
				if vars != origVars {
					t.Errorf("%d variables, the scoped file gives %d", vars, origVars)
				}
				base := c.name
				if i := len(base) - len("_bn"); i > 0 && base[i:] == "_bn" {
					base = base[:i]
				}
				x, _, want, _ := oracle(t, base)
				y, err := m.Output(x, "")
				if err != nil {
					t.Fatal(err)
				}
				diff, scale := maxRelDiff(tensors.MustCopyFlatData[float32](y), want)
				t.Logf("max relative difference to PyTorch %.2g (logits up to %.2g)", diff, scale)
				if diff > 1e-4 {
					t.Errorf("logits differ from PyTorch's by %.2g relative (want <= 1e-4)", diff)
				}
				if err := m.Freeze(names[1]); err != nil {
					t.Errorf("freezing group %s: %v", names[1], err)
				}
			})
		}
	}
	// Asked for scopes, a scopeless file is one group; an unknown mode is an error.
	path := scopelessCopy(t, fixtures.Path(t, "resnet18_bn.onnx"), "paddle")
	if m, err := Load(path, Options{GroupBy: GroupByScopes}); err != nil || len(m.GroupNames()) != 1 {
		t.Errorf("GroupByScopes on a scopeless file: %v, %v", err, m)
	}
	if _, err := Load(path, Options{GroupBy: "layers"}); err == nil {
		t.Error("GroupBy \"layers\": no error")
	}
	// A scoped file asked for structure gets it too.
	if m, err := Load(fixtures.Path(t, "resnet18_bn.onnx"), Options{GroupBy: GroupByStructure}); err != nil || !slices.Contains(m.GroupNames(), "block9") {
		t.Errorf("GroupByStructure on ResNet-18: %v, %v", err, m.GroupNames())
	}
}

// A TensorFlow-style file (NHWC input, Constant-node weights, no scopes)
// with a new head exports to a file that takes NHWC like the original and
// that ONNX Runtime runs to tlx's outputs.
func TestExportScopelessNHWC(t *testing.T) {
	m, err := Load(scopelessCopy(t, fixtures.Path(t, "smallcnn_bn.onnx"), "tf"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.ReplaceHead(3); err != nil {
		t.Fatal(err)
	}
	x, _, _, _ := oracle(t, "smallcnn")
	exportMatchesORT(t, m, x, x) // the file takes NHWC, as its source did
}

// inception exports torchvision's GoogLeNet once per test binary.
var inception = testutil.Fixtures("apt-get install python3-torch python3-torchvision", "/usr/bin/python3", "testdata/export_inception.py")

// Without names, GoogLeNet is cut into its nine Inception modules (each
// four branches, six convolutions, joined by a Concat; the max-pooling
// between modules joins the module before it), the two plain stages before
// them (conv1 + pool, conv2 + conv3 + pool) and the classifier, and keeps
// PyTorch's logits.
func TestLoadScopelessInception(t *testing.T) {
	m, err := Load(scopelessCopy(t, inception.Path(t, "googlenet.onnx"), "paddle"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var convs []int
	for _, g := range m.Groups {
		n := 0
		for _, node := range m.Origin.(*Source).Groups[g].Nodes {
			if node.OpType == "Conv" {
				n++
			}
		}
		convs = append(convs, n)
	}
	t.Logf("groups %v, convolutions %v", m.GroupNames(), convs)
	if want := []int{1, 2, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0}; !slices.Equal(convs, want) {
		t.Errorf("convolutions per group %v, want %v", convs, want)
	}
	f, err := safetensors.ReadFile(inception.Path(t, "googlenet_io.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	in := f.Tensors["input"]
	data, _ := in.Float32s()
	nhwc, shape := testutil.NCHWToNHWC(data, in.Shape)
	y, err := m.Output(tensors.FromFlatDataAndDimensions(nhwc, shape...), "")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := f.Tensors["logits"].Float32s()
	diff, scale := maxRelDiff(tensors.MustCopyFlatData[float32](y), want)
	t.Logf("max relative difference to PyTorch %.2g (logits up to %.2g)", diff, scale)
	if diff > 1e-4 {
		t.Errorf("logits differ from PyTorch's by %.2g relative (want <= 1e-4)", diff)
	}
}
