// Package onnxnet imports ONNX models as tlx models and exports them back.
//
//	m, err := onnxnet.Load("resnet18.onnx", onnxnet.Options{})
//	m.Freeze("layer*")           // groups come from the exporter's module names
//	m.ReplaceHead(5)             // the last Gemm/MatMul group is "head"
//	... fit.FineTune(m, ...)
//	onnxnet.Export(m, "tuned.onnx")
//
// The graph is converted to GoMLX by github.com/gomlx/onnx-gomlx; every
// float weight (initializers, and Constant nodes holding weights) becomes a
// trainable variable. The graph is cut into layer groups by the scopes in
// its node names ("/layer1/layer1.0/conv1/Conv" belongs to "layer1"; a
// scope holding most of the model, like MobileNet's "features", is split one
// level deeper), merging where a residual connection or branch crosses a
// boundary (see package graphcut). Files whose names carry no scopes
// (TensorFlow- and Paddle-exported ONNX) are cut by structure instead: one
// group per residual block or branched module, the plain layers between
// them closed at pooling, the classifier last (Options.GroupBy).
//
// Image models exported from PyTorch take NCHW input; by default the loaded
// model takes NHWC like every tlx model and transposes in its first group
// (Options.ChannelsFirst keeps NCHW); a graph that takes NHWC itself
// (tf2onnx's Keras exports) is taken as it is. Intermediate tensors keep
// the ONNX layout. BatchNormalization runs on its stored statistics, which are never
// trained.
package onnxnet

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/onnx-gomlx/onnx"

	"github.com/tlx-go/tlx/tlx/graphcut"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// Options adjust how a model is imported. The zero value suits an image
// classifier exported from PyTorch.
type Options struct {
	// Output names the tensor the model computes, any intermediate tensor
	// of the graph (e.g. "/avgpool/GlobalAveragePool_output_0" for an
	// embedding); "" is the graph's first output.
	Output string
	// InputShape is the per-example input shape, needed when the graph
	// declares dynamic dimensions besides the batch (in tlx's layout: NHWC
	// for images unless ChannelsFirst).
	InputShape []int
	// ChannelsFirst keeps a rank-4 input in the graph's own NCHW layout
	// instead of taking NHWC and transposing.
	ChannelsFirst bool
	// GroupBy chooses how the graph is cut into layer groups: GroupByScopes
	// (the module scopes in node names, as PyTorch's exporter writes
	// them), GroupByStructure (residual blocks, branches and pooling, for
	// files without scopes), or "" to pick: structure when the names carry
	// fewer than two scopes or come from TensorFlow (tf2onnx's
	// "StatefulPartitionedCall/..."), scopes otherwise.
	GroupBy string
}

// Values of Options.GroupBy.
const (
	GroupByScopes    = "scopes"
	GroupByStructure = "structure"
)

// Source is what an imported model remembers of its ONNX origin, in
// net.Model.Origin; Export needs it.
type Source struct {
	Path   string
	Proto  *protos.ModelProto // canonical (see the package doc); initializers without their data
	Input  string             // the graph input
	NHWC   bool               // the model transposes NHWC input to NCHW
	Groups map[*net.Group]GroupSource
}

// GroupSource ties a group of the model to its ONNX nodes.
type GroupSource struct {
	Nodes         []*protos.NodeProto
	Input, Output string            // boundary tensors
	Variables     map[string]string // variable path -> initializer name
}

// Load reads an ONNX file into a tlx model.
func Load(path string, opts Options) (*net.Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading ONNX model: %w", err)
	}
	m, err := loadBytes(data, filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), opts)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	m.Origin.(*Source).Path = path
	return m, nil
}

// LoadBytes imports an ONNX model held in memory (it cannot use external
// data files).
func LoadBytes(data []byte, name string, opts Options) (*net.Model, error) {
	return loadBytes(data, "", name, opts)
}

func loadBytes(data []byte, dir, name string, opts Options) (m *net.Model, err error) {
	// onnx-gomlx reports errors by panicking; a hostile file must give an error.
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("converting the ONNX graph: %v", r)
		}
	}()
	mp, err := parseModel(data, dir)
	if err != nil {
		return nil, err
	}
	return build(mp, name, opts)
}

// build cuts the canonical proto into groups and makes the model.
func build(mp *protos.ModelProto, name string, opts Options) (*net.Model, error) {
	g := mp.Graph
	if len(g.Input) != 1 {
		var names []string
		for _, in := range g.Input {
			names = append(names, in.Name)
		}
		return nil, fmt.Errorf("tlx imports models with one input; graph %q has %d: %v", g.Name, len(g.Input), names)
	}
	input := g.Input[0]
	inShape, err := declaredShape(input)
	if err != nil {
		return nil, fmt.Errorf("input %q: %w", input.Name, err)
	}
	output := opts.Output
	if output == "" {
		if len(g.Output) == 0 {
			return nil, fmt.Errorf("graph %q declares no output", g.Name)
		}
		output = g.Output[0].Name
	}

	// Per-example shape in tlx's layout. A graph that takes NHWC itself
	// (TensorFlow's exports) is taken as it is.
	nhwc := len(inShape) == 4 && !opts.ChannelsFirst && !channelsLast(g, input.Name, inShape)
	example := slices.Clone(inShape[1:])
	if nhwc {
		example = []int{inShape[2], inShape[3], inShape[1]}
	}
	if opts.InputShape != nil {
		if len(opts.InputShape) != len(example) {
			return nil, fmt.Errorf("Options.InputShape %v: the graph's input %q has rank %d (batch excluded: %d)", opts.InputShape, input.Name, len(inShape), len(example))
		}
		for i, d := range example {
			if d > 0 && d != opts.InputShape[i] {
				return nil, fmt.Errorf("Options.InputShape %v disagrees with the graph's input %q %v", opts.InputShape, input.Name, inShape)
			}
		}
		example = slices.Clone(opts.InputShape)
	}
	for _, d := range example {
		if d <= 0 {
			return nil, fmt.Errorf("input %q has dynamic dimensions %v: give Options.InputShape", input.Name, inShape)
		}
	}

	cg, err := cutGraph(g, input.Name, output, opts.GroupBy)
	if err != nil {
		return nil, err
	}
	cut, err := graphcut.Cut(cg)
	if err != nil {
		return nil, err
	}
	graphNodes := cutNodes(g)

	if dtypeOf(input) != int32(protos.TensorProto_FLOAT) {
		return nil, fmt.Errorf("input %q has element type %s: tlx imports float32 models", input.Name, protos.TensorProto_DataType(dtypeOf(input)))
	}
	m := net.New(name, example...)
	src := &Source{Proto: mp, Input: input.Name, NHWC: nhwc, Groups: map[*net.Group]GroupSource{}}
	m.Origin = src
	m.Statistics = map[string]bool{}
	stats := statisticInitializers(g)
	inits := map[string]*protos.TensorProto{}
	for _, t := range g.Initializer {
		inits[t.Name] = t
	}
	for i, c := range cut {
		gs := GroupSource{Input: c.Input, Output: c.Output, Variables: map[string]string{}}
		for _, ni := range c.Nodes {
			gs.Nodes = append(gs.Nodes, graphNodes[ni])
		}
		var weights []string
		for _, n := range gs.Nodes {
			for _, r := range nodeReads(n) {
				if inits[r] != nil && !slices.Contains(weights, r) {
					weights = append(weights, r)
				}
			}
		}
		groupName := c.Name
		if i == len(cut)-1 && len(cut) > 1 && isClassifier(gs.Nodes, weights) {
			groupName = net.HeadName
		}
		scope := m.Store.RootScope().At("%s", groupName).At(onnx.ModelScope)
		for _, w := range weights {
			t, err := TensorFromProto(inits[w])
			if err != nil {
				return nil, fmt.Errorf("weight %q: %w", w, err)
			}
			v := scope.VariableWithValue(varName(w), t)
			gs.Variables[v.Path()] = w
			if stats[w] {
				m.Statistics[v.Path()] = true
			}
		}
		conv := newConverter(mp, gs.Nodes, []string{c.Output})
		m.Add(groupName, groupLayer(conv, c.Input, i == 0 && nhwc))
		src.Groups[m.Groups[len(m.Groups)-1]] = gs
	}
	// The weights now live in the model's variables (Export writes them
	// from there): the proto keeps only their names and shapes.
	for _, t := range g.Initializer {
		t.RawData, t.FloatData, t.DoubleData = nil, nil, nil
	}
	return m, nil
}

// groupLayer runs one group's ONNX nodes on x, the tensor named in.
func groupLayer(conv *converter, in string, transpose bool) net.Layer {
	return func(c *nn.Ctx, x *graph.Node) *graph.Node {
		if transpose {
			x = graph.TransposeAllDims(x, 0, 3, 1, 2)
		}
		return conv.call(c.Scope, x.Graph(), map[string]*graph.Node{in: x})[0]
	}
}

// channelsLast reports a rank-4 graph input in NHWC layout, as tf2onnx
// writes Keras models: every reader is a Transpose to NCHW (perm 0,3,1,2),
// or, when nothing transposes it, the last dimension holds 1 or 3 channels
// and the second does not.
func channelsLast(g *protos.GraphProto, input string, dims []int) bool {
	readers, toNCHW := 0, 0
	for _, n := range g.Node {
		if !slices.Contains(n.Input, input) {
			continue
		}
		readers++
		if n.OpType == "Transpose" {
			for _, a := range n.Attribute {
				if a.Name == "perm" && slices.Equal(a.Ints, []int64{0, 3, 1, 2}) {
					toNCHW++
				}
			}
		}
	}
	if readers > 0 && toNCHW == readers {
		return true
	}
	few := func(d int) bool { return d == 1 || d == 3 }
	return toNCHW == 0 && few(dims[3]) && !few(dims[1])
}

// declaredShape reads a graph input's dimensions (-1 when dynamic).
func declaredShape(vi *protos.ValueInfoProto) ([]int, error) {
	tt, ok := vi.GetType().GetValue().(*protos.TypeProto_TensorType)
	if !ok || tt.TensorType.GetShape() == nil {
		return nil, fmt.Errorf("not a tensor with a declared shape")
	}
	var dims []int
	for _, d := range tt.TensorType.Shape.Dim {
		if v, ok := d.Value.(*protos.TensorShapeProto_Dimension_DimValue); ok && v.DimValue > 0 {
			dims = append(dims, int(v.DimValue))
		} else {
			dims = append(dims, -1)
		}
	}
	if len(dims) == 0 {
		return nil, fmt.Errorf("scalar input; want [batch, ...]")
	}
	return dims, nil
}

func dtypeOf(vi *protos.ValueInfoProto) int32 {
	if tt, ok := vi.GetType().GetValue().(*protos.TypeProto_TensorType); ok {
		return tt.TensorType.ElemType
	}
	return int32(protos.TensorProto_FLOAT)
}

// statisticInitializers names the BatchNormalization running statistics.
func statisticInitializers(g *protos.GraphProto) map[string]bool {
	stats := map[string]bool{}
	for _, n := range g.Node {
		if n.OpType == "BatchNormalization" && len(n.Input) == 5 {
			stats[n.Input[3]] = true
			stats[n.Input[4]] = true
		}
	}
	return stats
}

// isClassifier reports a final group ending in a dense layer with weights.
func isClassifier(nodes []*protos.NodeProto, inits []string) bool {
	for _, n := range nodes {
		if (n.OpType == "Gemm" || n.OpType == "MatMul") && len(n.Input) > 1 && slices.Contains(inits, n.Input[1]) {
			return true
		}
	}
	return false
}

// valueInfo declares a float tensor of the given dims, batch dynamic.
func valueInfo(name string, dtype int32, dims []int) *protos.ValueInfoProto {
	shape := &protos.TensorShapeProto{}
	for i, d := range dims {
		dim := &protos.TensorShapeProto_Dimension{Value: &protos.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}}
		if i == 0 {
			dim.Value = &protos.TensorShapeProto_Dimension_DimParam{DimParam: "batch"}
		}
		shape.Dim = append(shape.Dim, dim)
	}
	return &protos.ValueInfoProto{Name: name, Type: &protos.TypeProto{Value: &protos.TypeProto_TensorType{
		TensorType: &protos.TypeProto_Tensor{ElemType: dtype, Shape: shape}}}}
}
