package onnxnet

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/onnx-gomlx/onnx"
	"github.com/gomlx/onnx-gomlx/onnx/parser"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/onnxnet/onnxops"
)

// converter turns a list of ONNX nodes into GoMLX nodes. Runs of nodes go
// through onnx-gomlx, each as a small ONNX model whose inputs are the
// tensors computed before it, declared with their exact shapes; operators
// onnx-gomlx lacks or gets wrong go through tlx's own conversions
// (package onnxops), which see every input's shape.
type converter struct {
	nodes   []*protos.NodeProto
	outputs []string
	consts  map[string]*protos.NodeProto   // Constant nodes by output
	inits   map[string]*protos.TensorProto // initializer metadata (no data: values live in variables)
	ir      int64
	opset   []*protos.OperatorSetIdProto

	static   map[*protos.NodeProto]bool   // shape arithmetic (see shapeArithmetic)
	producer map[string]*protos.NodeProto // the shape-arithmetic node computing a tensor
	// shapeSource names the tensors whose shape Shape or Size reads.
	shapeSource map[string]bool

	mu    sync.Mutex
	cache map[string]onnx.Model // parsed runs by first node and input shapes
}

// newConverter prepares the conversion of nodes computing outputs, with
// the Constant nodes and initializers of the canonical model mp.
func newConverter(mp *protos.ModelProto, nodes []*protos.NodeProto, outputs []string) *converter {
	c := &converter{nodes: nodes, outputs: outputs, consts: map[string]*protos.NodeProto{},
		inits: map[string]*protos.TensorProto{}, ir: mp.IrVersion, opset: mp.OpsetImport,
		cache: map[string]onnx.Model{}}
	for _, n := range mp.Graph.Node {
		if n.OpType == "Constant" {
			c.consts[n.Output[0]] = n
		}
	}
	for _, t := range mp.Graph.Initializer {
		c.inits[t.Name] = &protos.TensorProto{Name: t.Name, Dims: t.Dims, DataType: t.DataType}
	}
	c.static = c.shapeArithmetic()
	c.producer, c.shapeSource = map[string]*protos.NodeProto{}, map[string]bool{}
	for n := range c.static {
		for _, o := range n.Output {
			c.producer[o] = n
		}
		if (n.OpType == "Shape" || n.OpType == "Size") && len(n.Input) > 0 {
			c.shapeSource[n.Input[0]] = true
		}
	}
	return c
}

// call converts the nodes given the tensors in env (graph inputs, earlier
// groups' outputs) and returns the outputs. Weights are the variables under
// scope/ONNX.
func (c *converter) call(scope *model.Scope, g *graph.Graph, env map[string]*graph.Node) []*graph.Node {
	env = cloneEnv(env)
	var run []*protos.NodeProto
	for i, n := range c.nodes {
		op := onnxops.Lookup(n)
		if op == nil || c.static[n] {
			run = append(run, n)
			continue
		}
		c.runONNX(scope, g, env, run, c.nodes[i:])
		run = nil
		inputs := make([]*graph.Node, len(n.Input))
		for j, name := range n.Input {
			if name != "" {
				inputs[j] = c.value(scope, g, env, name)
			}
		}
		if !op.StaticInputs(inputs) {
			run = append(run, n)
			continue
		}
		outs := op.Convert(&opContext{c: c, scope: scope, g: g, env: env}, n, inputs)
		for j, o := range outs {
			if j < len(n.Output) && n.Output[j] != "" && o != nil {
				env[n.Output[j]] = o
			}
		}
		for j, name := range n.Output {
			if name != "" && env[name] == nil && c.needed(name, c.nodes[i+1:]) {
				panic(fmt.Errorf("%s %q: output %d (%s) is not supported by tlx", n.OpType, n.Name, j, name))
			}
		}
	}
	c.runONNX(scope, g, env, run, nil)
	out := make([]*graph.Node, len(c.outputs))
	for i, name := range c.outputs {
		out[i] = c.value(scope, g, env, name)
	}
	return out
}

func cloneEnv(env map[string]*graph.Node) map[string]*graph.Node {
	out := make(map[string]*graph.Node, len(env))
	for k, v := range env {
		out[k] = v
	}
	return out
}

// shapeArithmetic marks the nodes computed from constants and tensor
// shapes alone (Shape, Size, Constant and what reads only those): onnx-gomlx
// folds such chains, so they stay in one run even through operators tlx
// converts itself (a legacy Slice of a shape).
func (c *converter) shapeArithmetic() map[*protos.NodeProto]bool {
	known := map[string]bool{}
	for name := range c.consts {
		known[name] = true
	}
	nodes := map[*protos.NodeProto]bool{}
	for _, n := range c.nodes {
		static := n.OpType == "Shape" || n.OpType == "Size"
		if !static && len(n.Input) > 0 {
			static = true
			for _, in := range n.Input {
				if in != "" && !known[in] {
					static = false
					break
				}
			}
		}
		if static {
			nodes[n] = true
			for _, o := range n.Output {
				known[o] = true
			}
		}
	}
	return nodes
}

// withShapeChains prepends to run the shape arithmetic (see
// shapeArithmetic) computing what it reads, so that onnx-gomlx sees the
// chain back to Shape and can fold it: a shape computed in one run and
// read in a later one (a Reshape after tlx's own conversions).
func (c *converter) withShapeChains(run []*protos.NodeProto) []*protos.NodeProto {
	inRun := map[*protos.NodeProto]bool{}
	written := map[string]bool{}
	for _, n := range run {
		inRun[n] = true
		for _, o := range n.Output {
			written[o] = true
		}
	}
	add := map[*protos.NodeProto]bool{}
	var visit func(name string)
	visit = func(name string) {
		p := c.producer[name]
		if p == nil || inRun[p] || add[p] || written[name] {
			return
		}
		add[p] = true
		for _, in := range p.Input {
			visit(in)
		}
	}
	for _, n := range run {
		for _, r := range nodeReads(n) {
			visit(r)
		}
	}
	if len(add) == 0 {
		return run
	}
	var out []*protos.NodeProto
	for _, n := range c.nodes {
		if add[n] {
			out = append(out, n)
		}
	}
	return append(out, run...)
}

// needed reports whether tensor name is read by later nodes or is an output.
func (c *converter) needed(name string, later []*protos.NodeProto) bool {
	if slices.Contains(c.outputs, name) || c.shapeSource[name] {
		return true // shape sources: a later run may re-derive a shape from them
	}
	for _, n := range later {
		if slices.Contains(nodeReads(n), name) {
			return true
		}
	}
	return false
}

// value returns tensor name as a graph node: computed, a variable or a constant.
func (c *converter) value(scope *model.Scope, g *graph.Graph, env map[string]*graph.Node, name string) *graph.Node {
	if n := env[name]; n != nil {
		return n
	}
	if _, ok := c.inits[name]; ok {
		v := scope.At(onnx.ModelScope).GetVariable(varName(name))
		if v == nil {
			panic(fmt.Errorf("weight %q has no variable", name))
		}
		env[name] = v.NodeValue(g)
		return env[name]
	}
	if k := c.consts[name]; k != nil {
		t, err := TensorFromProto(constantTensor(k))
		if err != nil {
			panic(fmt.Errorf("constant %q: %w", name, err))
		}
		env[name] = graph.Const(g, t)
		return env[name]
	}
	panic(fmt.Errorf("tensor %q is not computed by any node", name))
}

// constantTensor is a Constant node's value.
func constantTensor(n *protos.NodeProto) *protos.TensorProto {
	for _, a := range n.Attribute {
		if a.Name == "value" && a.T != nil {
			return a.T
		}
	}
	return nil
}

// varName is the variable name onnx-gomlx uses for an initializer.
func varName(init string) string { return strings.ReplaceAll(init, model.ScopeSeparator, "|") }

// runONNX converts a run of nodes with onnx-gomlx, adding the tensors that
// later nodes (or the outputs) read to env.
func (c *converter) runONNX(scope *model.Scope, g *graph.Graph, env map[string]*graph.Node, run, later []*protos.NodeProto) {
	if len(run) == 0 {
		return
	}
	var outputs []string
	for _, n := range run {
		for _, o := range n.Output {
			if o != "" && c.needed(o, later) {
				outputs = append(outputs, o)
			}
		}
	}
	c.runONNXKeyed(scope, g, env, run, run[0], outputs)
}

// runONNXKeyed converts run with onnx-gomlx, computing outputs into env;
// the parsed model is cached under keyNode and the input shapes.
func (c *converter) runONNXKeyed(scope *model.Scope, g *graph.Graph, env map[string]*graph.Node, run []*protos.NodeProto, keyNode *protos.NodeProto, outputs []string) {
	if len(outputs) == 0 {
		return
	}
	run = c.withShapeChains(run)
	written := map[string]bool{}
	var inputs []string
	for _, n := range run {
		for _, r := range nodeReads(n) {
			if r != "" && !written[r] && env[r] != nil && !slices.Contains(inputs, r) {
				inputs = append(inputs, r)
			}
		}
		for _, o := range n.Output {
			written[o] = true
		}
	}
	// Small integer constants (shapes computed by Shape and sliced by
	// tlx's own conversions) go into the run as Constant nodes, so that
	// onnx-gomlx can fold the shape arithmetic that reads them.
	var fed []string
	embedded := map[string]*protos.TensorProto{}
	key := fmt.Sprintf("%p", keyNode)
	for _, in := range inputs {
		if t := shapeConstant(in, env[in]); t != nil {
			embedded[in] = t
			key += fmt.Sprintf("|%s=%x", in, t.RawData)
			continue
		}
		fed = append(fed, in)
		key += "|" + env[in].Shape().String()
	}
	inputs = fed
	c.mu.Lock()
	om := c.cache[key]
	if om == nil {
		var err error
		om, err = c.parseRun(run, inputs, embedded, outputs, env)
		if err != nil {
			c.mu.Unlock()
			panic(err)
		}
		c.cache[key] = om
	}
	c.mu.Unlock()
	feed := map[string]*graph.Node{}
	for _, in := range inputs {
		feed[in] = env[in]
	}
	for i, y := range om.CallGraph(scope, g, feed, outputs...) {
		env[outputs[i]] = y
	}
}

// parseRun builds the small ONNX model of a run of nodes.
func (c *converter) parseRun(run []*protos.NodeProto, inputs []string, embedded map[string]*protos.TensorProto, outputs []string, env map[string]*graph.Node) (onnx.Model, error) {
	sg := &protos.GraphProto{Name: "run"}
	for _, in := range inputs {
		sg.Input = append(sg.Input, exactValueInfo(in, env[in]))
	}
	for name, t := range embedded {
		sg.Node = append(sg.Node, &protos.NodeProto{OpType: "Constant", Output: []string{name},
			Attribute: []*protos.AttributeProto{{Name: "value", Type: protos.AttributeProto_TENSOR, T: t}}})
	}
	for _, out := range outputs {
		sg.Output = append(sg.Output, &protos.ValueInfoProto{Name: out, Type: &protos.TypeProto{
			Value: &protos.TypeProto_TensorType{TensorType: &protos.TypeProto_Tensor{ElemType: int32(protos.TensorProto_FLOAT)}}}})
	}
	seen := map[string]bool{}
	for _, n := range run {
		for _, r := range nodeReads(n) {
			if seen[r] || env[r] != nil || embedded[r] != nil {
				continue
			}
			seen[r] = true
			if t := c.inits[r]; t != nil {
				sg.Initializer = append(sg.Initializer, t)
			} else if k := c.consts[r]; k != nil {
				sg.Node = append(sg.Node, k)
			}
		}
	}
	for _, n := range run {
		modern, consts := onnxops.Modernize(n, func(name string) int {
			if x := env[name]; x != nil {
				return x.Rank()
			}
			return -1
		})
		sg.Node = append(append(sg.Node, consts...), modern)
	}
	data, err := proto.Marshal(&protos.ModelProto{IrVersion: c.ir, OpsetImport: c.opset, Graph: sg})
	if err != nil {
		return nil, err
	}
	om, err := parser.Parse(data)
	if err != nil {
		return nil, err
	}
	om.DisableFusion()
	return om, nil
}

// exactValueInfo declares tensor name with node n's dtype and shape.
func exactValueInfo(name string, n *graph.Node) *protos.ValueInfoProto {
	shape := &protos.TensorShapeProto{}
	for _, d := range n.Shape().Dimensions {
		shape.Dim = append(shape.Dim, &protos.TensorShapeProto_Dimension{Value: &protos.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}})
	}
	return &protos.ValueInfoProto{Name: name, Type: &protos.TypeProto{Value: &protos.TypeProto_TensorType{
		TensorType: &protos.TypeProto_Tensor{ElemType: onnxTypeOf(n), Shape: shape}}}}
}

// onnxTypeOf maps a node's dtype back to ONNX's element type.
func onnxTypeOf(n *graph.Node) int32 {
	for k, v := range onnxDType {
		if v == n.DType() {
			return int32(k)
		}
	}
	return int32(protos.TensorProto_FLOAT)
}

// opContext is what an operator's conversion sees of the converter.
type opContext struct {
	c     *converter
	scope *model.Scope
	g     *graph.Graph
	env   map[string]*graph.Node
}

// Graph is the graph the operator is converted into.
func (o *opContext) Graph() *graph.Graph { return o.g }

// Opset is the model's ONNX opset version.
func (o *opContext) Opset() int { return o.c.opsetVersion() }

// ONNX converts node with onnx-gomlx (keyed as key, for the variables
// it creates) and returns its outputs.
func (o *opContext) ONNX(node, key *protos.NodeProto) []*graph.Node {
	o.c.runONNXKeyed(o.scope, o.g, o.env, []*protos.NodeProto{node}, key, node.Output)
	out := make([]*graph.Node, len(node.Output))
	for i, name := range node.Output {
		out[i] = o.env[name]
	}
	return out
}

// opsetVersion is the model's default-domain opset.
func (c *converter) opsetVersion() int {
	for _, o := range c.opset {
		if o.Domain == "" || o.Domain == "ai.onnx" {
			return int(o.Version)
		}
	}
	return 1
}

// shapeConstant returns node n as an ONNX tensor when it is a small integer
// constant (at most 64 values: a shape, axes, indices), nil otherwise.
func shapeConstant(name string, n *graph.Node) *protos.TensorProto {
	t := n.ConstantValue()
	if t == nil || t.Shape().Size() > 64 || (t.DType() != dtypes.Int64 && t.DType() != dtypes.Int32) {
		return nil
	}
	tp := &protos.TensorProto{Name: name, DataType: onnxTypeOf(n)}
	for _, d := range t.Shape().Dimensions {
		tp.Dims = append(tp.Dims, int64(d))
	}
	t.ConstBytes(func(b []byte) { tp.RawData = slices.Clone(b) })
	return tp
}
